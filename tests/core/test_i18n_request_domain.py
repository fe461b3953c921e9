"""Python's gettext keeps Flask-Babel's answers with the catalogue remembered per request (core.i18n.RequestDomain):
the request's language, a forced language (documents in the candidate's language) and back, a refreshed choice."""
from flask import session
from flask_babel import force_locale, gettext, lazy_gettext, refresh

from core.extensions import babel
from core.i18n import RequestDomain


def test_the_default_domain_is_a_request_domain(app):
    assert isinstance(babel.domain_instance, RequestDomain)


def test_same_strings_as_flask_babel(app):
    with app.test_request_context("/"):
        assert gettext("Mon espace") == "Mon espace"  # French by default
        assert str(lazy_gettext("Mon espace")) == "Mon espace"
        with force_locale("en"):
            assert gettext("Mon espace") == "My area"
            assert gettext("Dossier %(ref)s", ref="X-1").endswith(" X-1")  # formatted as before
        assert gettext("Mon espace") == "Mon espace"  # back to the request's language
        session["lang"] = "en"
        refresh()  # the choice is made again
        assert gettext("Mon espace") == "My area"
        assert str(lazy_gettext("Mon espace")) == "My area"


def test_outside_a_request_nothing_is_translated(app):
    assert gettext("Mon espace") == "Mon espace"
