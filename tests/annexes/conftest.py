"""Fixtures of the annex tests: a certification with an annexes section, a candidate's dossier,
tokens, and the real servers of ``tests/storage`` (SeaweedFS S3, clamd with an EICAR database)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import pytest

STORAGE_TESTS = str(Path(__file__).resolve().parent.parent / "storage")
if STORAGE_TESTS not in sys.path:
    sys.path.insert(0, STORAGE_TESTS)  # storage_support, storage_samples

from core.hookspecs import hookimpl  # noqa: E402
from core.testing import CertificationPlugin, make_certification  # noqa: E402

CERT_CODE = "ANNEX01"


class AnnexCertificationPlugin(CertificationPlugin):
    """A certification with two blocks and a dossier made of an annexes section."""

    @hookimpl
    def livret_dossier_sections(self, certification):
        from core.dossiers.sections import ANNEXES, SectionSpec

        if certification.code != CERT_CODE:
            return None
        return [SectionSpec("annexes", "Annexes", kind=ANNEXES)]


def _certification():
    from core.certifications.descriptor import Block, Competency, Criterion

    blocks = (
        Block("BC01", "Analyser", (Competency("C1", "Analyser un besoin", (Criterion("C1.1", "Reformulé"),), ("E1",)),
                                   Competency("C2", "Rédiger une synthèse", (Criterion("C2.1", "Claire"),), ("E1",))),
              evaluations=("E1",)),
        Block("BC02", "Réaliser", (Competency("C3", "Conduire un projet", (Criterion("C3.1", "Planifié"),), ("E1",)),),
              evaluations=("E1",)),
    )
    from core.certifications.descriptor import Evaluation, EvaluationScheme

    return make_certification(CERT_CODE, "Certification des annexes", blocks=blocks,
                              scheme=EvaluationScheme("Oral.", (Evaluation("E1", "Oral", "Soutenance",
                                                                           ("C1", "C2", "C3"), 20),)))


@pytest.fixture
def cert_plugin(app, register_plugin):
    return register_plugin(AnnexCertificationPlugin(_certification()), "annex-test-cert")


@pytest.fixture
def make_dossier(app, cert_plugin, create_user, certifier_org) -> Callable[..., Any]:
    """``make_dossier(user=None)`` -> (user, dossier_id): a candidate and a draft dossier."""
    from core.auth.models import User
    from core.dossiers.services import create_dossier
    from core.extensions import db

    certifier_org(CERT_CODE)  # the organisation the dossiers are opened with

    def factory(user=None):
        user = user or create_user("candidate")
        with app.app_context():
            dossier = create_dossier(db.session.get(User, user.id), CERT_CODE)
            db.session.commit()
            return user, dossier.id

    return factory


@pytest.fixture
def token_for(app) -> Callable[[Any], dict[str, str]]:
    """``token_for(user)`` -> headers with a new bearer token of that user."""
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user) -> dict[str, str]:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory


@pytest.fixture
def annex_rows(app) -> Callable[[int], list]:
    """``annex_rows(dossier_id)`` -> the annex rows (removed ones too), detached, by number."""
    from sqlalchemy import select

    from core.dossiers.models import Annex
    from core.extensions import db

    def read(dossier_id: int) -> list:
        with app.app_context():
            rows = db.session.scalars(select(Annex).where(Annex.dossier_id == dossier_id)
                                      .order_by(Annex.number)).all()
            for row in rows:
                row.competency_codes_list = row.competency_codes
                db.session.expunge(row)
            return list(rows)

    return read




@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    from storage_support import SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs-annexes"))
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    from storage_support import Clamd

    daemon = Clamd(tmp_path_factory.mktemp("clamd-annexes")).start()
    try:
        yield daemon
    finally:
        daemon.stop()
