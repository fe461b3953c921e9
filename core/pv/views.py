"""Pages of the procès-verbal: the session's documents, generation, signatures, correction, reading."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from core.auth import attempts
from core.errors import UserError
from core.extensions import db, limiter
from core.jury.services import certification_of, get_session_for, grid_of, manages
from core.policy import require
from core.pv import committee, generation, services, stages
from core.pv.blueprint import blueprint
from core.pv.forms import CorrectionForm, GenerateForm, SignAllForm
from core.sealing.forms import confirm_identity


def _signing_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def optional_url(endpoint: str, **values) -> str | None:
    """A link to another area's page, or ``None`` when that page does not exist."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@blueprint.app_template_global("documents_to_sign")
def documents_to_sign(user) -> list[tuple]:
    """``(session, number of documents)`` awaiting ``user``'s signature now, for their dashboard."""
    from core.jury.services import sessions_of

    rows = []
    for session in sessions_of(user):
        waiting = services.awaiting(session, user)
        if waiting:
            rows.append((session, len(waiting)))
    return rows


@blueprint.app_template_global("pv_progress")
def pv_progress(session) -> dict:
    """The PV's three stages and its transmission to the quality committee, for the session page."""
    return {"stages": stages.stages(session), "committee": committee.status(session)}


def sealing_progress_of(session) -> dict:
    from core.pv.sealing import progress

    return progress(session)


def title_of(doc) -> str:
    if doc.kind == services.PV:
        if doc.number > 1:
            return _("Procès-verbal rectificatif n° %(n)d", n=doc.number)
        return _("Procès-verbal n° %(n)d", n=doc.number)
    name = doc.candidate.dossier.candidate.full_name if doc.candidate else ""
    if doc.number > 1:
        return _("Grille d'évaluation de %(name)s (rectificative n° %(n)d)", name=name, n=doc.number)
    return _("Grille d'évaluation de %(name)s", name=name)


def _render(session, correction_form=None, generate_errors=None, status: int = 200):
    cert = certification_of(session)
    problem = generation.state_problem(session)
    missing = generation.missing(session, grid_of(cert)) if problem is None else []
    is_manager = manages(current_user, session)
    pvs = sorted(services.documents_of(session, services.PV), key=lambda d: d.number)
    grids = services.documents_of(session, services.GRID)
    return render_template(
        "pv/session.html", session=session, cert=cert, pvs=pvs, grids=grids, signers=services.signer_rows,
        title_of=title_of, is_manager=is_manager, problem=problem, missing=missing,
        can_generate=is_manager and problem is None and not missing, generate_errors=generate_errors or [],
        waiting=services.awaiting(session, current_user), generate_form=GenerateForm(),
        correction_form=correction_form or CorrectionForm(),
        can_correct=is_manager and generation.can_start_correction(session),
        stages=stages.stages(session), committee=committee.status(session), sealing=sealing_progress_of(session),
        session_url=optional_url("sessions.show", session_id=session.id),
        deliberation_url=optional_url("deliberation.session_overview", session_id=session.id)), status


@blueprint.get("/<int:session_id>/pv")
@login_required
def overview(session_id: int):
    return _render(get_session_for(current_user, session_id))


@blueprint.post("/<int:session_id>/pv")
@login_required
@limiter.limit(_signing_limit)
def generate(session_id: int):
    session = get_session_for(current_user, session_id, manage=True)
    if not GenerateForm().validate_on_submit():
        return _render(session, status=400)
    try:
        pv, grids = generation.generate(session, current_user)
    except UserError as exc:
        db.session.rollback()
        missing = (exc.details or {}).get("missing") if isinstance(exc.details, dict) else None
        flash(_("Le procès-verbal n'a pas été généré.") if missing else str(exc), "error")
        return _render(session, generate_errors=missing or [], status=exc.status)
    flash(_("Le procès-verbal n° %(n)d et %(g)d grille(s) d'évaluation ont été générés et certifiés. Les membres du "
            "jury peuvent les signer, puis vous signerez le procès-verbal.", n=pv.number, g=len(grids)), "success")
    return redirect(url_for("pv.overview", session_id=session.id))


@blueprint.get("/<int:session_id>/pv/scellement")
@login_required
def sealing_progress(session_id: int):
    """The page's script follows the queued seals here (JSON, same figures as the API)."""
    from flask import jsonify

    from core.pv.schemas import SealingProgressSchema
    from core.pv.sealing import progress

    response = jsonify(SealingProgressSchema().dump(progress(get_session_for(current_user, session_id))))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/<int:session_id>/pv/scellement")
