"""Dossier services: creation, access, drafts, completeness, evidence coverage, submission."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, inspect as sa_inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from core.audit.services import record
from core.auth.models import DeliveryRole, Organisation, OrganisationCertification, Role, User, utcnow
from core.certifications.descriptor import Certification
from core.certifications.services import get_certification
from core.dossiers.models import Annex, Document, Dossier, DossierStatus, DossierVersion, ScanState, SectionDraft
from core.dossiers.sections import ANNEXES, DELIVERABLES, FORM, Problem, SectionSpec
from core.errors import Conflict, NotFound, UserError
from core.extensions import db
from core.plugins import certification_hook

OPEN_STATUSES = (DossierStatus.DRAFT, DossierStatus.SUBMITTED, DossierStatus.CORRECTIONS_REQUESTED,
                 DossierStatus.ADMISSIBLE, DossierStatus.SCHEDULED, DossierStatus.EVALUATED)


# ---------------------------------------------------------------------------
# Sections declared by plugins
# ---------------------------------------------------------------------------

def _plugin_sections(cert: Certification) -> tuple[SectionSpec, ...]:
    """The plugin's answer to ``livret_dossier_sections``, asked once per certification and locale (titles are
    translated when the plugin builds them) and kept on the plugin manager, which forgets it whenever a plugin
    is registered or unregistered: a page asks for the sections several times (progress, problems, coverage)."""
    from flask import current_app
    from flask_babel import get_locale

    pm = current_app.extensions["livret"].pm
    cache = getattr(pm, "section_cache", None)
    key = (cert.code, id(cert), str(get_locale()))
    if cache is not None and key in cache:
        return cache[key]
    specs = tuple(certification_hook(cert, "livret_dossier_sections", pm)(certification=cert) or ())
    if cache is not None:
        cache[key] = specs
    return specs


def sections_for(cert: Certification, dossier: Dossier | None = None) -> list[SectionSpec]:
    """The sections of ``cert``'s dossier (empty: no online dossier for it); with ``dossier``, only those
    of its access route (:func:`core.dossiers.routes.visible_sections`)."""
    specs = list(_plugin_sections(cert))
    if dossier is None:
        return specs
    from core.dossiers.routes import route_of, visible_sections

    return visible_sections(specs, route_of(dossier, cert))


def section_spec(cert: Certification, key: str, dossier: Dossier | None = None) -> SectionSpec:
    for spec in sections_for(cert, dossier):
        if spec.key == key:
            return spec
    raise NotFound(code="section_not_found")


# ---------------------------------------------------------------------------
# Access: the object, not only the role
# ---------------------------------------------------------------------------

def can_read(user: User, dossier: Dossier) -> bool:
    """``dossier.view`` of :mod:`core.policy`."""
    from core.policy import allowed

    return allowed(user, "dossier.view", dossier)


def get_dossier_for(user: User, dossier_id: int, *, write: bool = False) -> Dossier:
    """The dossier if ``user`` may see it (and, with ``write``, change it); 404 otherwise."""
    from core.policy import allowed

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not allowed(user, "dossier.edit" if write else "dossier.view", dossier):
        raise NotFound(code="dossier_not_found")
    return dossier


def dossiers_of(user: User) -> list[Dossier]:
    return list(db.session.scalars(select(Dossier).where(Dossier.candidate_id == user.id)
                                   .order_by(Dossier.created_at.desc())))


# ---------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------

def delivering_organisations(code: str) -> list[Organisation]:
    """The organisations that deliver ``code`` now (granted and enabled): the certifier first, then
    the habilitated centres by name."""
    links = db.session.scalars(select(OrganisationCertification).where(
        OrganisationCertification.certification_code == code,
        OrganisationCertification.granted_at.is_not(None), OrganisationCertification.enabled.is_(True)))
    ordered = sorted(links, key=lambda link: (link.role is not DeliveryRole.CERTIFIER, link.organisation.name))
    return [link.organisation for link in ordered]


def _chosen_organisation(cert: Certification, organisation_id: int | None) -> Organisation:
    from core.errors import ValidationFailed

    organisations = delivering_organisations(cert.code)
    if not organisations:
        raise Conflict(_("Aucun organisme ne délivre encore la certification %(code)s sur la plateforme : "
                         "le dépôt d'un dossier n'est pas encore possible.", code=cert.code), code="not_delivered")
    if organisation_id is None:
        if len(organisations) == 1:
            return organisations[0]
        raise ValidationFailed(_("Choisissez l'organisme auprès duquel vous déposez votre dossier."),
                               details={"organisation_id": [_("Choisissez l'organisme auprès duquel vous déposez "
                                                              "votre dossier.")]})
    chosen = next((org for org in organisations if org.id == organisation_id), None)
    if chosen is None:
        raise ValidationFailed(_("Cet organisme ne délivre pas cette certification."),
                               details={"organisation_id": [_("Cet organisme ne délivre pas cette certification.")]})
    return chosen


def create_dossier(user: User, code: str, organisation_id: int | None = None, route: str | None = None,
                   block: str | None = None) -> Dossier:
    """Open a dossier for ``code`` with the organisation ``organisation_id`` (required when several
    organisations deliver the certification; the only one otherwise), on the access ``route`` (the
    certification's default when ``None``), for one ``block`` only when the route allows it (422 with
    the routes or blocks offered otherwise, see :func:`core.dossiers.routes.choose`)."""
    from core.dossiers import routes

    cert = get_certification(code)
    if user.role is not Role.CANDIDATE:
        raise UserError(_("Seul un compte candidat peut ouvrir un dossier."), code="not_a_candidate")
    if not sections_for(cert):
        raise UserError(_("Cette certification ne propose pas de dossier en ligne."), code="no_online_dossier")
    existing = db.session.scalar(select(Dossier).where(
        Dossier.candidate_id == user.id, Dossier.certification_code == cert.code,
        Dossier.status.in_(OPEN_STATUSES)))
    if existing is not None:
        raise Conflict(_("Vous avez déjà un dossier en cours pour cette certification (%(ref)s).",
                         ref=existing.reference), code="dossier_exists", details={"dossier_id": existing.id})
    route_code, target_block = routes.choose(cert, route, block)
    organisation = _chosen_organisation(cert, organisation_id)
    dossier = Dossier(candidate=user, certification_code=cert.code, status=DossierStatus.DRAFT,
                      organisation_id=organisation.id, route=route_code, target_block=target_block)
    db.session.add(dossier)
    db.session.flush()
    dossier.reference = f"{cert.code}-{dossier.created_at:%Y}-{dossier.id:06d}"
    record("dossier.created", "dossier", dossier.id, actor_id=user.id,
           payload={"certification": cert.code, "organisation_id": organisation.id, "route": route_code,
                    "block": target_block})
    return dossier


# ---------------------------------------------------------------------------
# Drafts
# ---------------------------------------------------------------------------

# What the lazy loads of ``dossier.sections`` and ``dossier.annexes`` read (same statements, same rows, same
# order), with statements built once: a lazy load builds its statement and its cache key again on every page,
# which cost about as much as the query itself. :func:`_loaded` fills the relationship as the lazy load would.
_DRAFTS_OF = select(SectionDraft).where(SectionDraft.dossier_id == bindparam("dossier_id"))
_ANNEXES_OF = select(Annex).where(Annex.dossier_id == bindparam("dossier_id")).order_by(Annex.number)


def _loaded(dossier: Dossier, name: str, statement) -> list:
    """``dossier.<name>``, read with ``statement`` when not loaded yet (a persistent dossier of a session)."""
    state = sa_inspect(dossier)
    if name not in state.dict and state.persistent:
        set_committed_value(dossier, name, list(state.session.scalars(statement, {"dossier_id": dossier.id})))
    return getattr(dossier, name)


def draft_of(dossier: Dossier, key: str) -> SectionDraft | None:
    return next((s for s in _loaded(dossier, "sections", _DRAFTS_OF) if s.key == key), None)


def section_data(dossier: Dossier) -> dict[str, dict[str, Any]]:
    return {s.key: dict(s.data or {}) for s in _loaded(dossier, "sections", _DRAFTS_OF)}


def build_form(spec: SectionSpec, cert: Certification, data: dict[str, Any] | None = None, formdata=None):
    """The section's form, from submitted ``formdata`` or from saved ``data``."""
    if formdata is not None:
        return spec.form(formdata=formdata, certification=cert)
    return spec.form.from_data(data or {}, certification=cert)


