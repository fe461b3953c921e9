"""The procès-verbal filled in three stages (seed 004 §2 « 6. Procès verbal de jury », « Renseignement du PV »).

1. « Avant session (Partie 1 & 2 - noms candidats) par le responsable de session »: the session's
   part-1 information (dates, place or video link) and the candidates' names are set;
2. « Pendant délibération (Partie 2 - résultats) par le jury »: every candidate's attendance is
   known and every present candidate has a decision;
3. « Fin de session (Partie 1 - stats, Partie 3, Partie 4) par jury et/ou responsable de session »:
   the jury and the session manager's part are complete and the PV is signed and sealed.

:func:`stages` reports each stage, complete or not, with what is missing (French). The draft
(:func:`draft_pdf`, « Projet »: not stored, not signed) prints what is known so far: part 1 and the
names from stage 1, the results once recorded, the figures once every decision is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.auth.models import utcnow
from core.jury.models import Attendance, JurySession, SignedDocumentStatus
from core.jury.services import certification_of, grid_of

BEFORE, DELIBERATION, END = "before_session", "deliberation", "end_of_session"
LABELS = {
    BEFORE: _l("Avant session (Partie 1 & 2 - noms candidats) par le responsable de session."),
    DELIBERATION: _l("Pendant délibération (Partie 2 - résultats) par le jury."),
    END: _l("Fin de session (Partie 1 - stats, Partie 3, Partie 4) par jury et/ou responsable de session."),
}


@dataclass
class Stage:
    key: str
    number: int
    complete: bool
    missing: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(LABELS[self.key])


def _name(candidate) -> str:
    return candidate.dossier.candidate.full_name


def _before(session: JurySession) -> list[str]:
    found = []
    if not (session.address or "").strip() and not (session.video_link or "").strip():
        found.append(_("Partie 1 : l'adresse du lieu de la session ou le lien de la visioconférence n'est pas renseigné."))
    if not session.candidates:
        found.append(_("Partie 2 : la session ne compte aucun candidat."))
    return found


def _deliberation(session: JurySession) -> list[str]:
    if not session.candidates:
        return [_("Partie 2 : la session ne compte aucun candidat.")]
    found = []
    for candidate in session.candidates:
        if candidate.attendance is Attendance.UNKNOWN:
            found.append(_("%(name)s : la présence n'est pas renseignée.", name=_name(candidate)))
        elif candidate.attendance is Attendance.PRESENT and candidate.decision is None:
            found.append(_("%(name)s : aucune décision du jury n'est enregistrée.", name=_name(candidate)))
    return found


def _end(session: JurySession) -> list[str]:
    from core.pv.services import PV, documents_of, latest_pv, unsigned

    found = []
    if not session.jurors:
        found.append(_("Partie 3 : le jury ne compte aucun membre."))
    if not (session.manager_position or "").strip():
        found.append(_("Partie 4 : la fonction du responsable de session n'est pas renseignée."))
    signing = [d for d in documents_of(session, PV) if d.status is SignedDocumentStatus.SIGNING]
    sealed = latest_pv(session, SignedDocumentStatus.SEALED)
    if signing:
        left = len(unsigned(signing[-1]))
        found.append(_("Parties 3 et 4 : %(n)d signature(s) manquent encore au procès-verbal.", n=left))
    elif sealed is None or session.correction_started_at is not None:
        found.append(_("Le procès-verbal n'est pas encore généré, signé et scellé."))
    return found


def stages(session: JurySession) -> list[Stage]:
    """The three stages of the PV, in order."""
    result = []
    for number, (key, check) in enumerate(((BEFORE, _before), (DELIBERATION, _deliberation), (END, _end)), 1):
        missing = check(session)
        result.append(Stage(key, number, not missing, missing))
    return result


def as_dicts(found: list[Stage]) -> list[dict]:
    return [{"key": s.key, "number": s.number, "label": s.label, "complete": s.complete, "missing": s.missing}
            for s in found]


def draft_title(session: JurySession) -> str:
    cert = certification_of(session)
    return _("Projet de procès-verbal – %(code)s – %(title)s", code=cert.code, title=session.title)


def draft_filename(session: JurySession) -> str:
    return f"projet-proces-verbal-{certification_of(session).code}-session-{session.id}.pdf"


def draft_pdf(session: JurySession) -> bytes:
    """The PV as known now, marked « Projet », unsigned and not stored."""
    from core.pv import documents
    from core.pv.services import PV, documents_of, planned_for

    cert = certification_of(session)
    numbers = [d.number for d in documents_of(session, PV)]
    now = utcnow()
    context = documents.pv_context(session, cert, grid_of(cert), number=max(numbers, default=0) + 1,
                                   planned=planned_for(session, PV), generated_at=now)
    context["draft"] = True
    context["show_counts"] = not _deliberation(session)
    return documents.render(cert, "pv.html", context, title=draft_title(session),
                            author=session.organisation.name, created=now)
