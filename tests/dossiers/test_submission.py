"""From a filled dossier to a signed and sealed Livret 2, through the pages, as a candidate would."""
import html
import io
import re
import subprocess

import pikepdf
import pytest

from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.testing import make_certification
from forms.sections import get

CODE = "SUB01"


class DossierPlugin:
    __name__ = "subplugin"

    @hookimpl
    def livret_certifications(self):
        return [make_certification(CODE, "Certification à dossier")]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code != CODE:
            return None
        return [SectionSpec("lettre_motivation", "Votre lettre de motivation", form=get("lettre_motivation")),
                SectionSpec("annexes", "Annexes", kind="annexes"),
                SectionSpec("contenu", "Contenu de ce livret", kind="contents", required=False),
                SectionSpec("declaration_honneur", "Déclaration sur l'honneur", form=get("declaration_honneur"))]


@pytest.fixture
def certifier(certifier_org):
    """The organisation delivering the test certification: dossiers are opened with it."""
    return certifier_org(CODE)


@pytest.fixture
def plugin(register_plugin, certifier):
    return register_plugin(DossierPlugin(), "subplugin")


def page(response):
    return html.unescape(response.get_data(as_text=True))


def open_dossier(client):
    response = client.post("/dossiers/nouveau", data={"certification": CODE})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def add_annex(app, dossier_id, user_id, number, content, competencies):
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        stored = app.extensions["livret"].storage.put(new_key("annexes", dossier_id), io.BytesIO(content),
                                                      content_type="application/pdf")
        annex = Annex(dossier_id=dossier_id, number=number, title=f"Preuve {number}", filename=f"preuve-{number}.pdf",
                      media_type="application/pdf", size=stored.size, sha256=stored.sha256,
                      storage_key=stored.key, scan_state=ScanState.CLEAN, uploaded_by_id=user_id,
                      competencies=[AnnexCompetency(competency_code=c) for c in competencies])
        db.session.add(annex)
        db.session.commit()
        return stored.sha256


def fill(client, dossier_id, user):
    response = client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={
        "action": "complete", "lettre": "Je souhaite faire reconnaître dix ans d'expérience en données."})
    assert response.status_code == 302, page(response)
    response = client.post(f"/dossiers/{dossier_id}/sections/declaration_honneur", data={
        "action": "complete", "connaissance_fraudes": "y", "exactitude": "y", "fait_a": "Lyon",
        "date": "2026-11-20", "nom_prenom": user.full_name})
    assert response.status_code == 302, page(response)


