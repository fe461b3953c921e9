"""Sign-up, e-mail verification, sign-in, sign-out and password reset.

The account page (profile, password change, sessions, API tokens) is in
:mod:`core.auth.account`.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from core.auth import services
from core.auth.blueprint import blueprint
from core.auth.limits import PASSWORD_RESET, RESEND_VERIFICATION, SIGN_IN, login_limit, shared_login_limits
from core.auth.forms import EmailForm, LoginForm, RegisterForm, ResetPasswordForm
from core.auth.models import Role, User
from core.auth.sessions import end_login_session, enforce_login_session, start_login_session
from core.errors import UserError, error_response, wants_json
from core.extensions import db, limiter, login_manager

GENERIC_LOGIN_ERROR = services.GENERIC_LOGIN_ERROR

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Veuillez vous connecter pour accéder à cette page.")
login_manager.login_message_category = "warning"
login_manager.session_protection = "strong"

blueprint.before_app_request(enforce_login_session)


@login_manager.user_loader
def load_user(user_id: str):
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


@login_manager.unauthorized_handler
def unauthorized():
    message = str(login_manager.login_message)
    if wants_json():
        return error_response(401, "unauthorized", message)
    flash(message, login_manager.login_message_category)
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target if request.method == "GET" else None))


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def safe_next(target: str | None) -> str | None:
    """``target`` if it is a same-site relative path, else ``None`` (no open redirect)."""
    if not target or not isinstance(target, str):
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example"
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _render(template: str, status: int = 200, **context):
    return render_template(template, **context), status


# --------------------------------------------------------------------------
# sign-up and e-mail verification
# --------------------------------------------------------------------------

@blueprint.route("/inscription", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return _render("auth/register.html", 422 if form.is_submitted() else 200, form=form)

    email = form.email.normalised
    if services.find_user_by_email(email) is not None:
        form.email.errors.append(_("Un compte existe déjà avec cette adresse électronique. "
                                   "Connectez-vous ou utilisez « Mot de passe oublié »."))
        return _render("auth/register.html", 422, form=form, email_taken=True)
    try:
        user = services.create_user(email=email, password=form.password.data, role=Role.CANDIDATE,
                                    first_name=form.first_name.data, last_name=form.last_name.data,
                                    min_password_length=current_app.config["PASSWORD_MIN_LENGTH"])
        db.session.commit()
    except (IntegrityError, UserError) as exc:
        db.session.rollback()
        field = form.email
        if isinstance(exc, UserError) and isinstance(exc.details, dict) and "password" in exc.details:
            field = form.password
        field.errors.append(str(exc) if isinstance(exc, UserError) else
                            _("Un compte existe déjà avec cette adresse électronique."))
        return _render("auth/register.html", 422, form=form, email_taken=field is form.email)
    services.send_verification_email(user)
    session["pending_email"] = user.email
    return redirect(url_for("auth.check_inbox"))


@blueprint.get("/inscription/courriel-envoye")
def check_inbox():
    return render_template("auth/check_inbox.html", email=session.get("pending_email"))


@blueprint.get("/conditions-utilisation")
def terms():
    return render_template("auth/terms.html")


@blueprint.get("/verification/<token>")
def verify_email(token: str):
    user, newly_confirmed = services.confirm_email(token)
    if user is None:
        return _render("auth/verify_failed.html", 400, form=EmailForm())
    if newly_confirmed:
        flash(_("Votre adresse électronique est confirmée. Vous pouvez maintenant vous connecter."), "success")
    else:
        flash(_("Votre adresse électronique était déjà confirmée."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login"))


@blueprint.route("/verification/renvoyer", methods=["GET", "POST"])
@shared_login_limits(RESEND_VERIFICATION)  # counters shared with POST /api/v1/accounts/verification/resend
def resend_verification():
    form = EmailForm()
    if not form.validate_on_submit():
        return _render("auth/resend.html", 422 if form.is_submitted() else 200, form=form)
    services.resend_verification(form.email.normalised)
    # Same answer whether the address has an account or not.
    session["pending_email"] = form.email.normalised
    flash(_("Si un compte en attente de confirmation existe pour cette adresse, "
            "un nouveau lien vient de lui être envoyé."), "success")
    return redirect(url_for("auth.check_inbox"))


# --------------------------------------------------------------------------
# sign-in, sign-out
# --------------------------------------------------------------------------

@blueprint.route("/connexion", methods=["GET", "POST"])
@shared_login_limits(SIGN_IN)  # counters shared with POST /api/v1/tokens
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("dashboard.index"))
    if not form.validate_on_submit():
        return _render("auth/login.html", 422 if form.is_submitted() else 200, form=form)

    outcome, user = services.authenticate(form.email.data, form.password.data)
    db.session.commit()  # a password hash may have been upgraded
    if outcome is services.LoginOutcome.UNVERIFIED:
        resend = EmailForm(formdata=None, email=user.email)
        return _render("auth/login.html", 403, form=form, unverified=True, resend_form=resend)
    if outcome is not services.LoginOutcome.OK:
        form.form_errors.append(str(GENERIC_LOGIN_ERROR))
        return _render("auth/login.html", 422, form=form)

    start_login_session(user)
    flash(_("Vous êtes connecté."), "success")
    return redirect(safe_next(form.next.data) or url_for("dashboard.index"))


@blueprint.post("/deconnexion")
def logout():
    was_signed_in = current_user.is_authenticated
    end_login_session()
    if was_signed_in:
        flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("certifications.home"))


# --------------------------------------------------------------------------
# password reset
# --------------------------------------------------------------------------

@blueprint.route("/mot-de-passe/oublie", methods=["GET", "POST"])
@shared_login_limits(PASSWORD_RESET)  # counters shared with POST /api/v1/accounts/password-reset
def forgot_password():
    form = EmailForm()
    if not form.validate_on_submit():
        return _render("auth/forgot.html", 422 if form.is_submitted() else 200, form=form)
    services.request_password_reset(form.email.normalised)
    return render_template("auth/forgot_sent.html", email=form.email.normalised)


@blueprint.route("/mot-de-passe/reinitialiser/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_from_reset_token(token)
    if user is None:
        return _render("auth/reset_failed.html", 400)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _render("auth/reset.html", 422 if form.is_submitted() else 200, form=form, token=token)
    services.reset_password(user, form.password.data)  # also confirms the address, signs out every session
    if current_user.is_authenticated:
        end_login_session()
    flash(_("Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe."), "success")
    return redirect(url_for("auth.login"))


from core.auth import account  # noqa: E402,F401  (registers the account routes)