def _strict_problems(spec: SectionSpec, cert: Certification, data: dict[str, Any]) -> dict[str, list[str]]:
    form = spec.form.from_data(data, certification=cert)
    return {} if form.validate() else form.errors_by_path()


def save_section(dossier: Dossier, spec: SectionSpec, form, *, actor: User, cert: Certification,
                 expected_revision: int | None = None) -> SectionDraft:
    """Save what was typed, as is (lenient), and record whether the section is complete.

    ``expected_revision`` protects against two tabs overwriting each other:
    a stale revision is refused with a clear message and nothing is lost.
    """
    if not dossier.editable:
        raise Conflict(_("Ce dossier a été déposé : il ne peut plus être modifié (statut : %(s)s).",
                         s=dossier.status.label), code="dossier_locked")
    data = form.to_data()
    draft = draft_of(dossier, spec.key)
    if draft is not None and expected_revision is not None and draft.revision != expected_revision:
        raise Conflict(_("Cette section a été modifiée ailleurs (autre onglet ou appareil) depuis que vous "
                         "l'avez ouverte. Rechargez-la avant d'enregistrer."), code="stale_revision")
    problems = _strict_problems(spec, cert, data)
    if draft is None:
        draft = SectionDraft(dossier=dossier, key=spec.key, data=data, revision=1)
        db.session.add(draft)
    else:
        draft.data = data
        draft.revision += 1
    draft.complete = not problems
    draft.problems = problems
    dossier.updated_at = utcnow()
    db.session.flush()
    record("dossier.section_saved", "dossier", dossier.id, actor_id=actor.id,
           payload={"section": spec.key, "revision": draft.revision, "complete": draft.complete})
    from core.fees.services import FINANCING_SECTION, follow_financing

    if spec.key == FINANCING_SECTION:
        follow_financing(dossier, actor=actor)  # a fee request waiting for payment follows who pays
    return draft


