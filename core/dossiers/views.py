"""Candidate pages: open a dossier, fill each section (drafts kept), check, submit."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.certifications.services import get_certification
from core.csrf import restored_formdata
from core.dossiers import memo, services
from core.dossiers.blueprint import blueprint
from core.dossiers.models import DossierStatus
from core.dossiers.routes import document_name
from core.dossiers.sections import DELIVERABLES, FORM
from core.errors import Conflict, UserError, ValidationFailed
from core.extensions import db

blueprint.add_app_template_global(document_name, "document_name")


@blueprint.post("/nouveau")
@login_required
def create():
    raw_org = request.form.get("organisation_id", "").strip()
    organisation_id = int(raw_org) if raw_org.isdigit() and len(raw_org) < 10 else (-1 if raw_org else None)
    try:
        dossier = services.create_dossier(current_user, request.form.get("certification", ""),
                                          organisation_id=organisation_id, route=request.form.get("route") or None,
                                          block=request.form.get("block") or None)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("dashboard.index", _anchor="choisir"))
    except Conflict as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        existing = (exc.details or {}).get("dossier_id")
        return redirect(url_for("dossiers.overview", dossier_id=existing) if existing else url_for("dashboard.index"))
    db.session.commit()
    flash(_("Votre dossier %(ref)s est ouvert. Vous pouvez le remplir section par section : chaque section "
            "s'enregistre comme brouillon.", ref=dossier.reference), "success")
    return redirect(url_for("dossiers.overview", dossier_id=dossier.id))


@blueprint.get("/<int:dossier_id>")
@login_required
def overview(dossier_id: int):
    return _overview_page(services.get_dossier_for(current_user, dossier_id, options=services.PAGE_LOADS))


def _overview_page(dossier, submit_error: str | None = None) -> str:
    """The dossier's page; ``submit_error``: why « Signer et déposer » was refused (shown at the password)."""
    cert = get_certification(dossier.certification_code)
    from core.dossiers.routes import block_oral_of, route_of
    from core.fees.services import certification_fee

    states = services.progress(dossier, cert)
    coverage = services.coverage(dossier, cert)
    found = services.problems(dossier, cert, states=states, coverage_rows=coverage) if dossier.editable else []
    return render_template(
        "dossiers/overview.html", dossier=dossier, cert=cert, states=states,
        route=route_of(dossier, cert), block_oral=block_oral_of(dossier, cert), fee=certification_fee(dossier),
        declares=any(s.key == "declaration_honneur" for s in services.sections_for(cert, dossier)),
        problems=[p for p in found if p.blocking], warnings=[p for p in found if not p.blocking],
        coverage=coverage, is_owner=dossier.candidate_id == current_user.id,
        documents=services.documents_of(dossier), submit_error=submit_error,
        can_review=services.can_review(current_user, dossier) and dossier.status is not DossierStatus.DRAFT)


