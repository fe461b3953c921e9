"""Open sessions with attendance and recorded decisions, ready for the procès-verbal."""
import html
import io
import subprocess
from datetime import date, timedelta

import pytest

from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401


def page(response):
    return html.unescape(response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    """The text of a PDF (pdftotext, layout kept), whitespace normalised."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def pdf_lines(data: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return [" ".join(line.split()) for line in out.stdout.decode("utf-8").splitlines()]


@pytest.fixture
def api_headers(app):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def make(user):
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="tests")
            db.session.commit()
            return {"Authorization": f"Bearer {secret}"}

    return make


def _grid_data(code, spec):
    """A completed grid of one juror from a small spec."""
    from core.certifications.services import get_certification

    cert = get_certification(code)
    if spec.get("marks") is not None:
        return {"competencies": {c.code: {"mark": spec["marks"], "comment": spec.get("comment", "")}
                                 for c in cert.competencies},
                "scores": {"ORAL": spec.get("oral", 14.0)}, "proposal": spec.get("proposal", "")}
    blocks = spec.get("blocks", [])
    criteria = {}
    for block in cert.blocks:
        for comp in block.competencies:
            for crit in comp.criteria:
                criteria[crit.code] = "met" if block.code in blocks else "not_met"
    return {"criteria": criteria,
            "competencies": {"C1": {"comment": spec.get("comment", "")}},
            "blocks": {b.code: "validated" if b.code in blocks else "not_validated" for b in cert.blocks},
            "proposal": spec.get("proposal", "")}


@pytest.fixture
def jury_session(app, create_user, create_admissible_dossier, create_jury_session, certifier_org):
    """``jury_session(code, candidates=[{"name": ("Nom", "Prénom"), "attendance": "present",
    "outcome": "admis", "blocks": [...], "comment": "", "grid": {...}}], decide=True)``:
    an open session with two jurors; returns a dict of users and ids."""
    from core.extensions import db
    from core.jury.models import Attendance, EvaluationGrid, GridStatus, JuryDecision, JurySession
    from core.jury.services import consolidate, consolidation_dict

    def make(code, candidates, decide=True, observations="Session sans incident."):
        org = certifier_org(code, name=f"Certificateur {code}")
        manager = create_user("session_manager", organisation=org, first_name="Régine", last_name="Responsable")
        jurors = [create_user("juror", first_name="Jules", last_name="Juré"),
                  create_user("juror", first_name="Julie", last_name="Jurée")]
        dossiers, people = [], []
        for spec in candidates:
            last, first = spec["name"]
            people.append(create_user("candidate", first_name=first, last_name=last))
            dossiers.append(create_admissible_dossier(code, candidate=people[-1]))
        session_id = create_jury_session(code, manager=manager, jurors=jurors, dossiers=dossiers, status="open",
                                         days_ahead=-1, observations=observations,
                                         manager_position="Responsable pédagogique")
        with app.app_context():
            session = db.session.get(JurySession, session_id)
            for candidate, spec in zip(session.candidates, candidates):
                candidate.attendance = Attendance(spec.get("attendance", "present"))
                if spec.get("grid") and candidate.attendance is Attendance.PRESENT:
                    for juror in jurors:
                        db.session.add(EvaluationGrid(candidate_id=candidate.id, juror_id=juror.id,
                                                      data=_grid_data(code, spec["grid"]),
                                                      status=GridStatus.COMPLETED))
                db.session.flush()
                db.session.refresh(candidate)
                if decide:
                    db.session.add(JuryDecision(
                        candidate_id=candidate.id, outcome=spec["outcome"],
                        validated_blocks=spec.get("blocks", []), comment=spec.get("comment", ""),
                        marks=spec.get("marks", {}), scores=spec.get("scores", {}),
                        acquired_competencies=spec.get("acquired", []),
                        retake_until=(date.today() + timedelta(days=365)) if spec.get("retake") else None,
                        computed_outcome=spec["outcome"], recorded_by_id=jurors[0].id,
                        consolidation=consolidation_dict(consolidate(candidate))))
            db.session.commit()
            candidate_ids = [c.id for c in session.candidates]
            dossier_ids = [c.dossier_id for c in session.candidates]
        return {"session_id": session_id, "manager": manager, "jurors": jurors, "org": org,
                "candidate_ids": candidate_ids, "dossier_ids": dossier_ids, "dossiers": dossiers,
                "candidates": people}

    return make


@pytest.fixture
def clients(app, login):
    """``clients(user)``: a test client signed in as ``user``."""

    def make(user):
        c = app.test_client()
        login(user, test_client=c)
        return c

    return make


def read_pdf(response) -> bytes:
    return b"".join(response.response) if response.is_streamed else response.data


def attachment_pdf(message) -> bytes | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "application/pdf":
            return part.get_payload(decode=True)
    return None


def bytes_io(data: bytes):
    return io.BytesIO(data)


@pytest.fixture
def webhook_endpoint(app):
    """``webhook_endpoint(org)``: an endpoint of ``org`` subscribed to the jury events."""
    from core.extensions import db
    from core.webhooks.models import WebhookEndpoint

    def make(org):
        with app.app_context():
            endpoint = WebhookEndpoint(organisation_id=org.id, url="https://receiver.invalid/livret",
                                       secret=WebhookEndpoint.generate_secret(),
                                       events=["decision.sealed", "pv.sealed"])
            db.session.add(endpoint)
            db.session.commit()
            return endpoint.id

    return make


def deliveries(app, endpoint_id):
    from core.extensions import db
    from core.webhooks.models import WebhookDelivery

    with app.app_context():
        return [(d.event, d.payload) for d in db.session.query(WebhookDelivery)
                .filter_by(endpoint_id=endpoint_id).order_by(WebhookDelivery.id)]


def check_with_pdfsig(app, tmp_path, data: bytes, name: str) -> list[dict]:
    """pdfsig's report of the CAdES signatures of ``data``, with an NSS database trusting the exported root.

    The organisation's seal certificate is also listed in the database (without trust: trust still comes
    from the root). pdfsig 22.12 (Debian 12) reads NSS's thread error code after CERT_PKIXVerifyCert even
    when the verification succeeded; when one certificate signs twice in a document (the certification
    seal, then the final seal), NSS leaves SEC_ERROR_REUSED_ISSUER_AND_SERIAL behind while re-importing
    the temporary certificate, and pdfsig then prints « Unknown issue with Certificate » for a valid,
    trusted signature. A verifier that already knows the seal certificate does not hit that path.
    """
    import io as _io
    import subprocess as _sp

    from pyhanko.pdf_utils.reader import PdfFileReader

    from core.sealing.testing import make_nss_db, run_pdfsig

    folder = tmp_path / f"nss-{name}"
    root = app.test_cli_runner().invoke(args=["pki", "export-root"]).output.encode()
    nss = make_nss_db(folder, root)
    first = PdfFileReader(_io.BytesIO(data)).embedded_regular_signatures[0]
    seal_cert = first.signer_cert.dump()
    (folder / "seal.der").write_bytes(seal_cert)
    _sp.run(["certutil", "-A", "-t", ",,", "-n", "seal", "-i", str(folder / "seal.der"), "-d", f"sql:{nss}"],
            check=True)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return [s for s in run_pdfsig(nss, path) if "ETSI" in s.get("Signature Type", "")
            or s.get("Signature Type", "").startswith("adbe")]
