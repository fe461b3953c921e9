"""The certifier admin's seal certificate on /certificateur/organisation: upload, checks, replace, remove."""
from __future__ import annotations

import datetime as dt
import html
import re
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from sqlalchemy import select

SEAL_PASSWORD = "mot-de-passe-du-p12"
PAGE = "/certificateur/organisation"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def org(create_organisation):
    return create_organisation("Organisme Alpha")


@pytest.fixture
def admin(create_user, org):
    return create_user("certifier_admin", organisation=org, first_name="Alice", last_name="Admin")


def post_seal(client, p12: bytes, password: str = SEAL_PASSWORD, filename: str = "cachet.p12"):
    return client.post(f"{PAGE}/cachet", data={"pkcs12": (BytesIO(p12), filename), "password": password},
                       content_type="multipart/form-data")


def seals_of(app, org_id):
    from core.extensions import db
    from core.organisations.models import OrganisationSeal

    with app.app_context():
        rows = list(db.session.scalars(select(OrganisationSeal).where(OrganisationSeal.organisation_id == org_id)
                                       .order_by(OrganisationSeal.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def audit(app, action):
    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [(e.actor_id, e.payload) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_upload_stores_the_seal_encrypted_and_the_page_describes_it(app, client, login, admin, org, make_p12):
    login(admin)
    page = text(client.get(PAGE))
    assert "Cachet électronique de l'organisme" in page
    assert "Aucun certificat de cachet n'est déposé" in page
    assert 'enctype="multipart/form-data"' in page

    p12 = make_p12()
    response = post_seal(client, p12)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Le certificat de cachet « Organisme Alpha — cachet » est enregistré" in page
    assert "Les documents de l'organisme sont scellés avec ce certificat." in page
    [seal] = seals_of(app, org.id)
    assert seal.active and seal.subject_cn == "Organisme Alpha — cachet" and seal.subject_o == "Organisme Alpha"
    assert seal.serial in page and seal.fingerprint_sha256 in page
    assert "Certificateur d'Essai — autorité racine de développement" in seal.issuer
    # the chain: the development root, with its validity
    assert "Chaîne de certification jointe au certificat" in page
    assert seal.chain[0]["subject"] in page
    assert "déposé" in page.lower() and "Alice Admin" in page
    # stored encrypted, never shown
    assert SEAL_PASSWORD not in page
    assert seal.pkcs12_encrypted and p12 not in seal.pkcs12_encrypted
    assert SEAL_PASSWORD.encode() not in seal.password_encrypted
    with app.app_context():
        from core.organisations.seals import decrypt

        assert decrypt(seal.pkcs12_encrypted) == p12
        assert decrypt(seal.password_encrypted) == SEAL_PASSWORD.encode()
    [(actor, payload)] = audit(app, "organisation.seal_uploaded")
    assert actor == admin.id and payload["serial"] == seal.serial and payload["replaced_seal_id"] is None
    assert SEAL_PASSWORD not in str(payload)


@pytest.mark.parametrize("case, options, password, field_id, message", [
    ("wrong password", {}, "pas-le-bon", "password", "Le mot de passe ne déchiffre pas ce fichier PKCS#12."),
    ("no password given", {}, "", "password", "Ce fichier PKCS#12 est protégé : saisissez son mot de passe."),
    ("expired", {"start": dt.timedelta(days=-400), "days": 30}, SEAL_PASSWORD, "pkcs12",
     "Le certificat a expiré le"),
    ("not yet valid", {"start": dt.timedelta(days=10)}, SEAL_PASSWORD, "pkcs12", "Le certificat n'est pas encore valide"),
    ("no key usage", {"usage": None}, SEAL_PASSWORD, "pkcs12", "Le certificat ne déclare aucun usage de clé"),
    ("encipherment only", {"usage": ("key_encipherment",)}, SEAL_PASSWORD, "pkcs12",
     "Le certificat ne permet pas la non-répudiation"),
    ("digital signature only at B-LTA", {"usage": ("digital_signature",)}, SEAL_PASSWORD, "pkcs12",
     "exigée pour les cachets au niveau PAdES B-LT / B-LTA"),
    ("TLS certificate", {"eku": [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]}, SEAL_PASSWORD,
     "pkcs12", "Les usages étendus du certificat (serverAuth, clientAuth) ne permettent pas de signer"),
    ("mismatched key", {"mismatched": True}, SEAL_PASSWORD, "pkcs12",
     "La clé privée du fichier ne correspond pas au certificat"),
    ("no private key", {"with_key": False}, SEAL_PASSWORD, "pkcs12",
     "Le fichier PKCS#12 ne contient pas la clé privée du certificat"),
    ("untrusted issuer", {"self_signed": True}, SEAL_PASSWORD, "pkcs12",
     "n'est rattaché à aucune autorité de certification reconnue"),
])
def test_refused_files_name_the_reason_on_the_field(app, client, login, admin, org, make_p12, case, options,
                                                     password, field_id, message):
    login(admin)
    response = post_seal(client, make_p12(**options), password=password)
    assert response.status_code == 422, case
    page = text(response)
    assert message in page
    # the error is tied to its field and listed in the focusable summary
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field_id}"', page) \
        or re.search(rf'<[^>]*aria-describedby="{field_id}-error"[^>]*>', page)
    assert f'id="{field_id}-error"' in page
    assert 'id="error-summary"' in page and f'href="#{field_id}"' in page
    assert seals_of(app, org.id) == []
    assert audit(app, "organisation.seal_uploaded") == []
    assert password not in page or not password


def test_expired_message_gives_the_dates(client, login, admin, make_p12):
    login(admin)
    p12 = make_p12(start=dt.timedelta(days=-400), days=30)
    page = text(post_seal(client, p12))
    # the page gives dates in Paris time (after 23:00 UTC, the Paris date is the next day's)
    end = (dt.datetime.now(ZoneInfo("Europe/Paris")) - dt.timedelta(days=370)).strftime("%d/%m/%Y")
    assert f"Le certificat a expiré le {end}" in page
    assert "valide du " in page


@pytest.mark.parametrize("payload, message", [
    (b"ceci n'est pas un certificat", "Ce fichier n'est pas au format PKCS#12"),
    (b"", "Choisissez le fichier PKCS#12"),
    (b"0" * (100 * 1024 + 10), "Le fichier dépasse 100 Ko"),
])
def test_garbage_empty_or_too_large_files_are_refused(app, client, login, admin, org, payload, message):
    login(admin)
    response = post_seal(client, payload, filename="cachet.pfx")
    assert response.status_code == 422
    assert message in text(response)
    assert seals_of(app, org.id) == []


def test_file_without_password_is_accepted(app, client, login, admin, org, make_p12):
    login(admin)
    assert post_seal(client, make_p12(password=None), password="").status_code == 302
    [seal] = seals_of(app, org.id)
    assert seal.active


def test_new_upload_replaces_the_seal_and_erases_the_old_key(app, client, login, admin, org, make_p12):
    login(admin)
    assert post_seal(client, make_p12(cn="Premier cachet")).status_code == 302
    assert post_seal(client, make_p12(cn="Second cachet")).status_code == 302
    first, second = seals_of(app, org.id)
    assert not first.active and first.deactivated_by_id == admin.id
    assert first.pkcs12_encrypted is None and first.password_encrypted is None
    assert first.serial and first.fingerprint_sha256  # the description stays for the history
    assert second.active and second.subject_cn == "Second cachet"
    client.get(PAGE)  # shows (and consumes) the two confirmations
    page = text(client.get(PAGE))
    assert "Second cachet" in page and "Premier cachet" not in page
    events = audit(app, "organisation.seal_uploaded")
    assert events[1][1]["replaced_seal_id"] == first.id


def test_remove_goes_back_to_the_platform_seal(app, client, login, admin, org, make_p12):
    login(admin)
    post_seal(client, make_p12())
    response = client.post(f"{PAGE}/cachet/retirer")
    assert response.status_code == 302
    page = text(client.get(PAGE))
    assert "le cachet de la plateforme est de nouveau utilisé" in page
    assert "Aucun certificat de cachet n'est déposé" in page
    [seal] = seals_of(app, org.id)
    assert not seal.active and seal.pkcs12_encrypted is None
    [(actor, payload)] = audit(app, "organisation.seal_removed")
    assert actor == admin.id and payload["seal_id"] == seal.id


def test_expiry_warning_when_less_than_30_days_remain(client, login, admin, make_p12):
    login(admin)
    post_seal(client, make_p12(days=10))
    page = text(client.get(PAGE))
    assert re.search(r"Le certificat expire dans (9|10) jours, le \d\d/\d\d/\d{4} : déposez son renouvellement", page)


def test_other_organisations_and_staff_never_see_or_touch_the_seal(app, client, login, admin, org, make_p12,
                                                                     create_user, create_organisation):
    login(admin)
    post_seal(client, make_p12())
    [seal] = seals_of(app, org.id)

    other_org = create_organisation("Organisme Bêta")
    other_admin = create_user("certifier_admin", organisation=other_org)
    other = app.test_client()
    login(other_admin, test_client=other)
    page = text(other.get(PAGE))
    assert "Aucun certificat de cachet n'est déposé" in page
    assert seal.serial not in page and "Organisme Alpha — cachet" not in page
    # removing "their" seal does not touch this one
    other.post(f"{PAGE}/cachet/retirer")
    assert seals_of(app, org.id)[0].active

    staff = create_user("certifier_staff", organisation=org)
    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    assert staff_client.get(PAGE).status_code == 404
    assert staff_client.post(f"{PAGE}/cachet/retirer").status_code == 404
    assert post_seal(staff_client, make_p12()).status_code == 404
    assert seals_of(app, org.id)[0].active and len(seals_of(app, org.id)) == 1


def test_unreadable_seal_after_a_key_change_is_reported(app, client, login, admin, make_p12):
    login(admin)
    post_seal(client, make_p12())
    from cryptography.fernet import Fernet

    app.config["ORGANISATION_SEAL_KEY"] = Fernet.generate_key().decode()
    page = text(client.get(PAGE))
    assert "Le certificat ne peut plus être déchiffré" in page


# --------------------------------------------------------------------------
# TSA URL
# --------------------------------------------------------------------------

def tsa_row(app, org_id):
    from core.extensions import db
    from core.organisations.models import OrganisationSigningSettings

    with app.app_context():
        row = db.session.get(OrganisationSigningSettings, org_id)
        return row.tsa_url if row else None


def test_tsa_url_is_saved_and_cleared(app, client, login, admin, org):
    login(admin)
    response = client.post(f"{PAGE}/horodatage", data={"tsa_url": "  https://1.1.1.1/tsa  "})
    assert response.status_code == 302
    assert tsa_row(app, org.id) == "https://1.1.1.1/tsa"
    page = text(client.get(PAGE))
    assert "Le service d'horodatage de l'organisme est enregistré." in page
    assert 'value="https://1.1.1.1/tsa"' in page
    assert client.post(f"{PAGE}/horodatage", data={"tsa_url": ""}).status_code == 302
    assert tsa_row(app, org.id) == ""
    assert "Le service d'horodatage de la plateforme est de nouveau utilisé." in text(client.get(PAGE))
    events = audit(app, "organisation.tsa_url_updated")
    assert [p["tsa_url"] for _a, p in events] == ["https://1.1.1.1/tsa", None]


@pytest.mark.parametrize("url, message", [
    ("ftp://1.1.1.1/tsa", "L'adresse doit commencer par https:// ou http://"),
    ("horodatage", "L'adresse doit commencer par https:// ou http://"),
    ("https://user:secret@1.1.1.1/tsa", "L'adresse ne doit pas contenir d'identifiant ni de mot de passe."),
    ("http://10.1.2.3/tsa", "L'adresse 10.1.2.3 est privée, réservée ou locale"),
    ("http://127.0.0.1:8939/tsa", "L'adresse 127.0.0.1 est privée, réservée ou locale"),
    ("http://169.254.169.254/latest", "L'adresse 169.254.169.254 est privée, réservée ou locale"),
])
def test_bad_tsa_url_is_refused_on_its_field_and_kept(app, client, login, admin, org, url, message):
    login(admin)
    response = client.post(f"{PAGE}/horodatage", data={"tsa_url": url})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'id="tsa_url-error"' in page and 'href="#tsa_url"' in page
    assert f'value="{url}"' in page  # what was typed is shown again
    assert tsa_row(app, org.id) is None
    assert audit(app, "organisation.tsa_url_updated") == []