@blueprint.route("/<int:dossier_id>/sections/<key>", methods=["GET", "POST"])
@login_required
def section(dossier_id: int, key: str):
    dossier = services.get_dossier_for(current_user, dossier_id)
    cert = get_certification(dossier.certification_code)
    spec = services.section_spec(cert, key, dossier)
    if spec.kind == DELIVERABLES:  # its own page (the browser keeps the #livrable-E3 of the link)
        return redirect(url_for("annexes.deliverables_page", dossier_id=dossier.id))
    if spec.kind != FORM:
        return redirect(url_for("dossiers.overview", dossier_id=dossier.id) + f"#section-{spec.key}")
    # a save reads the draft itself (save_section): read here only to show it
    draft = services.draft_of(dossier, key) if request.method != "POST" else None
    can_edit = dossier.editable and dossier.candidate_id == current_user.id
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Conflict(_("Ce dossier ne peut plus être modifié."), code="dossier_locked")
        form = services.build_form(spec, cert, formdata=request.form)
        form.validate_draft()  # type-level problems are shown, what was typed is kept
        try:
            raw_revision = (request.form.get("revision") or "0").strip()
            if not (raw_revision.isascii() and raw_revision.isdigit() and len(raw_revision) <= 9):
                raise UserError(_("Révision invalide : rechargez la page avant d'enregistrer."),
                                code="invalid_revision")
            expected = int(raw_revision) or None
            draft = services.save_section(dossier, spec, form, actor=current_user, cert=cert,
                                          expected_revision=expected)
            db.session.commit()
        except UserError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("dossiers/section.html", dossier=dossier, cert=cert, spec=spec, form=form,
                                   draft=services.draft_of(dossier, key), can_edit=can_edit), exc.status
        if form.pending_action:
            return render_template("dossiers/section.html", dossier=dossier, cert=cert, spec=spec, form=form,
                                   draft=draft, can_edit=can_edit)
        if request.form.get("action") == "complete":
            if form.validate():
                flash(_("Section « %(t)s » complète et enregistrée.", t=spec.title), "success")
                return redirect(url_for("dossiers.overview", dossier_id=dossier.id))
            flash(_("Brouillon enregistré. Certains champs sont à corriger avant que la section soit complète."),
                  "warning")
            status = 422
        elif form.errors:
            flash(_("Brouillon enregistré. Certaines valeurs sont à corriger."), "warning")
            status = 422
        else:
            flash(_("Brouillon enregistré."), "success")
            # the id of the URL: the dossier, expired by the commit, is not read again for it
            return redirect(url_for("dossiers.section", dossier_id=dossier_id, key=key))
    elif (restored := restored_formdata()) is not None:  # a refused token: what was typed, not the draft
        form = services.build_form(spec, cert, formdata=restored)
        form.validate_draft()
    else:  # the saved draft as the page shows it, kept per revision (core.dossiers.memo)
        form = memo.remembered(memo.identity("section-page", cert, spec, dossier, draft),
                               lambda: _rendered_draft(spec, cert, draft), lambda rendered: rendered.size)
    return render_template("dossiers/section.html", dossier=dossier, cert=cert, spec=spec, form=form,
                           draft=draft, can_edit=can_edit), status


def _rendered_draft(spec, cert, draft) -> memo.RenderedSection:
    form = services.build_form(spec, cert, data=draft.data if draft else {})
    if draft is not None and draft.data:
        form.validate_draft()
    return memo.RenderedSection(form, heading_level=1, title_in_page=True)


@blueprint.post("/<int:dossier_id>/deposer")
@login_required
def submit(dossier_id: int):
    from core.dossiers.submission import submit_and_seal

    dossier = services.get_dossier_for(current_user, dossier_id, write=True)
    try:
        version, _documents = submit_and_seal(dossier, actor=current_user, password=request.form.get("password", ""))
    except UserError as exc:
        # the page comes back with the reason beside the password field, which gets the focus
        db.session.rollback()
        flash(str(exc), "error")
        return _overview_page(dossier, submit_error=str(exc)), exc.status
    if version.documents_pending:
        flash(_("Votre dossier est déposé (version %(n)d). Son scellement se termine : l'accusé de réception vous "
                "sera envoyé par courriel dès qu'il sera prêt.", n=version.number), "success")
    else:
        flash(_("Votre dossier est déposé (version %(n)d). Un accusé de réception vous a été envoyé par courriel.",
                n=version.number), "success")
    return redirect(url_for("dossiers.overview", dossier_id=dossier.id))


@blueprint.get("/<int:dossier_id>/scellement")
@login_required
def sealing_progress(dossier_id: int):
    """The page's script follows a deferred submission's documents here (JSON, same figures as the API)."""
    from flask import jsonify

    from core.dossiers.schemas import SubmissionSealingSchema
    from core.dossiers.submission_queue import progress

    response = jsonify(SubmissionSealingSchema().dump(progress(services.get_dossier_for(current_user, dossier_id))))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/<int:dossier_id>/apercu.pdf")
@login_required
def preview(dossier_id: int):
    """The Livret 2 the candidate is about to sign, unsigned and marked as a preview (owner only)."""
    from core.dossiers.submission import preview_response

    dossier = services.get_dossier_for(current_user, dossier_id, write=True)
    return preview_response(dossier)


@blueprint.get("/<int:dossier_id>/documents/<int:document_id>")
@login_required
def document(dossier_id: int, document_id: int):
    """Download an issued document (attachment, nosniff, no-store; verified against its SHA-256; audited)."""
    from core.downloads import document_response
    from core.policy import require

    dossier = services.get_dossier_for(current_user, dossier_id)
    doc = services.document_of(dossier, document_id)
    require(current_user, "document.view", doc, code="document_not_found")
    return document_response(doc, actor_id=current_user.id)