@login_required
def retry_sealing(session_id: int):
    from core.pv.sealing import retry

    session = get_session_for(current_user, session_id, manage=True)
    if not GenerateForm().validate_on_submit():
        return _render(session, status=400)
    count = retry(session, current_user)
    if count:
        flash(ngettext("Le scellement de %(num)d document a été relancé.",
                       "Le scellement de %(num)d documents a été relancé.", count), "success")
    else:
        flash(_("Aucun document n'attend son cachet."), "info")
    return redirect(url_for("pv.overview", session_id=session.id))


@blueprint.get("/<int:session_id>/pv/projet")
@login_required
def draft(session_id: int):
    from core.pv.api_committee import draft_response

    return draft_response(get_session_for(current_user, session_id), inline=True)


@blueprint.post("/<int:session_id>/pv/comite-qualite")
@login_required
def resend_committee(session_id: int):
    session = get_session_for(current_user, session_id, manage=True)
    if not GenerateForm().validate_on_submit():
        return _render(session, status=400)
    try:
        state = committee.resend(session, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render(session, status=exc.status)
    if state["state"] == "queued":
        flash(_("Le procès-verbal et les grilles scellés vont être renvoyés au %(name)s.", name=state["name"]),
              "success")
    elif state["state"] == "failed":
        flash(_("L'envoi au %(name)s a de nouveau échoué : réessayez plus tard.", name=state["name"]), "error")
    else:
        flash(_("Le procès-verbal et les grilles scellés ont été renvoyés au %(name)s.", name=state["name"]),
              "success")
    return redirect(url_for("pv.overview", session_id=session.id))


@blueprint.post("/<int:session_id>/pv/correction")
@login_required
def correction(session_id: int):
    session = get_session_for(current_user, session_id, manage=True)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _render(session, correction_form=form, status=422)
    try:
        generation.start_correction(session, current_user, password=form.password.data or "",
                                    reason=form.reason.data)
    except UserError as exc:
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        target = form.password if "password" in details else form.reason
        target.errors = [*target.errors, str(exc)]
        return _render(session, correction_form=form, status=exc.status)
    flash(_("La correction est ouverte : le jury peut modifier les décisions concernées, puis vous générerez le "
            "procès-verbal rectificatif."), "success")
    return redirect(url_for("pv.overview", session_id=session.id))


def _pdf(session_id: int, document_id: int, *, inline: bool):
    from core.downloads import content_disposition

    session = get_session_for(current_user, session_id)
    doc = services.get_document(session, document_id)
    filename = services.content_of(doc).filename
    response = services.content_response(doc, current_user)
    if inline and response.status_code == 200:  # read in the browser's PDF viewer (a sandboxed response would keep it from rendering)
        response.headers["Content-Disposition"] = content_disposition(filename).replace("attachment", "inline", 1)
        response.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    return response


@blueprint.get("/<int:session_id>/documents/<int:document_id>/lire")
@login_required
def read(session_id: int, document_id: int):
    return _pdf(session_id, document_id, inline=True)


@blueprint.get("/<int:session_id>/documents/<int:document_id>/telecharger")
@login_required
def download(session_id: int, document_id: int):
    return _pdf(session_id, document_id, inline=False)


def _render_signatures(session, form, status: int = 200):
    return render_template("pv/signatures.html", session=session, form=form, title_of=title_of,
                           waiting=services.awaiting(session, current_user), signers=services.signer_rows,
                           pending=[d for d in services.documents_of(session) if d.status.value == "signing"
                                    and not services.awaits(d, current_user)]), status


@blueprint.get("/<int:session_id>/signatures")
@login_required
def signatures(session_id: int):
    session = get_session_for(current_user, session_id)
    require(current_user, "session.sign", session, reason=services.not_a_signer_reason(),
            refusal_code="not_a_signer")
    return _render_signatures(session, SignAllForm())


@blueprint.post("/<int:session_id>/signatures")
@login_required
def sign_all(session_id: int):
    session = get_session_for(current_user, session_id)
    require(current_user, "session.sign", session, reason=services.not_a_signer_reason(),
            refusal_code="not_a_signer")
    form = SignAllForm()
    waiting = services.awaiting(session, current_user)
    if not waiting:
        flash(_("Aucun document n'attend votre signature."), "warning")
        return redirect(url_for("pv.signatures", session_id=session.id))
    if not form.validate_on_submit() or not confirm_identity(form, current_user):
        return _render_signatures(session, form, status=attempts.status_or(422))  # 429: too many wrong passwords
    names = [title_of(d) for d in waiting]
    done, failed, reason = services.sign_all(session, current_user, waiting)
    if done:
        flash(_("Documents signés : %(list)s.", list=", ".join(names[:len(done)])), "success")
    if failed is not None:
        flash(_("La signature de « %(doc)s » a échoué : %(reason)s Les documents déjà signés le restent ; "
                "les suivants n'ont pas été signés. Réessayez.", doc=names[len(done)], reason=reason), "error")
        return redirect(url_for("pv.signatures", session_id=session.id))
    return redirect(url_for("pv.overview", session_id=session.id))
