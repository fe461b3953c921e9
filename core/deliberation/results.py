"""Sealed results: the candidate's own result and the certifier's results dashboard.

Nothing of a deliberation reaches the candidate before its procès-verbal is
sealed (``JuryDecision.sealed_at``, set by the PV area): :func:`result_of`
(the dossier page's result block and ``GET /api/v1/dossiers/{id}/result``)
shows, per sitting, the latest sealed decision (a correction in progress keeps
showing it until its corrective PV is sealed), and whether a retake is still
possible (:func:`next_attempt`, the rule the sessions area applies when it
adds a retake). The dashboard counts sealed decisions that are not superseded
(a correction in progress keeps the old figures until its corrective PV is
sealed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.auth.models import Organisation
from core.certifications.descriptor import Block, Certification, Grid
from core.deliberation.services import ABSENT, failing_outcome, outcome_label, today, vae_label
from core.documents.filters import doc_date
from core.dossiers.models import Document, Dossier, DossierStatus
from core.extensions import db
from core.jury.models import JuryDecision, JurySession, SessionCandidate, SessionStatus, SignedDocument, \
    SignedDocumentStatus
from core.jury.services import grid_of


# ---------------------------------------------------------------------------
# the candidate's result
# ---------------------------------------------------------------------------

@dataclass
class SealedResult:
    decision: JuryDecision
    cert: Certification
    grid: Grid

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.grid, self.decision.outcome)

    @property
    def absent(self) -> bool:
        return self.decision.outcome == ABSENT

    @property
    def success(self) -> bool:
        return self.decision.outcome == self.grid.outcomes[0].code

    @property
    def failed(self) -> bool:
        return self.decision.outcome == failing_outcome(self.grid)

    @property
    def validated_blocks(self) -> list[Block]:
        codes = set(self.decision.validated_blocks or [])
        return [b for b in self.cert.blocks if b.code in codes]

    @property
    def show_blocks(self) -> bool:
        """Blocks matter when the certification validates them one by one (RNCP37827)."""
        return bool(self.cert.rules and self.cert.rules.block_validation) and not self.absent

    @property
    def vae_outcome_label(self) -> str:
        return vae_label(self.cert, self.decision.vae_outcome) if self.decision.vae_outcome else ""

    @property
    def retake_until(self) -> date | None:
        return self.decision.retake_until

    @property
    def retake_open(self) -> bool:
        return self.retake_until is not None and self.retake_until >= today()

    @property
    def retake_free(self) -> bool:
        return bool(self.cert.rules and self.cert.rules.retake_free)

    @property
    def retakes(self) -> int:
        return self.cert.rules.retakes if self.cert.rules else 0


def sealed_decision_of(dossier: Dossier) -> SealedResult | None:
    """The dossier's latest sealed decision (its PV sealed), or ``None``: nothing before sealing."""
    return result_of(dossier).latest


def _installed(code: str) -> Certification | None:
    return current_app.extensions["livret"].certifications.get(code)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def latest_sealed(candidate: SessionCandidate) -> JuryDecision | None:
    """The sitting's last sealed decision (still shown while a correction prepares the next one)."""
    sealed = [d for d in candidate.decisions if d.sealed_at is not None]
    return max(sealed, key=lambda d: (_aware(d.sealed_at), d.id)) if sealed else None


def next_attempt(cert: Certification, sittings: list[SessionCandidate], on_day: date) -> int | None:
    """The attempt number of a retake on ``on_day`` after ``sittings`` (the dossier's sittings), else ``None``.

    A retake: the current decision of the last sitting is sealed and is not a success, its retake
    window (``retake_until``) reaches ``on_day``, and the dossier sat fewer times than
    ``1 + rules.retakes``."""
    allowed = 1 + (cert.rules.retakes if cert.rules else 0)
    if not sittings or len(sittings) >= allowed:
        return None
    last = max(sittings, key=lambda s: (_aware(s.session.starts_at), s.id))
    decision = last.decision
    if (decision is None or decision.sealed_at is None or decision.retake_until is None
            or decision.retake_until < on_day):
        return None
    if decision.outcome == grid_of(cert).outcomes[0].code:
        return None
    return max(s.attempt for s in sittings) + 1