# ---------------------------------------------------------------------------
# Progress, completeness, coverage
# ---------------------------------------------------------------------------

@dataclass
class SectionState:
    spec: SectionSpec
    state: str  # "empty", "in_progress", "complete"
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return {"empty": _("À compléter"), "in_progress": _("En cours"), "complete": _("Complète")}[self.state]


def active_annexes(dossier: Dossier) -> list[Annex]:
    return [a for a in _loaded(dossier, "annexes", _ANNEXES_OF) if a.removed_at is None]


def progress(dossier: Dossier, cert: Certification) -> list[SectionState]:
    states = []
    annexes = active_annexes(dossier)
    for spec in sections_for(cert, dossier):
        if spec.kind == FORM:
            draft = draft_of(dossier, spec.key)
            if draft is None:
                states.append(SectionState(spec, "empty"))
            else:
                states.append(SectionState(spec, "complete" if draft.complete else "in_progress",
                                           dict(draft.problems or {})))
        elif spec.kind == ANNEXES:
            minimum = int(spec.options.get("min_annexes", 1 if spec.required else 0))
            evidence = [a for a in annexes if a.role == "evidence"]
            state = "complete" if len(evidence) >= minimum and evidence or minimum == 0 else (
                "in_progress" if evidence else "empty")
            states.append(SectionState(spec, state))
        elif spec.kind == DELIVERABLES:  # every deliverable of the route has a usable file
            from core.annexes.deliverables import state_of

            states.append(SectionState(spec, state_of(dossier, cert)))
        else:  # CONTENTS: computed
            states.append(SectionState(spec, "complete"))
    return states


