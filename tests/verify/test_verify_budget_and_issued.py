"""/verifier and POST /api/v1/verify: an issued document is recognised first and its report reused;
documents beyond the verification budget are refused (422 verification_too_complex), nothing kept."""
import hashlib
import html as htmllib
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "signing"))
from verify_samples import deep_structure, huge_object_stream, many_revisions  # noqa: E402


@pytest.fixture
def issued(app, input_pdf) -> bytes:
    """A document issued with its report computed during issuance (``VERIFY_ISSUANCE_REPORT=inline``)."""
    from core.sealing.services import issue_document

    app.config["VERIFY_ISSUANCE_REPORT"] = "inline"
    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        with app.extensions["livret"].storage.open(doc.storage_key) as reader:
            return b"".join(reader)


def _post_page(client, data: bytes):
    return client.post("/verifier", data={"file": (io.BytesIO(data), "document.pdf")},
                       content_type="multipart/form-data")


def _post_api(client, data: bytes):
    return client.post("/api/v1/verify", data={"file": (io.BytesIO(data), "document.pdf")},
                       content_type="multipart/form-data")


def _rows(app):
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.extensions import db
    from core.sealing.models import DocumentHash

    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(DocumentHash)),
                db.session.scalar(select(func.count()).select_from(AuditEvent)))


def test_issued_document_is_said_first_and_its_issuance_report_reused(app, client, issued, monkeypatch):
    from core.extensions import db
    from core.sealing.models import DocumentHash

    with app.app_context():
        row = db.session.query(DocumentHash).filter_by(sha256=hashlib.sha256(issued).hexdigest()).one()
        stored = row.verification_report
    assert stored["valid"] is True and stored["sha256"] == row.sha256 and stored["trust"]

    import core.verify.services as services

    def no_full_verification(*args, **kwargs):
        raise AssertionError("the issuance report should have been reused")

    monkeypatch.setattr(services, "verify", no_full_verification)
    response = _post_page(client, issued)
    assert response.status_code == 200
    page = htmllib.unescape(response.get_data(as_text=True))
    statement = page.index("Ce document a été émis par la plateforme le ")
    assert statement < page.index("Document valide")  # said before anything else
    assert "Le rapport ci-dessous est celui établi lors de son émission" in page

    body = _post_api(client, issued).get_json()
    assert body["valid"] is True and body["platform"]["issued"] is True
    assert body["platform"]["statement"].startswith("Ce document a été émis par la plateforme le ")
    assert body["platform"]["from_issuance"] is True and body["platform"]["report_checked_at"]
    assert body["signatures"][0]["level"] == "B-LTA"


def test_without_a_stored_report_the_file_is_verified_in_full_and_the_report_kept(app, client, issued):
    from core.extensions import db
    from core.sealing.models import DocumentHash

    with app.app_context():
        row = db.session.query(DocumentHash).filter_by(sha256=hashlib.sha256(issued).hexdigest()).one()
        row.verification_report = None
        db.session.commit()
    body = _post_api(client, issued).get_json()
    assert body["valid"] is True and body["platform"]["from_issuance"] is False
    assert body["platform"]["statement"].startswith("Ce document a été émis par la plateforme le ")
    with app.app_context():
        row = db.session.query(DocumentHash).filter_by(sha256=hashlib.sha256(issued).hexdigest()).one()
        assert row.verification_report["valid"] is True
    assert _post_api(client, issued).get_json()["platform"]["from_issuance"] is True


def test_a_report_kept_under_other_trust_roots_is_not_reused(app, client, issued):
    from core.extensions import db
    from core.sealing.models import DocumentHash

    with app.app_context():
        row = db.session.query(DocumentHash).filter_by(sha256=hashlib.sha256(issued).hexdigest()).one()
        row.verification_report = {**row.verification_report, "trust": "0" * 64, "valid": False,
                                   "reasons": ["forgé"]}
        db.session.commit()
    body = _post_api(client, issued).get_json()
    assert body["valid"] is True and body["platform"]["from_issuance"] is False and "forgé" not in body["reasons"]


def test_by_default_with_inline_jobs_the_first_verification_computes_and_keeps_the_report(
        app, client, input_pdf, monkeypatch):
    from core.extensions import db
    from core.sealing.models import DocumentHash
    from core.sealing.services import issue_document

    assert app.config["VERIFY_ISSUANCE_REPORT"] == "auto" and app.config["JOBS_BACKEND"] == "inline"
    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        assert db.session.get(DocumentHash, doc.id).verification_report is None  # nobody waited for it
        with app.extensions["livret"].storage.open(doc.storage_key) as reader:
            data = b"".join(reader)
    first = _post_api(client, data).get_json()
    assert first["valid"] is True and first["platform"]["issued"] is True and first["platform"]["from_issuance"] is False

    import core.verify.services as services

    def no_full_verification(*args, **kwargs):
        raise AssertionError("the report kept at the first verification should have been reused")

    monkeypatch.setattr(services, "verify", no_full_verification)
    second = _post_api(client, data).get_json()
    assert second["platform"]["from_issuance"] is True
    assert {k: v for k, v in second.items() if k != "platform"} == {k: v for k, v in first.items() if k != "platform"}


@pytest.mark.parametrize("crafted, words", [
    (lambda: many_revisions(3000), "trop de révisions"),
    (lambda: deep_structure(500), "trop profonde"),
    (lambda: huge_object_stream(5_000_000), "trop d'objets"),
])
def test_crafted_documents_are_refused_on_the_page_and_the_api(app, client, crafted, words):
    data = crafted()
    before = _rows(app)
    response = _post_api(client, data)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "verification_too_complex" and words in error["message"]
    assert error["details"]["limit"] in ("revisions", "depth", "objects")

    response = _post_page(client, data)
    assert response.status_code == 422
    page = htmllib.unescape(response.get_data(as_text=True))
    assert words in page and "Document valide" not in page
    assert _rows(app) == before  # nothing written
    assert client.get("/verifier").status_code == 200  # and the process answers the next request


def test_settings_set_the_budget(app, client, issued):
    from core.extensions import db
    from core.sealing.models import DocumentHash

    with app.app_context():  # not the platform's: verified in full
        db.session.query(DocumentHash).delete()
        db.session.commit()
    app.config["VERIFY_MAX_REVISIONS"] = 2
    response = _post_api(client, issued)
    assert response.status_code == 422
    assert "pour 2 au plus" in response.get_json()["error"]["message"]
    app.config["VERIFY_MAX_REVISIONS"] = 100
    app.config["VERIFY_TIME_BUDGET_SECONDS"] = 1e-9
    response = _post_api(client, issued)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "verification_too_complex"
    assert "durée accordée à une vérification" in response.get_json()["error"]["message"]
    app.config["VERIFY_TIME_BUDGET_SECONDS"] = 20
    assert _post_api(client, issued).get_json()["valid"] is True


def test_budget_refusal_in_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = spec["paths"]["/api/v1/verify"]["post"]["responses"]
    assert "422" in responses
    text = str(spec)
    assert "verification_too_complex" in text and "VERIFY_TIME_BUDGET_SECONDS" in text
