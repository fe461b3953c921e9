"""Fixtures for the dossier API tests: a throwaway certification with its own sections, tokens, data.

The tests do not depend on the sections the real plugins declare: a throwaway
plugin declares a certification (``DAPI01``) whose dossier is made of
reusable sections from ``forms.sections`` plus an optional annexes section and
the computed contents.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest

from core.hookspecs import hookimpl
from core.sealing.testing import app_config, signing_env  # noqa: F401 - submission signs and seals
from core.testing import make_certification
from dossier_api_data import BARE_CODE, CODE, COMPLETE  # tests/dossiers_api/dossier_api_data.py


class DossierSectionsPlugin:
    def __init__(self):
        self.certification = make_certification(CODE, "Certification de test du dossier API")
        self.bare = make_certification(BARE_CODE, "Certification sans dossier en ligne")

    @hookimpl
    def livret_certifications(self):
        return [self.certification, self.bare]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code != CODE:
            return None
        from core.dossiers.sections import ANNEXES, CONTENTS, SectionSpec
        from forms.sections import get

        return [
            SectionSpec("etat_civil", "État civil", form=get("etat_civil")),
            SectionSpec("lettre_motivation", "Lettre de motivation", form=get("lettre_motivation")),
            SectionSpec("annexes", "Annexes", kind=ANNEXES, required=False),
            SectionSpec("contenu", "Contenu du livret", kind=CONTENTS),
            SectionSpec("declaration_honneur", "Déclaration sur l'honneur", form=get("declaration_honneur")),
        ]


@pytest.fixture
def certifier(certifier_org):
    """The organisation delivering the test certification: dossiers are opened with it."""
    return certifier_org(CODE, name="Certificateur du dossier")


@pytest.fixture
def dossier_plugin(register_plugin, certifier) -> DossierSectionsPlugin:
    return register_plugin(DossierSectionsPlugin(), "dossier_api_test")


@pytest.fixture
def make_token(app) -> Callable[..., str]:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user: Any) -> str:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return secret

    return factory


class Api:
    """A test client bound to one bearer token."""

    def __init__(self, client, secret: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def _call(self, method: str, url: str, headers: dict | None = None, **kwargs):
        return getattr(self.client, method)(url, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, url, **kw):
        return self._call("get", url, **kw)

    def post(self, url, **kw):
        return self._call("post", url, **kw)

    def put(self, url, **kw):
        return self._call("put", url, **kw)


@pytest.fixture
def api_for(client, make_token) -> Callable[[Any], Api]:
    return lambda user: Api(client, make_token(user))


@pytest.fixture
def candidate(create_user):
    return create_user(role="candidate")


@pytest.fixture
def api(api_for, candidate, dossier_plugin) -> Api:
    return api_for(candidate)


@pytest.fixture
def open_dossier(api) -> dict:
    response = api.post("/api/v1/dossiers", json={"certification": CODE})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def fill(api) -> Callable[[int], None]:
    def do_fill(dossier_id: int) -> None:
        for key, data in COMPLETE.items():
            response = api.put(f"/api/v1/dossiers/{dossier_id}/sections/{key}", json=data)
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["complete"] is True, response.get_json()

    return do_fill
