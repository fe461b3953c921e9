"""core.sealing: seal_pdf, personal signatures, issued documents, fail-closed,
start-up checks, checked with pdfsig, pyHanko and qpdf."""
import asyncio
import hashlib
import subprocess
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation.ades import ades_lta_validation
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.dossiers.models import Document
from core.extensions import db
from core.sealing.models import DocumentHash
from core.sealing.testing import ORGANISATION, closed_port, make_nss_db, run_pdfsig
from signing import verify
from signing.credentials import load_certs_from_bytes
from signing.verify import _lta_spec


def _export_root(runner) -> bytes:
    result = runner.invoke(args=["pki", "export-root"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("-----BEGIN CERTIFICATE-----")
    assert result.output.rstrip().endswith("-----END CERTIFICATE-----")
    return result.output.encode("ascii")


def test_seal_pdf_b_lta_checked_by_pdfsig_pyhanko_and_qpdf(app, runner, input_pdf, tmp_path):
    from core.sealing.services import seal_pdf

    with app.app_context():
        sealed = seal_pdf(input_pdf, reason="Procès-verbal de jury")
    root_pem = _export_root(runner)
    path = tmp_path / "pv.pdf"
    path.write_bytes(sealed)

    (tmp_path / "nss").mkdir()
    nss = make_nss_db(tmp_path / "nss", root_pem)
    cades = [s for s in run_pdfsig(nss, path) if s.get("Signature Type") == "ETSI.CAdES.detached"]
    assert len(cades) == 1
    assert cades[0]["Signature Validation"] == "Signature is Valid."
    assert cades[0]["Certificate Validation"] == "Certificate is Trusted."

    emb = PdfFileReader(BytesIO(sealed)).embedded_signatures[0]
    result = asyncio.run(ades_lta_validation(emb, _lta_spec(load_certs_from_bytes(root_pem))))
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg

    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    report = verify(sealed, trust_roots=[root_pem])
    assert report.valid
    assert report.signatures[0].level == "B-LTA"
    assert report.signatures[0].signer.common_name == f"{ORGANISATION} — cachet"
    assert report.signatures[0].signer.organisation == ORGANISATION


def test_issue_document_stores_object_row_hash_and_audit(app, input_pdf):
    from core.sealing.services import issue_document

    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="../../etc/Procès verbal.pdf")
        doc_id = doc.id
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        storage = app.extensions["livret"].storage
        with storage.open(doc.storage_key) as reader:
            stored = b"".join(reader)
        assert doc.sha256 == hashlib.sha256(stored).hexdigest()
        assert doc.size == len(stored)
        assert doc.storage_key.startswith("documents/platform/")
        assert doc.filename == "etc-proces-verbal.pdf"
        hashes = db.session.scalars(select(DocumentHash).where(DocumentHash.document_id == doc_id)).all()
        assert [(h.sha256, h.origin, h.storage_key) for h in hashes] == [(doc.sha256, "issued", doc.storage_key)]
        assert hashes[0].last_timestamp_at is not None and hashes[0].tsa_expires_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.issued"))
        assert event.object_id == str(doc_id) and event.payload["sha256"] == doc.sha256
        assert verify(stored, trust_roots=app.extensions["livret_signing_config"].trust_root_certs()).valid


def test_tsa_down_fails_closed_and_leaves_nothing(app, input_pdf):
    from core.sealing.services import SealingFailed, issue_document

    app.config["SIGNING_TSA_URL"] = f"http://127.0.0.1:{closed_port()}/tsa"
    with app.app_context():
        with pytest.raises(SealingFailed) as info:
            issue_document(input_pdf, kind="pv", title="PV", filename="pv.pdf")
        assert "horodatage" in str(info.value)
        assert info.value.status == 503
        db.session.rollback()
        for model in (Document, DocumentHash, AuditEvent):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert list(app.extensions["livret"].storage.iter_objects()) == []


def test_storage_failure_removes_row_and_object(app, input_pdf, monkeypatch):
    """A failure after the object is stored (here: recording the row) removes the object too."""
    from core.sealing import services
    from core.sealing.services import SealingFailed, issue_document

    def broken_record(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(services, "record", broken_record)
    with app.app_context():
        with pytest.raises(SealingFailed):
            issue_document(input_pdf, kind="pv", title="PV", filename="pv.pdf")
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
        assert db.session.scalar(select(func.count()).select_from(DocumentHash)) == 0
    assert list(app.extensions["livret"].storage.iter_objects()) == []


def test_person_signs_after_reauthentication_then_seal(app, create_user, input_pdf):
    from core.auth.models import User
    from core.errors import ValidationFailed
    from core.sealing.services import ReauthenticationRequired, issue_document, reauthenticate, sign_as_person

    user = create_user(role="candidate", first_name="Élodie", last_name="Martin")
    with app.test_request_context():
        account = db.session.get(User, user.id)
        with pytest.raises(ReauthenticationRequired):
            sign_as_person(input_pdf, account, reason="Déclaration sur l'honneur")
        with pytest.raises(ValidationFailed) as info:
            reauthenticate(account, "pas-le-bon-mot-de-passe")
        assert "Mot de passe incorrect" in str(info.value)
        with pytest.raises(ReauthenticationRequired):
            sign_as_person(input_pdf, account, reason="Déclaration sur l'honneur")
        reauthenticate(account, user.plain_password)
        signed = sign_as_person(input_pdf, account, reason="Déclaration sur l'honneur")
        doc = issue_document(signed, kind="livret2", title="Livret 2", filename="livret2.pdf", actor_id=user.id)
        with app.extensions["livret"].storage.open(doc.storage_key) as reader:
            data = b"".join(reader)
        report = verify(data, trust_roots=app.extensions["livret_signing_config"].trust_root_certs())
        assert report.valid, report.reasons
        person, org = report.signatures
        assert person.signer.common_name == "Élodie Martin" and person.signer.email == user.email
        assert org.signer.common_name == f"{ORGANISATION} — cachet"
        assert person.level == org.level == "B-LTA"
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["signature.person", "document.issued"]
        assert str(user.email) not in str(db.session.scalars(select(AuditEvent.payload)).all())


def test_person_certificate_is_short_lived(app, create_user, input_pdf):
    from core.auth.models import User
    from core.sealing.services import reauthenticate, sign_as_person

    app.config["SIGNING_PERSON_CERT_DAYS"] = 2
    user = create_user(role="juror", first_name="Jean", last_name="Dupont")
    with app.test_request_context():
        account = db.session.get(User, user.id)
        reauthenticate(account, user.plain_password)
        signed = sign_as_person(input_pdf, account, reason="PV")
    cert = PdfFileReader(BytesIO(signed)).embedded_signatures[0].signer_cert
    validity = cert["tbs_certificate"]["validity"]
    days = (validity["not_after"].native - validity["not_before"].native).days
    assert days <= 2
    assert cert.subject.native["common_name"] == "Jean Dupont"


def test_reauth_form_fragment_is_accessible(app):
    from flask import render_template_string

    from core.sealing.forms import ReauthForm

    with app.test_request_context(method="POST", data={"password": ""}):
        form = ReauthForm()
        assert not form.validate()
        html = render_template_string(
            '{% from "sealing/_reauth.html" import reauth_fieldset %}{{ reauth_fieldset(form) }}', form=form)
    assert "<legend>" in html and 'autocomplete="current-password"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="password-hint password-error"' in html
    assert "Saisissez votre mot de passe" in html


def test_production_without_keys_refuses_to_start(app_config):
    from core import ConfigError, create_app

    with pytest.raises(ConfigError) as info:
        create_app({**app_config, "SIGNING_DEV_PKI": False})
    assert "SIGNING_SEAL_PKCS12" in str(info.value)

    with pytest.raises(ConfigError) as info:
        create_app({**app_config, "SIGNING_DEV_PKI": False, "SIGNING_SEAL_PKCS12": "/nonexistent/seal.p12"})
    assert "SIGNING_SEAL_PKCS12" in str(info.value) and "/nonexistent/seal.p12" in str(info.value)


def test_production_with_pem_keys_starts(app_config, signing_env):
    """Configured PEM keys (here the development seal's files), a TSA URL and roots: the app starts."""
    from pathlib import Path

    from core import create_app

    from signing.testing import make_person_ca

    pki = Path(signing_env["SIGNING_PKI_DIR"])
    app = create_app({**app_config, "SIGNING_DEV_PKI": False, **make_person_ca(pki),
                      "SIGNING_SEAL_CERT": str(pki / "seal.crt.pem"),
                      "SIGNING_SEAL_KEY": str(pki / "seal.key.pem"), "UPLOAD_SCAN": False,  # no clamd here
                      "SIGNING_TSA_URL": signing_env["SIGNING_DEV_BASE_URL"] + "/tsa",
                      "SIGNING_TRUST_ROOTS": str(pki / "root.crt.pem")})
    from core.sealing.services import signing_config

    cfg = signing_config(app)
    assert not cfg.uses_dev_pki and [str(p) for p in cfg.trust_roots] == [str(pki / "root.crt.pem")]

    with pytest.raises(Exception) as info:
        create_app({**app_config, "SIGNING_DEV_PKI": False, "SIGNING_SEAL_CERT": str(pki / "seal.crt.pem"),
                    "SIGNING_SEAL_KEY": str(pki / "root.crt.pem"),  # not a key
                    "SIGNING_TSA_URL": "http://tsa.example/", "SIGNING_TRUST_ROOTS": str(pki / "root.crt.pem")})
    assert "seal key cannot be loaded" in str(info.value)