def cited_annexes(dossier: Dossier, cert: Certification) -> dict[str, set[int]]:
    """Per competency code, the annex numbers the candidate cites in form fields.

    A section declares which of its fields cite annexes as evidence of which
    competency with ``options["annex_citations"] = {field name: competency code}``
    (RS6776: « Éléments de preuve du cas pratique n », typed as ``1, 3``).
    """
    from forms.validators import parse_annex_numbers

    data = section_data(dossier)
    cited: dict[str, set[int]] = {}
    for spec in sections_for(cert, dossier):
        citations = spec.options.get("annex_citations") or {}
        values = data.get(spec.key) or {}
        for name, code in citations.items():
            value = values.get(name)
            try:
                numbers = parse_annex_numbers(value) if isinstance(value, str) else []
            except ValueError:  # the field's own validation reports it
                continue
            cited.setdefault(code, set()).update(numbers)
    return cited


def coverage(dossier: Dossier, cert: Certification) -> list[dict[str, Any]]:
    """Per competency: the annexes linked to it on the annexes page or cited as its evidence in a section."""
    annexes = active_annexes(dossier)
    cited = cited_annexes(dossier, cert)
    codes = {a.id: {link.competency_code for link in a.competencies} for a in annexes}
    rows = []
    for block in cert.blocks:
        for comp in block.competencies:
            numbers = cited.get(comp.code, set())
            linked = [a for a in annexes if comp.code in codes[a.id] or a.number in numbers]
            rows.append({"block": block, "competency": comp, "annexes": linked})
    return rows


def _lower_first(message: str) -> str:
    """« Ce champ est obligatoire. » → « ce champ est obligatoire » (after « Section › Champ : »)."""
    message = message.strip().rstrip(".").strip()
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        message = message[0].lower() + message[1:]
    return message


def _field_label(label: str) -> str:
    return label.strip().rstrip(":;").strip()


def _field_problems(dossier: Dossier, spec: SectionSpec, cert: Certification, state: SectionState) -> list[Problem]:
    """One problem per field in error, named « Section › Champ : message » and pointing at the field.

    The labels come from the section's form rebuilt from the draft (the stored
    problems only keep paths); the stored problems are the fallback.
    """
    from core.dossiers import memo

    draft = draft_of(dossier, spec.key)
    items: list[dict[str, str]] = []
    if draft is not None:
        items = [dict(item) for item in memo.remembered(
            memo.identity("field-problems", cert, spec, dossier, draft),
            lambda: _strict_error_items(spec, cert, draft), lambda found: 200 + 300 * len(found))]
    if not items:
        items = [{"id": path.replace(".", "-"), "path": path, "label": "", "message": messages[0]}
                 for path, messages in sorted(state.problems.items()) if messages]
    found: list[Problem] = []
    seen: set[str] = set()
    for item in items:
        key = item["path"] or item["id"]
        if key in seen:  # the first message of each field
            continue
        seen.add(key)
        label = _field_label(str(item.get("label") or ""))
        message = _lower_first(str(item["message"]))
        if label:
            text = _("%(section)s › %(field)s : %(message)s", section=spec.title, field=label, message=message)
        else:
            text = _("%(section)s : %(message)s", section=spec.title, message=message)
        found.append(Problem(text, spec.key, field=item["id"] or None, code="section_invalid"))
    return found


def _strict_error_items(spec: SectionSpec, cert: Certification, draft: SectionDraft) -> list[dict[str, str]]:
    form = spec.form.from_data(dict(draft.data or {}), certification=cert)
    return [] if form.validate() else form.error_items()