def test_draft_keeps_what_was_typed_and_reports_missing_items(app, client, plugin, create_user, login):
    user = create_user("candidate", first_name="Camille", last_name="Martin")
    login(user)
    dossier_id = open_dossier(client)
    # a draft with a missing required box is saved as typed, not complete
    response = client.post(f"/dossiers/{dossier_id}/sections/declaration_honneur",
                           data={"action": "complete", "fait_a": "Lyon", "nom_prenom": "Camille Martin"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in page(response)
    again = page(client.get(f"/dossiers/{dossier_id}/sections/declaration_honneur"))
    assert 'value="Lyon"' in again
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "La section « Votre lettre de motivation » n'est pas remplie." in overview
    assert "Ajoutez au moins une pièce justificative" in overview
    # submission is refused with the list, nothing changes
    response = client.post(f"/dossiers/{dossier_id}/deposer", data={"password": user.plain_password})
    assert response.status_code == 409
    assert "Le dossier est incomplet" in page(response)
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "Brouillon" in overview


def test_submission_signs_seals_and_issues_documents(app, client, plugin, create_user, login, outbox, tmp_path):
    from core.sealing.testing import make_nss_db, run_pdfsig

    user = create_user("candidate", first_name="Camille", last_name="Martin")
    login(user)
    dossier_id = open_dossier(client)
    fill(client, dossier_id, user)
    sha1 = add_annex(app, dossier_id, user.id, 1, b"%PDF-1.4 preuve un", ["C1"])
    sha2 = add_annex(app, dossier_id, user.id, 2, b"%PDF-1.4 preuve deux", ["C2"])

    wrong = client.post(f"/dossiers/{dossier_id}/deposer", data={"password": "pas le bon"})
    assert wrong.status_code == 422
    refused = page(wrong)  # the overview again: the reason tied to the password field, which has the focus
    assert re.search(r'<p class="error" id="submit-password-error">.*Mot de passe incorrect', refused)
    assert 'aria-invalid="true" autofocus' in refused

    response = client.post(f"/dossiers/{dossier_id}/deposer", data={"password": user.plain_password})
    assert response.status_code == 302
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "Déposé" in overview and "Dossier de certification – " in overview and "Accusé de réception" in overview

    links = re.findall(rf'href="(/dossiers/{dossier_id}/documents/\d+)"', overview)
    assert len(links) == 2
    livret = client.get(links[0])
    assert livret.headers["Content-Disposition"].startswith("attachment;")
    assert livret.headers["X-Content-Type-Options"] == "nosniff"
    assert livret.headers["Cache-Control"] == "no-store"
    data = livret.get_data()

    # the manifest embedded in the PDF carries the stored objects' SHA-256
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode()
    assert sha1 in text.replace("\n", "").replace(" ", "") and sha2 in text.replace("\n", "").replace(" ", "")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.Lang == "fr"

    # two signatures: the candidate's, then the organisation's seal; pdfsig trusts both with the exported root
    root = app.test_cli_runner().invoke(args=["pki", "export-root"]).output.encode()
    (tmp_path / "nss").mkdir()
    nss = make_nss_db(tmp_path / "nss", root)
    (tmp_path / "livret.pdf").write_bytes(data)
    sigs = run_pdfsig(nss, tmp_path / "livret.pdf")
    real = [s for s in sigs if s.get("Signature Type", "").startswith("adbe") or "ETSI" in s.get("Signature Type", "")]
    assert len(real) >= 2
    assert all(s["Signature Validation"] == "Signature is Valid." for s in real)
    assert all(s["Certificate Validation"] == "Certificate is Trusted." for s in real)
    assert any("Camille Martin" in s.get("Signer Certificate Common Name", "") for s in real)

    # the public verification API: valid, both signers named, issued by this platform; one byte changed: invalid
    report = client.post("/api/v1/verify", data={"file": (io.BytesIO(data), "livret.pdf")},
                         content_type="multipart/form-data").json
    assert report["valid"] is True, report["reasons"]
    assert any("Camille Martin" in (name or "") for name in report["signers"])
    assert report["platform"]["issued"] is True
    levels = {s["level"] for s in report["signatures"] if s["kind"] == "signature"}
    assert "B-LTA" in levels
    tampered = bytearray(data)
    position = data.index(b"/Contents", len(data) // 3)
    tampered[position - 40] ^= 0x01
    bad = client.post("/api/v1/verify", data={"file": (io.BytesIO(bytes(tampered)), "livret.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code in (200, 422)
    assert bad.json.get("valid") is not True

    # the receipt e-mail
    receipts = [m for m in outbox() if "Accusé de réception" in m["Subject"]]
    assert len(receipts) == 1 and receipts[0]["To"] == user.email
    assert sha1 in receipts[0].get_content()

    # the version is immutable: editing is refused
    locked = client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={"action": "draft", "lettre": "x"})
    assert locked.status_code == 409


def test_failed_seal_leaves_the_dossier_as_it_was(app_config, plugin, create_user, tmp_path):
    from core import create_app
    from core.dossiers.models import Document, Dossier, DossierStatus, DossierVersion
    from core.extensions import db
    from core.sealing.testing import closed_port

    broken = create_app({**app_config, "SIGNING_TSA_URL": f"http://127.0.0.1:{closed_port()}/tsa",
                         "EXTRA_PLUGINS": [DossierPlugin()]})
    client = broken.test_client()
    user = create_user("candidate")
    client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    dossier_id = open_dossier(client)
    fill(client, dossier_id, user)
    add_annex(broken, dossier_id, user.id, 1, b"%PDF-1.4 x", ["C1", "C2"])
    response = client.post(f"/dossiers/{dossier_id}/deposer", data={"password": user.plain_password})
    assert response.status_code >= 400  # the overview again, with the reason at the password field
    assert "horodatage" in page(response)
    with broken.app_context():
        from core.audit.models import AuditEvent

        assert db.session.get(Dossier, dossier_id).status is DossierStatus.DRAFT
        assert db.session.query(DossierVersion).count() == 0
        assert db.session.query(Document).count() == 0
        failed = db.session.query(AuditEvent).filter(AuditEvent.action == "dossier.submission_failed").one()
        assert (failed.outcome, failed.object_id, failed.payload["code"]) == ("failure", str(dossier_id), "sealing_failed")
        keys = list(broken.extensions["livret"].storage.iter_keys("documents/"))
        assert keys == []


def test_another_candidate_gets_404_everywhere(app, client, plugin, create_user, login):
    owner = create_user("candidate")
    login(owner)
    dossier_id = open_dossier(client)
    client.post("/deconnexion")
    other = create_user("candidate")
    login(other)
    for url in (f"/dossiers/{dossier_id}", f"/dossiers/{dossier_id}/sections/lettre_motivation",
                f"/dossiers/{dossier_id}/documents/1"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/dossiers/{dossier_id}/deposer", data={"password": other.plain_password}).status_code == 404
    assert client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation",
                       data={"action": "draft", "lettre": "pirate"}).status_code == 404


def test_corrections_reopen_a_new_version_and_keep_the_old_one(app, client, plugin, certifier, create_user, login,
                                                                outbox):
    from core.auth.models import User
    from core.dossiers import services
    from core.dossiers.models import Document, Dossier, DossierStatus
    from core.errors import Conflict, NotFound, ValidationFailed
    from core.extensions import db

    user = create_user("candidate", first_name="Camille", last_name="Martin")
    login(user)
    dossier_id = open_dossier(client)
    fill(client, dossier_id, user)
    add_annex(app, dossier_id, user.id, 1, b"%PDF-1.4 preuve", ["C1", "C2"])
    client.post(f"/dossiers/{dossier_id}/deposer", data={"password": user.plain_password})

    staff = create_user("certifier_staff", organisation=certifier)
    outsider = create_user("certifier_staff")
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        with pytest.raises(NotFound):
            services.request_corrections(dossier, actor=db.session.get(User, outsider.id),
                                         items=[{"message": "x"}])
        with pytest.raises(ValidationFailed):
            services.request_corrections(dossier, actor=db.session.get(User, staff.id),
                                         items=[{"message": "", "section": "nope"}])
        services.request_corrections(dossier, actor=db.session.get(User, staff.id), items=[
            {"message": "Précisez le contexte de votre expérience.", "section": "lettre_motivation"}])
        db.session.commit()
        with pytest.raises(Conflict):
            services.request_corrections(dossier, actor=db.session.get(User, staff.id), items=[{"message": "x"}])

    mail = [m for m in outbox() if "Corrections demandées" in m["Subject"]]
    assert len(mail) == 1 and "Précisez le contexte" in mail[0].get_content()
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "Corrections demandées par le certificateur" in overview and "Précisez le contexte" in overview

    response = client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={
        "action": "complete", "lettre": "Dix ans d'expérience en données, dans une équipe de cinq personnes."})
    assert response.status_code == 302
    client.post(f"/dossiers/{dossier_id}/deposer", data={"password": user.plain_password})
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status is DossierStatus.SUBMITTED
        assert [v.number for v in dossier.versions] == [1, 2]
        first, second = dossier.versions
        assert "dix ans" in first.content["lettre_motivation"]["lettre"].lower()
        assert "équipe de cinq" in second.content["lettre_motivation"]["lettre"]
        assert first.corrections and second.corrections is None
        kinds = [(d.version_id, d.kind) for d in db.session.query(Document).order_by(Document.id)]
        assert kinds == [(first.id, "livret2"), (first.id, "receipt"), (second.id, "livret2"), (second.id, "receipt")]
