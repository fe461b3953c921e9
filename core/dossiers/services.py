"""Dossier services: access, creation, saving a draft, issued documents, submission, corrections requested.

Reading sections and drafts is :mod:`core.dossiers.drafts`; progress, coverage and problems are
:mod:`core.dossiers.progress` (both re-exported here)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.audit.services import record
from core.auth.models import DeliveryRole, Organisation, OrganisationCertification, Role, User, utcnow
from core.certifications.descriptor import Certification
from core.certifications.services import get_certification
# re-exported: pages, the API and plugins read sections, drafts and progress through this module
from core.dossiers.drafts import build_form, draft_of, section_data, section_spec, sections_for  # noqa: F401
from core.dossiers.models import Annex, Document, Dossier, DossierStatus, DossierVersion, SectionDraft
from core.dossiers.progress import (  # noqa: F401
    SectionState, active_annexes, cited_annexes, coverage, problems, progress,
)
from core.dossiers.sections import SectionSpec
from core.errors import Conflict, NotFound, UserError
from core.extensions import db

OPEN_STATUSES = (DossierStatus.DRAFT, DossierStatus.SUBMITTED, DossierStatus.CORRECTIONS_REQUESTED,
                 DossierStatus.ADMISSIBLE, DossierStatus.SCHEDULED, DossierStatus.EVALUATED)

# ---------------------------------------------------------------------------
# Access: the object, not only the role
# ---------------------------------------------------------------------------

def can_read(user: User, dossier: Dossier) -> bool:
    """``dossier.view`` of :mod:`core.policy`."""
    from core.policy import allowed

    return allowed(user, "dossier.view", dossier)


# what the dossier page reads of every dossier, in the dossier's own query: its organisation and its versions
# (two lazy loads otherwise, a round trip each; a draft has no version and its join costs nothing)
PAGE_LOADS = (joinedload(Dossier.organisation), joinedload(Dossier.versions))


def get_dossier_for(user: User, dossier_id: int, *, write: bool = False, options=()) -> Dossier:
    """The dossier if ``user`` may see it (and, with ``write``, change it); 404 otherwise.

    ``options``: loader options for the dossier's query (:data:`PAGE_LOADS` for the dossier page)."""
    from core.policy import allowed

    dossier = db.session.get(Dossier, dossier_id, options=options)
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
# Drafts (reading them: core.dossiers.drafts)
# ---------------------------------------------------------------------------

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
# Issued documents
# ---------------------------------------------------------------------------

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
