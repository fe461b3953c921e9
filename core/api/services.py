"""Bearer tokens: issue, authenticate, revoke."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.api.models import ApiToken
from core.auth.models import User, utcnow
from core.extensions import db


def issue_token(user: User, *, name: str = "", days: int | None = None) -> tuple[str, ApiToken]:
    """Create a token; the secret is returned once and only its hash is stored."""
    secret = ApiToken.generate()
    token = ApiToken(user=user, name=name[:100], token_hash=ApiToken.hash(secret), hint=secret[:12],
                     expires_at=utcnow() + timedelta(days=days) if days else None)
    db.session.add(token)
    db.session.flush()
    return secret, token


def authenticate(secret: str) -> ApiToken | None:
    """The active token matching ``secret``, with an active user; ``None`` otherwise."""
    if not secret:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    expires = token.expires_at
    if expires is not None and (expires if expires.tzinfo else expires.replace(tzinfo=now.tzinfo)) <= now:
        return None
    token.last_used_at = now
    return token


def revoke_token(token_or_hint: str, *, user: User | None = None) -> int:
    """Revoke by full secret or by hint. Returns the number of tokens revoked."""
    condition = (ApiToken.token_hash == ApiToken.hash(token_or_hint)) | (ApiToken.hint == token_or_hint)
    stmt = update(ApiToken).where(condition, ApiToken.revoked_at.is_(None))
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    return db.session.execute(stmt.values(revoked_at=utcnow())).rowcount
