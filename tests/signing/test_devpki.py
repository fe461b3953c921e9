import stat

from asn1crypto import crl as asn1_crl

from signing.devpki import DevPKI


def test_pki_files_keys_private_and_idempotent(dev_pki, config):
    for name in ("root.key.pem", "seal.key.pem", "tsa.key.pem"):
        mode = stat.S_IMODE((dev_pki.dir / name).stat().st_mode)
        assert mode == 0o600, name
    before = {p.name: p.read_bytes() for p in dev_pki.dir.glob("*.pem")}
    DevPKI._create_missing(DevPKI(dev_pki.dir, dev_pki.organisation, dev_pki.base_url))
    after = {p.name: p.read_bytes() for p in dev_pki.dir.glob("*.pem")}
    assert before == after


def test_certificate_profiles(dev_pki, config):
    root = dev_pki.root_cert
    assert root.ca and root.self_signed in ("yes", "maybe")
    assert set(root.key_usage_value.native) == {"key_cert_sign", "crl_sign"}

    seal = dev_pki.seal_credential().cert
    assert seal.subject.native["organization_name"] == config.organisation
    assert seal.subject.native["common_name"] == f"{config.organisation} — cachet"
    assert set(seal.key_usage_value.native) == {"digital_signature", "non_repudiation"}
    assert not seal.ca
    dp_urls = [dp.url for dp in seal.crl_distribution_points]
    assert dp_urls == [dev_pki.crl_url]

    tsa = dev_pki.tsa_credential().cert
    eku = [e for e in tsa["tbs_certificate"]["extensions"] if e["extn_id"].native == "extended_key_usage"][0]
    assert eku["critical"].native is True
    assert eku["extn_value"].native == ["time_stamping"]

    crl = asn1_crl.CertificateList.load(dev_pki.crl_der())
    assert crl.issuer == root.subject


def test_personal_certificate_carries_name_and_email(dev_pki):
    person = dev_pki.issue_person_certificate("Élodie Martin", "elodie.martin@example.org", days=7)
    subj = person.cert.subject.native
    assert subj["common_name"] == "Élodie Martin"
    assert subj["email_address"] == "elodie.martin@example.org"
    assert person.cert.subject_alt_name_value.native == ["elodie.martin@example.org"]
    validity = person.cert["tbs_certificate"]["validity"]
    days = (validity["not_after"].native - validity["not_before"].native).days
    assert days <= 7
    assert person.cert.issuer == dev_pki.root_cert.subject
    assert person.pyhanko_signer().signing_cert == person.cert
    assert b"BEGIN PRIVATE KEY" in person.key_pem


def test_revocation_appears_in_crl(tmp_path):
    pki = DevPKI.ensure(tmp_path / "pki", organisation="Org", base_url="http://127.0.0.1:1")
    person = pki.issue_person_certificate("Jean Dupont", "jean@example.org")
    pki.revoke(person.serial_number)
    crl = pki.crl()
    assert person.serial_number in [r["user_certificate"].native for r in crl["tbs_cert_list"]["revoked_certificates"]]