@dataclass
class Sitting:
    """One sitting of the dossier before a jury, with its sealed decision."""

    candidate: SessionCandidate
    result: SealedResult
    pv: SignedDocument | None  # the sealed PV that carries the decision (None when unknown)
    documents: list[Document] = field(default_factory=list)  # issued with it: grid, certificate...

    @property
    def session(self) -> JurySession:
        return self.candidate.session


@dataclass
class Retake:
    possible: bool
    attempts_used: int
    attempts_allowed: int
    deadline: date | None
    free: bool
    message: str  # what the dossier page says, in French ("" when nothing)


@dataclass
class DossierResult:
    """The candidate's result: the sittings whose decision is sealed (oldest first) and the retake."""

    dossier: Dossier
    cert: Certification | None
    sittings: list[Sitting]
    convened: int  # sittings in an open or closed session
    waiting: bool  # the last sitting has no sealed decision yet
    retake: Retake | None

    @property
    def latest(self) -> SealedResult | None:
        decided = [s.result for s in self.sittings]
        return max(decided, key=lambda r: (_aware(r.decision.sealed_at), r.decision.id)) if decided else None

    @property
    def status(self) -> str:
        """``not_convened``, ``awaiting_result`` (a sitting without sealed decision) or ``decided``."""
        if not self.convened:
            return "not_convened"
        return "awaiting_result" if self.waiting else "decided"


_RESULT_KINDS = ("certificate", "parchment_record", "blocks_attestation",  # issued to the dossier when a PV
                 "jury_pv_extract")  # is sealed (core.documents.access.RESULT_KINDS)


def _pv_of(candidate: SessionCandidate, decision: JuryDecision) -> SignedDocument | None:
    pvs = db.session.scalars(select(SignedDocument).where(
        SignedDocument.session_id == candidate.session_id, SignedDocument.kind == "pv",
        SignedDocument.status.in_([SignedDocumentStatus.SEALED, SignedDocumentStatus.REPLACED])))
    before = [p for p in pvs if p.sealed_at is not None and _aware(p.sealed_at) <= _aware(decision.sealed_at)]
    return max(before, key=lambda p: (_aware(p.sealed_at), p.number)) if before else None


def _documents(candidate: SessionCandidate, decision: JuryDecision, until: datetime | None,
               issued: list[Document]) -> list[Document]:
    """The sitting's sealed grid and what was issued with the decision (certificate...) before ``until``."""
    grids = db.session.scalars(select(SignedDocument).where(
        SignedDocument.candidate_id == candidate.id, SignedDocument.kind == "grid",
        SignedDocument.status == SignedDocumentStatus.SEALED, SignedDocument.document_id.is_not(None)))
    found = [g.document for g in grids if g.document is not None]
    start = _aware(decision.sealed_at)
    found += [d for d in issued if d.kind in _RESULT_KINDS and _aware(d.created_at) >= start
              and (until is None or _aware(d.created_at) < until)]
    return sorted(found, key=lambda d: (_aware(d.created_at), d.id))


def _retake(cert: Certification, convened: list[SessionCandidate], latest: SealedResult | None,
            waiting: bool) -> Retake:
    rules = cert.rules
    allowed = 1 + (rules.retakes if rules else 0)
    free = bool(rules and rules.retake_free)
    if latest is None or waiting:
        return Retake(False, len(convened), allowed, None, free, "")
    attempt = next_attempt(cert, convened, today())
    deadline = latest.retake_until if latest.failed else None
    message = ""
    if latest.failed and latest.retakes:
        if attempt is not None:
            when = doc_date(deadline)
            if latest.retakes == 1 and free:
                message = _("Vous pouvez vous présenter à une session de rattrapage jusqu'au %(date)s (un seul "
                            "rattrapage, sans frais de certification).", date=when)
            elif latest.retakes == 1:
                message = _("Vous pouvez vous présenter à une session de rattrapage jusqu'au %(date)s (un seul "
                            "rattrapage).", date=when)
            else:
                message = _("Vous pouvez vous présenter à une session de rattrapage jusqu'au %(date)s.", date=when)
        elif deadline is not None and deadline < today():
            message = _("Le délai de rattrapage a pris fin le %(date)s.", date=doc_date(deadline))
        else:
            message = _("Le rattrapage autorisé par le règlement de la certification a déjà été utilisé.")
    return Retake(attempt is not None, len(convened), allowed, deadline, free, message)


