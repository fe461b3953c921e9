"""signer_for(organisation): seal_pdf(..., organisation=org) seals with the uploaded certificate and TSA."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.sealing.testing import ORGANISATION, closed_port

SEAL_PASSWORD = "mot-de-passe-du-p12"


@pytest.fixture
def orgs(create_organisation, create_user):
    alpha = create_organisation("Organisme Alpha")
    beta = create_organisation("Organisme Bêta")
    return {"alpha": alpha, "alpha_admin": create_user("certifier_admin", organisation=alpha),
            "beta": beta}


def upload(app, org, admin, p12, password=SEAL_PASSWORD):
    from core.auth.models import Organisation, User
    from core.extensions import db
    from core.organisations.seals import upload_seal

    with app.app_context():
        seal = upload_seal(db.session.get(Organisation, org.id), actor=db.session.get(User, admin.id), data=p12,
                           password=password)
        db.session.commit()
        return seal.serial


def seal_for(app, org, pdf, **kwargs):
    from core.auth.models import Organisation
    from core.extensions import db
    from core.sealing.services import seal_pdf

    with app.app_context():
        return seal_pdf(pdf, reason="Procès-verbal de jury", organisation=db.session.get(Organisation, org.id),
                        **kwargs)


def report_of(app, pdf):
    from core.sealing.services import trust_roots
    from signing import verify

    with app.app_context():
        return verify(pdf, trust_roots=trust_roots())


def test_seal_pdf_uses_the_uploaded_certificate_at_b_lta(app, orgs, make_p12, input_pdf):
    serial = upload(app, orgs["alpha"], orgs["alpha_admin"], make_p12(cn="Organisme Alpha — cachet"))
    sealed = seal_for(app, orgs["alpha"], input_pdf)
    report = report_of(app, sealed)
    assert report.valid, report.reasons
    [signature] = report.signatures
    assert signature.level == "B-LTA"
    assert signature.signer.common_name == "Organisme Alpha — cachet"
    assert signature.signer.organisation == "Organisme Alpha"
    assert int(signature.signer.serial_number, 16) == int(serial, 16)
    # the very certificate uploaded (pyHanko reads the signer's certificate from the CMS)
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    from core.extensions import db
    from core.organisations.models import OrganisationSeal

    embedded = PdfFileReader(BytesIO(sealed)).embedded_signatures[0]
    with app.app_context():
        stored = db.session.query(OrganisationSeal).one()
        assert embedded.signer_cert.sha256.hex() == stored.fingerprint_sha256


def test_another_organisation_seals_with_the_platform_seal(app, orgs, make_p12, input_pdf):
    upload(app, orgs["alpha"], orgs["alpha_admin"], make_p12())
    from core.auth.models import Organisation
    from core.extensions import db
    from core.organisations.seals import signer_for

    with app.app_context():
        assert signer_for(db.session.get(Organisation, orgs["beta"].id)) == (None, None)
        assert signer_for(None) == (None, None)
        assert signer_for(db.session.get(Organisation, orgs["alpha"].id))[0] is not None
    report = report_of(app, seal_for(app, orgs["beta"], input_pdf, level="B-T"))
    assert report.signatures[0].signer.common_name == f"{ORGANISATION} — cachet"


def test_expired_removed_or_unreadable_seal_falls_back_to_the_platform(app, orgs, make_p12):
    from core.auth.models import Organisation, User
    from core.extensions import db
    from core.organisations.models import OrganisationSeal
    from core.organisations.seals import remove_seal, signer_for

    upload(app, orgs["alpha"], orgs["alpha_admin"], make_p12())
    with app.app_context():
        org = db.session.get(Organisation, orgs["alpha"].id)
        seal = db.session.query(OrganisationSeal).one()
        assert signer_for(org)[0] is not None
        # the seal's validity has ended since the upload
        kept = seal.not_after
        seal.not_after = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()
        assert signer_for(org) == (None, None)
        seal.not_after = kept
        db.session.commit()
        # SECRET_KEY changed (no ORGANISATION_SEAL_KEY): the stored key no longer opens
        app.extensions.pop("livret_organisation_signers", None)
        previous = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "another-secret-key-for-this-test"
        assert signer_for(org) == (None, None)
        app.config["SECRET_KEY"] = previous
        assert signer_for(org)[0] is not None
        remove_seal(org, actor=db.session.get(User, orgs["alpha_admin"].id))
        db.session.commit()
        assert signer_for(org) == (None, None)


def test_seal_key_setting_encrypts_and_rotation_keeps_old_seals_readable(app, orgs, make_p12):
    from cryptography.fernet import Fernet

    from core.auth.models import Organisation
    from core.extensions import db
    from core.organisations.seals import seal_status, signer_for

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["ORGANISATION_SEAL_KEY"] = old_key
    upload(app, orgs["alpha"], orgs["alpha_admin"], make_p12())
    with app.app_context():
        org = db.session.get(Organisation, orgs["alpha"].id)
        app.config["ORGANISATION_SEAL_KEY"] = new_key  # old key dropped: unreadable
        assert seal_status(org).state == "unreadable"
        app.extensions.pop("livret_organisation_signers", None)
        assert signer_for(org)[0] is None
        app.config["ORGANISATION_SEAL_KEY"] = f"{new_key},{old_key}"  # rotation: the old key still decrypts
        assert seal_status(org).state == "valid"
        assert signer_for(org)[0] is not None


def test_the_organisation_tsa_url_is_used_for_its_seals(app, orgs, make_p12, input_pdf):
    from core.auth.models import Organisation, User
    from core.extensions import db
    from core.organisations.seals import set_tsa_url, signer_for
    from core.sealing.services import SealingFailed, signing_config

    app.config["ORGANISATION_TSA_ALLOW_PRIVATE"] = True  # the development TSA listens on 127.0.0.1
    with app.app_context():
        dev_tsa = signing_config().effective_tsa_url()
        org = db.session.get(Organisation, orgs["alpha"].id)
        admin = db.session.get(User, orgs["alpha_admin"].id)
        set_tsa_url(org, actor=admin, url=dev_tsa)
        db.session.commit()
        assert signer_for(org) == (None, dev_tsa)  # no seal yet: the platform's seal, the organisation's TSA
    report = report_of(app, seal_for(app, orgs["alpha"], input_pdf, level="B-T"))
    assert report.signatures[0].timestamp is not None and report.signatures[0].timestamp.valid

    with app.app_context():
        set_tsa_url(db.session.get(Organisation, orgs["alpha"].id), actor=db.session.get(User, orgs["alpha_admin"].id),
                    url=f"http://127.0.0.1:{closed_port()}/tsa")
        db.session.commit()
    with pytest.raises(SealingFailed):  # proves the organisation's URL is the one asked
        seal_for(app, orgs["alpha"], input_pdf, level="B-T")
    # the other organisation is not affected
    assert report_of(app, seal_for(app, orgs["beta"], input_pdf, level="B-T")).signatures[0].timestamp.valid


def test_private_tsa_url_resolved_at_sealing_time_is_not_used(app, orgs):
    from core.auth.models import Organisation, User
    from core.extensions import db
    from core.organisations.seals import set_tsa_url, signer_for

    app.config["ORGANISATION_TSA_ALLOW_PRIVATE"] = True
    with app.app_context():
        org = db.session.get(Organisation, orgs["alpha"].id)
        set_tsa_url(org, actor=db.session.get(User, orgs["alpha_admin"].id), url="http://10.0.0.7/tsa")
        db.session.commit()
        assert signer_for(org) == (None, "http://10.0.0.7/tsa")
        app.config["ORGANISATION_TSA_ALLOW_PRIVATE"] = False  # e.g. the setting was turned off since
        assert signer_for(org) == (None, None)


def test_services_refuse_anyone_but_the_organisation_admin(app, orgs, create_user, make_p12):
    from core.auth.models import Organisation, User
    from core.errors import NotFound
    from core.extensions import db
    from core.organisations.seals import remove_seal, set_tsa_url, upload_seal

    staff = create_user("certifier_staff", organisation=orgs["alpha"])
    beta_admin = create_user("certifier_admin", organisation=orgs["beta"])
    with app.app_context():
        org = db.session.get(Organisation, orgs["alpha"].id)
        for user in (staff, beta_admin):
            actor = db.session.get(User, user.id)
            with pytest.raises(NotFound):
                upload_seal(org, actor=actor, data=make_p12(), password=SEAL_PASSWORD)
            with pytest.raises(NotFound):
                remove_seal(org, actor=actor)
            with pytest.raises(NotFound):
                set_tsa_url(org, actor=actor, url="")


def test_digital_signature_alone_is_enough_below_b_lt(app, make_p12):
    from datetime import datetime, timezone

    from core.organisations.seal_checks import SealRefused, inspect_pkcs12
    from core.sealing.services import trust_roots

    p12 = make_p12(usage=("digital_signature",))
    with app.app_context():
        roots = trust_roots()
        now = datetime.now(timezone.utc)
        inspected = inspect_pkcs12(p12, SEAL_PASSWORD, now=now, non_repudiation_required=False, trust_roots=roots)
        assert inspected.subject_cn == "Organisme Alpha — cachet"
        with pytest.raises(SealRefused, match="non-répudiation"):
            inspect_pkcs12(p12, SEAL_PASSWORD, now=now, non_repudiation_required=True, trust_roots=roots)
        with pytest.raises(SealRefused, match="ne permettent pas de signer des documents"):
            inspect_pkcs12(make_p12(usage=("key_encipherment",)), SEAL_PASSWORD, now=now,
                           non_repudiation_required=False, trust_roots=roots)


def test_a_wrong_seal_key_setting_is_refused_at_start_up(tmp_path):
    from cryptography.fernet import Fernet

    from core.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="ORGANISATION_SEAL_KEY"):
        load_config(tmp_path, environ={"LIVRET_ORGANISATION_SEAL_KEY": "pas-une-cle-fernet"})
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"
    assert load_config(tmp_path, environ={"LIVRET_ORGANISATION_SEAL_KEY": keys})["ORGANISATION_SEAL_KEY"] == \
        keys.replace(" ", "")
