"""Server-side login sessions.

Each signed-in browser holds a random session id (``login_sid``) in its
signed session cookie; the database keeps only its SHA-256 in a
:class:`LoginSession` row. Every request of a signed-in browser is checked
against that row (:func:`enforce_login_session`): it must exist, belong to the
user, not be revoked, have been seen within ``SESSION_IDLE_MINUTES`` and been
created within ``SESSION_ABSOLUTE_HOURS``. Sign-out and password changes
revoke rows, so an old copy of the cookie no longer works.
"""
from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta, timezone

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from core.auth.models import LoginSession, User, utcnow
from core.extensions import db

SID_KEY = "login_sid"
LOGIN_AT_KEY = "login_at"
TOUCH_EVERY = timedelta(minutes=1)
_KEPT_ACROSS_LOGIN = ("lang",)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def _reset_cookie_session() -> None:
    """Empty the cookie session (new content, no fixation), keeping only harmless preferences."""
    kept = {key: session[key] for key in _KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)


def start_login_session(user: User) -> LoginSession:
    """Sign ``user`` in on this browser: fresh cookie session, new server-side row, Flask-Login."""
    previous = current_login_session()
    if previous is not None and previous.revoked_at is None:
        previous.revoked_at = utcnow()
    _reset_cookie_session()
    sid = secrets.token_urlsafe(32)
    row = LoginSession(user_id=user.id, sid_hash=LoginSession.hash_sid(sid),
                       ip_address=(request.remote_addr or "")[:64] or None,
                       user_agent=(request.user_agent.string or "")[:300] or None)
    db.session.add(row)
    db.session.commit()
    session[SID_KEY] = sid
    session[LOGIN_AT_KEY] = int(time.time())
    login_user(user)
    g.login_session = row
    return row


# the user comes with the row (one query per request: Flask-Login's user_loader then finds it loaded); the
# statement is built once: SQLAlchemy keeps its cache key with it instead of rebuilding both on every request
_SESSION_BY_HASH = (select(LoginSession).options(joinedload(LoginSession.user))
                    .where(LoginSession.sid_hash == bindparam("sid_hash")))


def current_login_session() -> LoginSession | None:
    sid = session.get(SID_KEY)
    if not isinstance(sid, str) or not sid:
        return None
    return db.session.scalar(_SESSION_BY_HASH, {"sid_hash": LoginSession.hash_sid(sid)})


def is_alive(row: LoginSession, now: datetime | None = None) -> bool:
    """Not revoked, not idle for too long, not older than the absolute limit."""
    now = now or utcnow()
    config = current_app.config
    if row.revoked_at is not None:
        return False
    if now - aware(row.last_seen_at) > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return False
    if now - aware(row.created_at) > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        return False
    return True


def end_login_session() -> None:
    """Sign out this browser: revoke its row, log out, empty the cookie session."""
    row = current_login_session()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    logout_user()
    _reset_cookie_session()


def revoke_user_sessions(user: User, *, keep: LoginSession | None = None) -> int:
    """Revoke every live session of ``user`` except ``keep``. Returns how many were revoked."""
    stmt = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep.id)
    return db.session.execute(stmt.values(revoked_at=utcnow()), execution_options={"synchronize_session": False}).rowcount


def active_sessions(user: User) -> list[LoginSession]:
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                         LoginSession.revoked_at.is_(None))
                              .order_by(LoginSession.last_seen_at.desc())).all()
    now = utcnow()
    return [row for row in rows if is_alive(row, now)]


def enforce_login_session():
    """``before_app_request``: refuse a signed-in cookie whose server-side session is gone or expired."""
    if request.endpoint == "static" or request.path.startswith("/static/"):
        return None
    user_id = session.get("_user_id")
    if user_id is None and SID_KEY not in session:
        return None
    row = current_login_session()
    now = utcnow()
    valid = (row is not None and user_id is not None and str(row.user_id) == str(user_id)
             and is_alive(row, now) and row.user is not None and row.user.is_active)
    if valid:
        if now - aware(row.last_seen_at) >= TOUCH_EVERY:
            row.last_seen_at = now  # at most one write a minute per session
            db.session.commit()
        g.login_session = row
        return None

    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        db.session.commit()
    logout_user()
    _reset_cookie_session()
    message = _("Votre session a expiré. Veuillez vous reconnecter.")
    from core.errors import error_response, wants_json

    if wants_json():
        return error_response(401, "session_expired", message)
    if request.endpoint == "auth.logout":
        return None  # nothing more to do than what sign-out does
    flash(message, "warning")
    if request.endpoint == "auth.login":
        return None  # the sign-in page is what we would redirect to
    if request.method == "GET":
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    return redirect(url_for("auth.login"))
