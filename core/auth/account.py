"""The account page: profile (names, language), password change, signed-in sessions, API tokens, and the
person's data (download, rectification, erasure: :mod:`core.privacy.views_rights`)."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api.models import ApiToken
from core.api.services import issue_token
from core.auth import attempts, services
from core.auth.blueprint import blueprint
from core.auth.forms import ChangePasswordForm, ConfirmForm, TokenForm
from core.auth.models import utcnow
from core.auth.sessions import active_sessions, aware, revoke_user_sessions
from core.errors import NotFound, UserError
from core.extensions import db


def _user_tokens():
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id,
                                                       ApiToken.revoked_at.is_(None))
                                .order_by(ApiToken.created_at.desc())).all()
    now = utcnow()
    return [(token, token.expires_at is not None and aware(token.expires_at) <= now) for token in tokens]


def _profile_form(formdata=None):
    from core.i18n import current_language
    from core.privacy.forms_rights import ProfileForm

    if formdata is None:
        form = ProfileForm(formdata=None, data={"first_name": current_user.first_name,
                                                "last_name": current_user.last_name,
                                                "language": current_user.locale or current_language()})
    else:
        form = ProfileForm()
    return form.prepare(current_app.config["LANGUAGES"])


def _render_account(*, password_form=None, token_form=None, new_token=None, profile_form=None, status=200):
    current = getattr(g, "login_session", None)
    context = {
        "user": current_user,
        "profile_form": profile_form or _profile_form(),
        "password_form": password_form or ChangePasswordForm(formdata=None),
        "token_form": token_form or TokenForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "sessions": active_sessions(current_user),
        "current_session_id": current.id if current is not None else None,
        "tokens": _user_tokens(),
        "new_token": new_token,
    }
    return render_template("auth/account.html", **context), status


@blueprint.get("/compte")
@login_required
def account():
    return _render_account()


@blueprint.post("/compte/profil")
@login_required
def update_profile():
    """Rectify the account's names and choose its language (``PATCH /api/v1/me``)."""
    from core.privacy.self_service import update_profile as update

    form = _profile_form(formdata=True)
    if not form.validate_on_submit():
        return _render_account(profile_form=form, status=422)
    try:
        changed = update(current_user, first_name=form.first_name.data, last_name=form.last_name.data,
                         language=form.language.data)
    except UserError as exc:
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        for key, messages in details.items():
            getattr(form, key, form.first_name).errors.extend(str(m) for m in messages)
        return _render_account(profile_form=form, status=exc.status)
    db.session.commit()
    if "locale" in changed:
        from flask import session

        session["lang"] = current_user.locale  # this browser follows the account's new language at once
    flash(_("Votre profil est enregistré.") if changed else _("Aucune modification : votre profil était déjà à "
                                                               "jour."), "success")
    return redirect(url_for("auth.account") + "#profil")


@blueprint.post("/compte/mot-de-passe")
@login_required
def change_password():
    form = ChangePasswordForm()
    revoked = None
    if form.validate_on_submit():
        try:  # wrong current passwords are counted and limited (core.auth.attempts)
            revoked = services.change_password(current_user, form.current_password.data, form.password.data,
                                               keep=getattr(g, "login_session", None))
        except UserError as exc:
            fields = {"current_password": form.current_password, "new_password": form.password}
            details = exc.details if isinstance(exc.details, dict) else {}
            for key, messages in details.items():
                fields.get(key, form.password).errors.extend(str(m) for m in messages)
            if not details:
                form.password.errors.append(str(exc))
    if revoked is None:
        return _render_account(password_form=form, status=attempts.status_or(422))
    message = _("Votre mot de passe a été modifié.")
    if revoked:
        message += " " + _("Vos autres sessions ont été déconnectées.")
    flash(message, "success")
    return redirect(url_for("auth.account"))


@blueprint.post("/compte/sessions/deconnecter-autres")
@login_required
def revoke_other_sessions():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_account(status=400)
    count = revoke_user_sessions(current_user, keep=getattr(g, "login_session", None))
    db.session.commit()
    flash(_("Autres sessions déconnectées : %(n)d.", n=count), "success")
    return redirect(url_for("auth.account") + "#sessions")


@blueprint.post("/compte/jetons")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _render_account(token_form=form, status=422)
    days = int(form.validity.data) or None
    secret, token = issue_token(current_user, name=form.name.data.strip(), days=days)
    db.session.commit()
    # Shown once, in this response only (never stored in the session or the database).
    return _render_account(new_token={"secret": secret, "name": token.name}, status=201)


@blueprint.post("/compte/jetons/<int:token_id>/revoquer")
@login_required
def revoke_token(token_id: int):
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    if token is None:
        raise NotFound(_("Ce jeton n'existe pas."))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_account(status=400)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    flash(_("Le jeton « %(name)s » est révoqué.", name=token.name or token.hint), "success")
    return redirect(url_for("auth.account") + "#jetons")
