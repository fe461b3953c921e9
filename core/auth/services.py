"""Account services: password hashing (argon2), creation, look-up."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.auth.models import Organisation, Role, User, utcnow
from core.errors import UserError, ValidationFailed
from core.extensions import db

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