def result_of(dossier: Dossier) -> DossierResult:
    """What the candidate may know of their jury sittings: sealed decisions only (see the module)."""
    cert = _installed(dossier.certification_code)
    # a dossier never submitted (still a draft: no status leads back to it) was never admissible, so never
    # in a session (core.sessions.members.eligible_dossiers): its page does not ask
    rows = [] if dossier.status is DossierStatus.DRAFT else db.session.scalars(
        select(SessionCandidate).join(JurySession, JurySession.id == SessionCandidate.session_id)
        .where(SessionCandidate.dossier_id == dossier.id,
               JurySession.status.in_([SessionStatus.OPEN, SessionStatus.CLOSED])))
    convened = sorted(rows, key=lambda c: (_aware(c.session.starts_at), c.id))
    if cert is None:
        return DossierResult(dossier, None, [], len(convened), False, None)
    grid = grid_of(cert)
    decided = [(c, d) for c in convened if (d := latest_sealed(c)) is not None]
    # the documents issued to the dossier, only read when a sealed decision lists them (not on every dossier page)
    issued = list(db.session.scalars(select(Document).where(Document.dossier_id == dossier.id))) if decided else []
    sittings = []
    for index, (candidate, decision) in enumerate(decided):
        until = _aware(decided[index + 1][1].sealed_at) if index + 1 < len(decided) else None
        sittings.append(Sitting(candidate, SealedResult(decision, cert, grid), _pv_of(candidate, decision),
                                _documents(candidate, decision, until, issued)))
    waiting = bool(convened) and latest_sealed(convened[-1]) is None
    result = DossierResult(dossier, cert, sittings, len(convened), waiting, None)
    result.retake = _retake(cert, convened, result.latest, waiting)
    return result


# ---------------------------------------------------------------------------
# the results dashboard
# ---------------------------------------------------------------------------

@dataclass
class Bar:
    label: str
    value: int


@dataclass
class Rate:
    code: str
    title: str
    validated: int
    assessed: int

    @property
    def rate(self) -> float | None:
        return self.validated / self.assessed if self.assessed else None


@dataclass
class CertificationResults:
    code: str
    title: str
    decisions: int
    outcome_bars: list[Bar]
    blocks: list[Rate]
    competencies: list[Rate]
    block_validation: bool

    @property
    def block_bars(self) -> list[Bar]:
        return [Bar(r.code, r.validated) for r in self.blocks]

    @property
    def competency_bars(self) -> list[Bar]:
        return [Bar(r.code, r.validated) for r in self.competencies]


def _sealed_decisions(org: Organisation, code: str) -> list[JuryDecision]:
    return list(db.session.scalars(
        select(JuryDecision).join(SessionCandidate, SessionCandidate.id == JuryDecision.candidate_id)
        .join(JurySession, JurySession.id == SessionCandidate.session_id)
        .where(JurySession.organisation_id == org.id, JurySession.certification_code == code,
               JuryDecision.sealed_at.is_not(None), JuryDecision.superseded_at.is_(None))))


def _results(cert: Certification, decisions: list[JuryDecision]) -> CertificationResults:
    grid = grid_of(cert)
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.outcome] = counts.get(d.outcome, 0) + 1
    codes = [o.code for o in grid.outcomes] + [ABSENT]
    bars = [Bar(outcome_label(grid, c), counts.get(c, 0)) for c in codes]
    bars += [Bar(c, n) for c, n in counts.items() if c not in codes]
    assessed = [d for d in decisions if d.outcome != ABSENT]
    blocks = [Rate(b.code, b.title, sum(b.code in (d.validated_blocks or []) for d in assessed), len(assessed))
              for b in cert.blocks]
    comps = [Rate(c.code, c.title, sum(c.code in (d.acquired_competencies or []) for d in assessed), len(assessed))
             for c in cert.competencies]
    return CertificationResults(cert.code, cert.title, len(decisions), bars, blocks, comps,
                                bool(cert.rules and cert.rules.block_validation))


def results_by_certification(org: Organisation) -> list[CertificationResults]:
    """For each installed certification the organisation delivers: its sealed decisions by outcome,
    blocks validated / assessed and competencies acquired / assessed (absent candidates are not assessed)."""
    certs = current_app.extensions["livret"].certifications
    return [_results(certs[code], _sealed_decisions(org, code))
            for code in sorted(org.certification_codes) if code in certs]

