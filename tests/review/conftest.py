"""A throwaway certification plugin and helpers to get a submitted dossier (as in tests/dossiers)."""
import html
import io

import pytest

from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.sealing.testing import app_config, signing_env  # noqa: F401
from core.testing import make_certification
from forms.sections import get

CODE = "REV01"
FEE_CODE = "REV02"


class ReviewPlugin:
    __name__ = "reviewplugin"

    @hookimpl
    def livret_certifications(self):
        # no fee: the review story does not depend on the fees area (tested apart, with FEE_CODE)
        return [make_certification(CODE, "Certification à recevabilité", fee=None),
                make_certification(FEE_CODE, "Certification à frais")]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code not in (CODE, FEE_CODE):
            return None
        return [SectionSpec("lettre_motivation", "Votre lettre de motivation", form=get("lettre_motivation")),
                SectionSpec("annexes", "Annexes", kind="annexes"),
                SectionSpec("declaration_honneur", "Déclaration sur l'honneur", form=get("declaration_honneur"))]


@pytest.fixture
def plugin(register_plugin):
    return register_plugin(ReviewPlugin(), "reviewplugin")


def page(response):
    return html.unescape(response.get_data(as_text=True))


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


@pytest.fixture
def code():
    return CODE


@pytest.fixture
def submitted(app, client, plugin, create_user, login, code):
    """A candidate (signed in on ``client``) with a submitted dossier; staff of the certifying organisation."""
    from core.auth.models import Organisation, OrganisationCertification
    from core.extensions import db

    staff = create_user("certifier_staff", first_name="Sacha", last_name="Durand")
    with app.app_context():  # the staff's organisation delivers the certification: dossiers are opened with it
        org = db.session.get(Organisation, staff.organisation_id)
        org.certifications.append(OrganisationCertification(certification_code=code))
        db.session.commit()
    candidate = create_user("candidate", first_name="Camille", last_name="Martin")
    login(candidate)
    response = client.post("/dossiers/nouveau", data={"certification": code})
    dossier_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={
        "action": "complete", "lettre": "Je souhaite faire reconnaître dix ans d'expérience."}).status_code == 302
    assert client.post(f"/dossiers/{dossier_id}/sections/declaration_honneur", data={
        "action": "complete", "connaissance_fraudes": "y", "exactitude": "y", "fait_a": "Lyon",
        "date": "2026-11-20", "nom_prenom": candidate.full_name}).status_code == 302
    add_annex(app, dossier_id, candidate.id, 1, b"%PDF-1.4 preuve un", ["C1", "C2"])
    client.post(f"/dossiers/{dossier_id}/deposer", data={"password": candidate.plain_password})

    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    return {"dossier_id": dossier_id, "candidate": candidate, "staff": staff, "staff_client": staff_client}
