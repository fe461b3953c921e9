"""Documents a sealed PV issues to a candidate, per outcome, as the certification's plugin declares.

A certification lists in its referential's ``[extra]`` which outcome issues which document::

    [[extra.outcome_documents]]
    outcome = "admis"                 # a code of rules.outcomes
    kind = "parchment_record"         # one of KINDS (the kinds the documents' access rules know)
    title = "Relevé de décision – édition du parchemin"
    template = "parchment_record.html"  # optional: <plugin>/<template>, else pv/outcome_document.html
    filename = "releve-decision-parchemin"  # optional: file name prefix

When the PV is sealed, each present candidate whose decision has such an outcome gets the document,
rendered, sealed by the certifier (a :class:`~core.dossiers.models.Document` of their dossier,
verifiable on ``/verifier``) and e-mailed as an attachment, like RS6776's nominative certificate
(:func:`core.pv.closing.issue_certificate`).
"""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

import core.sealing.services as sealing
from core.auth.models import User, utcnow
from core.certifications.descriptor import Certification
from core.jury.models import SessionCandidate
from core.pv import documents, outcomes

KINDS = ("parchment_record", "blocks_attestation")  # core.documents.access.RESULT_KINDS lists them too
TEMPLATE = "outcome_document.html"


def spec_for(cert: Certification, outcome: str | None) -> dict[str, Any] | None:
    """The plugin's declaration of the document ``outcome`` issues, or ``None``."""
    for spec in cert.extra.get("outcome_documents") or ():
        if spec.get("outcome") == outcome and spec.get("kind") in KINDS:
            return dict(spec)
    return None


def context(candidate: SessionCandidate, cert: Certification, spec: dict[str, Any], *, verify_url: str,
            issued_at) -> dict[str, Any]:
    from core.jury.services import grid_of

    decision = candidate.decision
    grid = grid_of(cert)
    base = documents.certificate_context(candidate, cert, verify_url=verify_url, issued_at=issued_at)
    return {**base, "decision": decision, "doc_title": spec["title"], "kind": spec["kind"],
            "outcome_label": outcomes.outcome_label(grid, decision.outcome),
            "category": outcomes.category(grid, decision.outcome),
            "validated_blocks": [b for b in cert.blocks if b.code in (decision.validated_blocks or [])],
            "session_date": candidate.starts_at or candidate.session.starts_at}


def issue(candidate: SessionCandidate, cert: Certification, spec: dict[str, Any], actor: User, work):
    """Render and seal the document ``spec`` describes; a Document of the candidate's dossier."""
    from core.utils import absolute_url

    now = utcnow()
    dossier = candidate.dossier
    title = f"{spec['title']} – {cert.code} – {dossier.candidate.full_name}"
    ctx = context(candidate, cert, spec, verify_url=absolute_url("verify.page"), issued_at=now)
    templates = [f"{cert.plugin}/{spec['template']}"] if cert.plugin and spec.get("template") else []
    pdf = _render([*templates, f"pv/{TEMPLATE}"], ctx, title=title, author=ctx["certifier"], created=now)
    prefix = spec.get("filename") or spec["kind"].replace("_", "-")
    issued = sealing.issue_document(
        pdf, dossier=dossier, kind=spec["kind"], title=title, commit=False, actor_id=actor.id,
        filename=f"{prefix}-{cert.code}-{dossier.reference or dossier.id}.pdf",
        organisation=candidate.session.organisation, reason=f"{spec['title']} {cert.code}")
    work.new_keys.append(issued.storage_key)
    return issued


def _render(templates: list[str], ctx: dict[str, Any], **meta) -> bytes:
    from core.documents.services import render_pdf

    return render_pdf(templates, ctx, **meta)


def mail(candidate: SessionCandidate, cert: Certification, spec: dict[str, Any], actor: User,
         work) -> dict[str, Any]:
    """Issue the document and the e-mail that carries it (sent after the commit)."""
    from core.pv.services import read_bytes
    from core.utils import absolute_url

    issued = issue(candidate, cert, spec, actor, work)
    dossier = candidate.dossier
    text = render_template("pv/email/outcome_document.txt", cert=cert, dossier=dossier, candidate=dossier.candidate,
                           doc_title=spec["title"], outcome_label=outcomes.outcome_label(
                               _grid(cert), candidate.decision.outcome),
                           link=absolute_url("dossiers.overview", dossier_id=dossier.id),
                           verify_link=absolute_url("verify.page"))
    return {"to": dossier.candidate.email, "text": text,
            "subject": _("Décision du jury : %(title)s – %(code)s", title=spec["title"], code=cert.code),
            "attachments": [(issued.filename, "application/pdf", read_bytes(issued.storage_key))]}


def _grid(cert: Certification):
    from core.jury.services import grid_of

    return grid_of(cert)