def problems(dossier: Dossier, cert: Certification, *, states: list[SectionState] | None = None,
             coverage_rows: list[dict[str, Any]] | None = None) -> list[Problem]:
    """Everything that prevents submission, each pointing where to fix it.

    ``states`` and ``coverage_rows``: :func:`progress` and :func:`coverage` of the same dossier when the
    caller already has them (the dossier page shows both), so that they are not computed twice."""
    found: list[Problem] = []
    for state in (states if states is not None else progress(dossier, cert)):
        spec = state.spec
        if not spec.required or state.state == "complete":
            continue
        if spec.kind == FORM and state.state == "empty":
            found.append(Problem(_("La section « %(t)s » n'est pas remplie.", t=spec.title), spec.key,
                                 code="section_empty"))
        elif spec.kind == FORM:
            found.extend(_field_problems(dossier, spec, cert, state))
        elif spec.kind == ANNEXES:
            found.append(Problem(_("Ajoutez au moins une pièce justificative (annexe)."), spec.key,
                                 code="annexes_missing"))
        elif spec.kind == DELIVERABLES:
            from core.annexes.deliverables import problems_of

            found.extend(problems_of(dossier, cert, spec.key))
    annex_key = next((s.key for s in sections_for(cert, dossier) if s.kind == ANNEXES), None)
    for annex in active_annexes(dossier):
        if annex.role == "deliverable":  # reported with its deliverable (core.annexes.deliverables)
            continue
        if annex.scan_state in (ScanState.INFECTED, ScanState.ERROR):
            found.append(Problem(_("L'annexe n° %(n)d « %(t)s » a été refusée par l'antivirus : retirez-la.",
                                   n=annex.number, t=annex.title), annex_key, code="annex_infected"))
        elif annex.scan_state is ScanState.PENDING:
            found.append(Problem(_("L'annexe n° %(n)d « %(t)s » est en cours d'analyse antivirus.",
                                   n=annex.number, t=annex.title), annex_key, code="annex_pending"))
    if annex_key is not None and any(s.kind == ANNEXES and s.options.get("require_coverage", True)
                                     for s in sections_for(cert, dossier)):
        for row in (coverage_rows if coverage_rows is not None else coverage(dossier, cert)):
            if not row["annexes"]:
                comp = row["competency"]
                found.append(Problem(_("Aucune pièce justificative n'est associée à la compétence %(c)s.",
                                       c=comp.code), annex_key, code="competency_without_evidence",
                                     blocking=False))
    data = section_data(dossier)
    for extra in certification_hook(cert, "livret_dossier_problems")(certification=cert, dossier=dossier,
                                                                      sections=data):
        found.extend(extra or [])
    return found


def documents_of(dossier: Dossier) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.dossier_id == dossier.id)
                                   .order_by(Document.created_at, Document.id)))


def document_of(dossier: Dossier, document_id: int) -> Document:
    doc = db.session.get(Document, document_id)
    if doc is None or doc.dossier_id != dossier.id:
        raise NotFound(code="document_not_found")
    return doc


# ---------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------

def manifest_of(annexes: list[Annex]) -> list[dict[str, Any]]:
    return [{"number": a.number, "title": a.title, "role": a.role, "filename": a.filename,
             "media_type": a.media_type, "size": a.size, "sha256": a.sha256, "pages": a.pages,
             "competencies": a.competency_codes, "annex_id": a.id,
             **({"deliverable": a.deliverable} if a.deliverable else {})} for a in annexes]


def submit(dossier: Dossier, *, actor: User) -> DossierVersion:
    """Lock an immutable version. Raises Conflict (409) with the problem list when incomplete."""
    if dossier.candidate_id != actor.id:
        raise NotFound(code="dossier_not_found")
    # A second submission sent at the same time (double click, two tabs) waits for the first here
    # (row lock on PostgreSQL) and then finds the dossier submitted: one version, never two.
    db.session.execute(select(Dossier.id).where(Dossier.id == dossier.id).with_for_update())
    db.session.refresh(dossier)
    if not dossier.editable:
        raise Conflict(_("Ce dossier ne peut pas être déposé dans son état actuel (%(s)s).", s=dossier.status.label),
                       code="wrong_state", details={"status": dossier.status.value})
    cert = get_certification(dossier.certification_code)
    found = [p for p in problems(dossier, cert) if p.blocking]
    if found:
        raise Conflict(_("Le dossier est incomplet : %(n)d point(s) à régler avant le dépôt.", n=len(found)),
                       code="dossier_incomplete",
                       details=[{"message": str(p.message), "section": p.section, "field": p.field, "code": p.code}
                                for p in found])
    number = (dossier.latest_version.number + 1) if dossier.latest_version else 1
    version = DossierVersion(dossier=dossier, number=number, content=section_data(dossier),
                             manifest=manifest_of(active_annexes(dossier)), submitted_by_id=actor.id)
    db.session.add(version)
    previous = dossier.status
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = version.submitted_at = utcnow()
    db.session.flush()
    record("dossier.submitted", "dossier", dossier.id, actor_id=actor.id,
           payload={"version": number, "from": previous.value, "annexes": len(version.manifest)})
    from core.dossiers.routes import route_of

    if not route_of(dossier, cert).admissibility_review:  # no recevabilité on this route: admissible at once
        dossier.status = DossierStatus.ADMISSIBLE
        record("dossier.admissible", "dossier", dossier.id, actor_id=actor.id,
               payload={"version": number, "from": DossierStatus.SUBMITTED.value, "automatic": True})
    from core.fees.services import ensure_request

    ensure_request(dossier, actor=actor)  # the fee is due from the submission on (reading it writes nothing)
    return version


