"""Account services: password hashing (argon2), creation, look-up, sign-up,
sign-in checks, signed e-mail links (verification, password reset) and account e-mails."""
from __future__ import annotations

import enum
import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.utils import absolute_url
from core.auth.models import LoginSession, Organisation, Role, User, utcnow
from core.auth.sessions import revoke_user_sessions
from core.errors import Forbidden, Unauthorized, UserError, ValidationFailed
from core.extensions import db
from core.mail import send_mail

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(_("L'adresse électronique n'est pas valide."), details={"email": [_("Adresse invalide.")]})


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def password_problems(password: str, min_length: int) -> list[str]:
    problems = []
    if len(password) < min_length:
        problems.append(_("Le mot de passe doit contenir au moins %(n)d caractères.", n=min_length))
    if password.strip() != password or not password.strip():
        problems.append(_("Le mot de passe ne doit pas commencer ni finir par une espace."))
    return problems


def get_or_create_organisation(slug_or_name: str) -> Organisation:
    from core.utils import slugify

    slug = slugify(slug_or_name)
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(name=slug_or_name, slug=slug)
        db.session.add(org)
        db.session.flush()
    return org


def create_user(*, email: str, password: str, role: Role | str, first_name: str = "", last_name: str = "",
                organisation: Organisation | None = None, verified: bool = False,
                min_password_length: int = 12) -> User:
    """Create an account. Raises :class:`UserError` with a French message on bad input."""
    role = Role(role)
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise UserError(_("Un compte existe déjà avec cette adresse électronique."), code="email_taken",
                        details={"email": [_("Adresse déjà utilisée.")]})
    problems = password_problems(password, min_password_length)
    if problems:
        raise ValidationFailed(problems[0], details={"password": problems})
    if role.needs_organisation and organisation is None:
        raise ValidationFailed(_("Ce rôle doit être rattaché à un organisme certificateur."),
                               details={"organisation": [_("Organisme requis pour ce rôle.")]})
    user = User(email=email, password_hash=hash_password(password), role=role,
                first_name=first_name.strip(), last_name=last_name.strip(), organisation=organisation,
                email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    db.session.flush()
    return user


# --------------------------------------------------------------------------
# Sign-in
# --------------------------------------------------------------------------

_DUMMY_HASH: str | None = None


def _burn_password_check(password: str) -> None:
    """Spend the time of a real check, so that an unknown address answers as slowly as a known one."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("livret-dummy-password-for-timing")
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        pass


GENERIC_LOGIN_ERROR = _l("Adresse électronique ou mot de passe incorrect.")
UNVERIFIED_LOGIN_ERROR = _l("Votre adresse électronique n'est pas encore confirmée. Ouvrez le lien reçu par "
                            "courriel lors de votre inscription, ou demandez un nouveau lien.")


class LoginOutcome(str, enum.Enum):
    OK = "ok"
    INVALID = "invalid"          # unknown address, wrong password or inactive account: one generic answer
    UNVERIFIED = "unverified"    # right password, address not confirmed yet


def authenticate(email: str, password: str) -> tuple[LoginOutcome, User | None]:
    """Check an e-mail/password pair. The outcome never tells an unknown address from a wrong password."""
    user = find_user_by_email(email or "")
    if user is None:
        _burn_password_check(password or "")
        return LoginOutcome.INVALID, None
    if not check_password(user, password or ""):
        return LoginOutcome.INVALID, None
    if not user.is_active:
        return LoginOutcome.INVALID, None
    if not user.is_verified:
        return LoginOutcome.UNVERIFIED, user
    return LoginOutcome.OK, user


def sign_in(email: str, password: str) -> User:
    """The account an e-mail/password pair signs in, with the sign-in page's answers as errors.

    A wrong password, an unknown address and a deactivated account are one
    :class:`Unauthorized` (401, ``invalid_credentials``, the page's generic
    message); the right password of an unconfirmed address is :class:`Forbidden`
    (403, ``email_not_verified``). Commits (a password hash may have been upgraded).
    """
    outcome, user = authenticate(email, password)
    db.session.commit()
    if outcome is LoginOutcome.UNVERIFIED:
        raise Forbidden(str(UNVERIFIED_LOGIN_ERROR), code="email_not_verified")
    if outcome is not LoginOutcome.OK or user is None:
        raise Unauthorized(str(GENERIC_LOGIN_ERROR), code="invalid_credentials")
    return user


# --------------------------------------------------------------------------
# Signed tokens for e-mail links (itsdangerous)
# --------------------------------------------------------------------------

VERIFY_SALT = "livret.auth.verify-email"
RESET_SALT = "livret.auth.reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    # Bound to the current hash: once the password changes, older reset links stop working.
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:32]


def make_verification_token(user: User) -> str:
    return _serializer(VERIFY_SALT).dumps({"u": user.id, "e": user.email})


def user_from_verification_token(token: str) -> User | None:
    """The user whose address the token confirms; ``None`` if the token is invalid, expired or stale."""
    max_age = current_app.config["EMAIL_TOKEN_HOURS"] * 3600
    try:
        data = _serializer(VERIFY_SALT).loads(token, max_age=max_age)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e"):
        return None
    return user


def make_reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_from_reset_token(token: str) -> User | None:
    """The user a reset link was made for; ``None`` if invalid, expired or already used."""
    max_age = current_app.config["RESET_TOKEN_MINUTES"] * 60
    try:
        data = _serializer(RESET_SALT).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(data.get("p", "")), _password_fingerprint(user)):
        return None
    return user



# --------------------------------------------------------------------------
# E-mails
# --------------------------------------------------------------------------

def send_verification_email(user: User) -> None:
    link = absolute_url("auth.verify_email", token=make_verification_token(user))
    send_mail(user.email, _("Confirmez votre adresse électronique – Livret"),
              render_template("auth/email/verify.txt", user=user, link=link,
                              hours=current_app.config["EMAIL_TOKEN_HOURS"]))


def send_signup_attempt_email(user: User) -> None:
    link = absolute_url("auth.forgot_password")
    send_mail(user.email, _("Tentative d'inscription avec votre adresse – Livret"),
              render_template("auth/email/signup_attempt.txt", user=user, link=link,
                              login_link=absolute_url("auth.login")))


def send_reset_email(user: User) -> None:
    link = absolute_url("auth.reset_password", token=make_reset_token(user))
    send_mail(user.email, _("Réinitialisation de votre mot de passe – Livret"),
              render_template("auth/email/reset.txt", user=user, link=link,
                              minutes=current_app.config["RESET_TOKEN_MINUTES"]))


def send_password_changed_email(user: User) -> None:
    send_mail(user.email, _("Votre mot de passe a été modifié – Livret"),
              render_template("auth/email/password_changed.txt", user=user,
                              link=absolute_url("auth.forgot_password")))


# --------------------------------------------------------------------------
# Sign-up, verification, password changes
# --------------------------------------------------------------------------

def _clean_name(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_("Indiquez votre %(label)s.", label=label), details={field: [_("Champ obligatoire.")]})
    if len(text) > 100:
        raise ValidationFailed(_("Ce champ ne doit pas dépasser 100 caractères."),
                               details={field: [_("100 caractères au maximum.")]})
    return text


def register_candidate(*, email: str, password: str, first_name: str, last_name: str) -> User | None:
    """Create an unverified candidate account and send the verification e-mail.

    Safe for endpoints that must not reveal which addresses have an account:
    when the address is taken, nothing is created, ``None`` is returned and the
    owner of the address receives an e-mail telling them that someone tried to
    sign up with it (with a password-reset link). Bad input raises
    :class:`ValidationFailed` with French messages, the same for both cases.
    The new account is committed before its e-mail is queued.
    """
    first = _clean_name(first_name, "first_name", _("prénom"))
    last = _clean_name(last_name, "last_name", _("nom"))
    normalised = normalise_email(email or "")
    problems = password_problems(password or "", current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise ValidationFailed(problems[0], details={"password": problems})

    existing = find_user_by_email(normalised)
    if existing is None:
        try:
            user = create_user(email=normalised, password=password, role=Role.CANDIDATE, first_name=first,
                               last_name=last, min_password_length=current_app.config["PASSWORD_MIN_LENGTH"])
            db.session.commit()
        except (IntegrityError, UserError):
            # Lost a race against another sign-up with the same address.
            db.session.rollback()
            existing = find_user_by_email(normalised)
            if existing is None:
                raise
        else:
            send_verification_email(user)
            return user
    hash_password(password)  # same work as a real sign-up
    send_signup_attempt_email(existing)
    return None


def mark_verified(user: User) -> bool:
    """Confirm the address. Returns ``False`` if it was already confirmed."""
    if user.email_verified_at is not None:
        return False
    user.email_verified_at = utcnow()
    return True


def set_password(user: User, new_password: str) -> None:
    problems = password_problems(new_password, current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise ValidationFailed(problems[0], details={"password": problems})
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()


# --------------------------------------------------------------------------
# The account's actions, shared by the pages (core.auth.views, core.auth.account)
# and the API (core.auth.api, core.auth.api_password, core.api.views)
# --------------------------------------------------------------------------

def confirm_email(token: str) -> tuple[User | None, bool]:
    """Confirm the address an e-mailed verification token names (committed).

    Returns ``(user, newly_confirmed)``; ``(None, False)`` when the token is
    invalid, expired or no longer matches the account's address.
    """
    user = user_from_verification_token(token)
    if user is None:
        return None, False
    newly = mark_verified(user)
    if newly:
        db.session.commit()
    return user, newly


def resend_verification(email: str) -> None:
    """Send a new verification link if ``email`` is an active, unconfirmed account; nothing otherwise.

    Callers answer the same whatever happened: the answer must not tell which addresses have an account.
    """
    user = find_user_by_email(email)
    if user is not None and user.is_active and not user.is_verified:
        send_verification_email(user)


def request_password_reset(email: str) -> None:
    """E-mail a reset link if ``email`` is an active account; nothing otherwise (same answer for callers)."""
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        send_reset_email(user)


def _record_password_change(user: User, method: str, sessions_revoked: int) -> None:
    from core.audit.services import record

    record("account.password_changed", "user", user.id, actor_id=user.id,
           payload={"method": method, "sessions_revoked": sessions_revoked})


def reset_password(user: User, new_password: str) -> int:
    """Set the password chosen through a reset link (committed), then e-mail the owner.

    The address is confirmed (the link reached the mailbox) and every browser
    session of the account is signed out; API tokens stay valid (they are
    revoked one by one, from the account page or the API). Returns the number
    of sessions signed out. Bad passwords raise :class:`ValidationFailed`.
    """
    set_password(user, new_password)
    mark_verified(user)
    revoked = revoke_user_sessions(user)
    _record_password_change(user, "reset", revoked)
    db.session.commit()
    send_password_changed_email(user)
    return revoked


def change_password(user: User, current_password: str, new_password: str, *,
                    keep: LoginSession | None = None) -> int:
    """Change the password of a signed-in account (committed), then e-mail the owner.

    The new password must follow the rules (``details["new_password"]``) and
    differ from the current one; the current password is checked under the
    limits of :mod:`core.auth.attempts` (``REAUTH_RATE_LIMIT``: a wrong one is
    counted, ``details["current_password"]``; too many give
    :class:`~core.auth.attempts.TooManyAttempts`, 429). Every browser session
    but ``keep`` is signed out; API tokens stay valid. Returns the number of
    sessions signed out. Nothing is written when a check fails.
    """
    from core.auth import attempts

    problems = password_problems(new_password, current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise ValidationFailed(problems[0], details={"new_password": problems})
    attempts.check(user, field_name="current_password")
    if not check_password(user, current_password):
        attempts.failed(user)
        message = _("Le mot de passe actuel est incorrect.")
        raise ValidationFailed(message, details={"current_password": [message]})
    if new_password == current_password:
        message = _("Choisissez un mot de passe différent de l'actuel.")
        raise ValidationFailed(message, details={"new_password": [message]})
    set_password(user, new_password)
    revoked = revoke_user_sessions(user, keep=keep)
    _record_password_change(user, "change", revoked)
    db.session.commit()
    send_password_changed_email(user)
    return revoked


def set_language(user: User, language: str) -> None:
    """Store the account's language (one of ``LANGUAGES``); the caller commits.

    Pages use it when the browser has not chosen one itself (:func:`core.i18n.select_locale`),
    and so does the API when the request has no ``Accept-Language`` header.
    """
    languages = tuple(current_app.config["LANGUAGES"])
    if language not in languages:
        message = _("Langue non proposée. Valeurs possibles : %(choices)s.", choices=", ".join(languages))
        raise ValidationFailed(message, details={"language": [message]})
    user.locale = language
