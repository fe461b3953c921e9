"""Helpers shared by the account tests."""
from __future__ import annotations

import html
import re

import pytest

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mail_links(outbox):
    """``mail_links(to=None)``: every link of every e-mail (optionally only those sent to ``to``)."""

    def read(to: str | None = None) -> list[str]:
        links = []
        for message in outbox():
            if to is None or to.lower() in message["To"].lower():
                links.extend(LINK.findall(message.get_body(("plain",)).get_content()))
        return links

    return read


@pytest.fixture
def db_session(app):
    """Run a function inside an app context and give it the SQLAlchemy session."""
    from core.extensions import db

    def run(fn):
        with app.app_context():
            session = db.session()
            session.expire_on_commit = False  # results stay readable after the context ends
            result = fn(session)
            session.commit()
            return result

    return run


CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def comparable(response) -> str:
    """The page with its per-request CSRF tokens blanked, to compare two answers."""
    return CSRF_VALUE.sub(r"\1\2", page_text(response))


@pytest.fixture
def text():
    return page_text


@pytest.fixture
def same_page():
    return comparable


@pytest.fixture
def make_token(app):
    """``make_token(user)``: the secret of a new API token of ``user`` (as tests/api/conftest.py does)."""
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user, name: str = "test") -> str:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name=name)
            db.session.commit()
        return secret

    return factory


@pytest.fixture
def bearer():
    """``bearer(secret)``: the request headers carrying that token."""
    return lambda secret: {"Authorization": f"Bearer {secret}"}
