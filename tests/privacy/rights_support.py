"""Fixtures of the rights tests (export, rectification, erasure): a throwaway plugin with two certifications,
the organisation delivering them (its admin registers a webhook receiver), and a candidate signed in on
``client`` with a draft (a section, an annex) and a dossier submitted through the pages (sealed Livret 2 and
receipt, an annex).

Imported by the test modules (``from tests.privacy.rights_support import *``): the privacy area's other test
modules keep their own fixtures."""
from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest

from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.sealing.testing import signing_env  # noqa: F401 - submissions are signed and sealed
from core.testing import make_certification
from forms.sections import get

CODE = "RGT01"  # the submitted dossier's certification
DRAFT_CODE = "RGT02"  # the draft's
LETTER = "Je souhaite faire reconnaître douze ans d'expérience en analyse de données."
DRAFT_LETTER = "Brouillon : mon expérience de formatrice, à compléter."
PASSWORD = "motdepasse-solide"

__all__ = ["CODE", "DRAFT_CODE", "LETTER", "DRAFT_LETTER", "PASSWORD", "app_config", "signing_env", "plugin",
           "rights", "add_annex", "bearer", "token_of", "stored", "Receiver"]


class RightsPlugin:
    __name__ = "rightsplugin"

    @hookimpl
    def livret_certifications(self):
        return [make_certification(CODE, "Certification des droits", fee=None),
                make_certification(DRAFT_CODE, "Certification en brouillon", fee=None)]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code not in (CODE, DRAFT_CODE):
            return None
        return [SectionSpec("lettre_motivation", "Votre lettre de motivation", form=get("lettre_motivation")),
                SectionSpec("annexes", "Annexes", kind="annexes"),
                SectionSpec("declaration_honneur", "Déclaration sur l'honneur", form=get("declaration_honneur"))]


@pytest.fixture
def app_config(app_config, signing_env):  # noqa: F811 - the shared fixture, with the test PKI and webhooks
    return {**app_config, **signing_env, "WEBHOOKS_ALLOW_LOOPBACK": True}


@pytest.fixture
def plugin(register_plugin):
    return register_plugin(RightsPlugin(), "rightsplugin")


def add_annex(app, dossier_id: int, user_id: int, number: int, content: bytes, filename: str = "preuve.pdf") -> Any:
    """An annex stored through the storage interface (as an upload ends); returns its row's values."""
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        put = app.extensions["livret"].storage.put(new_key("annexes", dossier_id), io.BytesIO(content),
                                                   content_type="application/pdf")
        annex = Annex(dossier_id=dossier_id, number=number, title=f"Preuve {number}", filename=filename,
                      media_type="application/pdf", size=put.size, sha256=put.sha256, storage_key=put.key,
                      scan_state=ScanState.CLEAN, uploaded_by_id=user_id,
                      competencies=[AnnexCompetency(competency_code="C1")])
        db.session.add(annex)
        db.session.commit()
        return SimpleNamespace(id=annex.id, key=put.key, sha256=put.sha256, size=put.size, filename=filename)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_of(app):
    def make(user) -> str:
        from core.api.services import issue_token
        from core.auth.models import User
        from core.extensions import db

        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="droits")
            db.session.commit()
        return secret

    return make


def stored(app, key: str) -> bytes | None:
    """The bytes stored under ``key``, ``None`` when there is no such object."""
    from storage import ObjectNotFound

    with app.app_context():
        try:
            with app.extensions["livret"].storage.open(key) as reader:
                return reader.read()
        except ObjectNotFound:
            return None


def _open(client, code: str) -> int:
    response = client.post("/dossiers/nouveau", data={"certification": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


@pytest.fixture
def rights(app, client, plugin, create_organisation, create_user, login, token_of):
    """The organisation (``org``, its ``admin``), a candidate signed in on ``client`` with a draft (``draft_id``,
    ``draft_annex``) and a submitted dossier (``dossier_id``, ``annex``, its sealed ``documents``)."""
    from sqlalchemy import select

    from core.auth.models import Organisation, OrganisationCertification
    from core.dossiers.models import Document
    from core.extensions import db

    org = create_organisation("Certificateur des droits")
    with app.app_context():
        row = db.session.get(Organisation, org.id)
        for code in (CODE, DRAFT_CODE):
            row.certifications.append(OrganisationCertification(certification_code=code))
        db.session.commit()
    admin = create_user("certifier_admin", organisation=org)
    candidate = create_user("candidate", first_name="Camille", last_name="Martin", password=PASSWORD)
    login(candidate)

    draft_id = _open(client, DRAFT_CODE)
    assert client.post(f"/dossiers/{draft_id}/sections/lettre_motivation",
                       data={"lettre": DRAFT_LETTER}).status_code in (200, 302)
    draft_annex = add_annex(app, draft_id, candidate.id, 1, b"%PDF-1.4 brouillon preuve", "brouillon.pdf")

    dossier_id = _open(client, CODE)
    assert client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={
        "action": "complete", "lettre": LETTER}).status_code == 302
    assert client.post(f"/dossiers/{dossier_id}/sections/declaration_honneur", data={
        "action": "complete", "connaissance_fraudes": "y", "exactitude": "y", "fait_a": "Lyon",
        "date": "2026-11-20", "nom_prenom": candidate.full_name}).status_code == 302
    annex = add_annex(app, dossier_id, candidate.id, 1, b"%PDF-1.4 preuve deposee", "attestation-employeur.pdf")
    submitted = client.post(f"/dossiers/{dossier_id}/deposer", data={"password": PASSWORD})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:1000]
    with app.app_context():
        documents = [SimpleNamespace(id=d.id, key=d.storage_key, sha256=d.sha256, kind=d.kind)
                     for d in db.session.scalars(select(Document).where(Document.dossier_id == dossier_id))]
    assert {d.kind for d in documents} >= {"livret2"}, documents
    return SimpleNamespace(org=org, admin=admin, candidate=candidate, draft_id=draft_id, draft_annex=draft_annex,
                           dossier_id=dossier_id, annex=annex, documents=documents, token=token_of(candidate))


from tests.webhooks.conftest import Receiver  # noqa: E402 - a real HTTP receiver of webhooks