def after_submission(version: DossierVersion) -> None:
    """What follows a submission: the receipt e-mail to the candidate."""
    from flask import render_template

    from core.utils import absolute_url

    from core.mail import send_mail

    dossier = version.dossier
    cert = get_certification(dossier.certification_code)
    link = absolute_url("dossiers.overview", dossier_id=dossier.id)
    text = render_template("dossiers/email/receipt.txt", dossier=dossier, version=version, cert=cert, link=link)
    send_mail(dossier.candidate.email, _("Accusé de réception de votre dossier %(ref)s", ref=dossier.reference), text)


# ---------------------------------------------------------------------------
# Corrections requested by the certifier
# ---------------------------------------------------------------------------

def can_review(user: User, dossier: Dossier) -> bool:
    """``dossier.review`` of :mod:`core.policy`: staff of the organisation the dossier was opened with."""
    from core.policy import allowed

    return allowed(user, "dossier.review", dossier)


def request_corrections(dossier: Dossier, *, actor: User, items: list[dict[str, Any]]) -> DossierVersion:
    """Send a submitted dossier back to its candidate with the corrections to make.

    The submitted version stays as it was (immutable, readable); the candidate
    works on the dossier again and a new submission makes a new version.
    ``items``: ``[{"message": str, "section": key or None, "annex": number or None}]``.
    """
    from core.errors import ValidationFailed

    if not can_review(actor, dossier):
        raise NotFound(code="dossier_not_found")
    if dossier.status is not DossierStatus.SUBMITTED:
        raise Conflict(_("Des corrections ne peuvent être demandées que sur un dossier déposé (statut actuel : %(s)s).",
                         s=dossier.status.label), code="wrong_state", details={"status": dossier.status.value})
    cert = get_certification(dossier.certification_code)
    keys = {spec.key for spec in sections_for(cert, dossier)}
    numbers = {a["number"] for a in dossier.latest_version.manifest}
    cleaned, errors = [], {}
    for index, item in enumerate(items or []):
        message = str(item.get("message") or "").strip()
        section = item.get("section") or None
        annex = item.get("annex")
        if not message:
            errors[f"items.{index}.message"] = [_("Décrivez la correction attendue.")]
        if section is not None and section not in keys:
            errors[f"items.{index}.section"] = [_("Cette section n'existe pas dans le dossier.")]
        if annex is not None and annex not in numbers:
            errors[f"items.{index}.annex"] = [_("Cette annexe n'existe pas dans la version déposée.")]
        cleaned.append({"message": message[:2000], "section": section, "annex": annex})
    if not cleaned:
        errors["items"] = [_("Indiquez au moins une correction.")]
    if errors:
        raise ValidationFailed(details=errors)
    version = dossier.latest_version
    version.corrections = cleaned
    version.corrections_requested_at = utcnow()
    dossier.status = DossierStatus.CORRECTIONS_REQUESTED
    db.session.flush()
    record("dossier.corrections_requested", "dossier", dossier.id, actor_id=actor.id,
           payload={"version": version.number, "items": len(cleaned)})
    _send_corrections_email(dossier, version, cert)
    return version


def _send_corrections_email(dossier: Dossier, version: DossierVersion, cert: Certification) -> None:
    from flask import render_template

    from core.utils import absolute_url

    from core.mail import send_mail

    link = absolute_url("dossiers.overview", dossier_id=dossier.id)
    text = render_template("dossiers/email/corrections.txt", dossier=dossier, version=version, cert=cert,
                           link=link, titles={s.key: s.title for s in sections_for(cert, dossier)})
    send_mail(dossier.candidate.email, _("Corrections demandées sur votre dossier %(ref)s", ref=dossier.reference),
              text)
