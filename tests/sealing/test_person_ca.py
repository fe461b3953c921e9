"""Issue 16 §1: personal signatures in production come from a configured CA (signing.person_ca), not from the
development PKI; without one, production does not start and says what is missing."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.sealing.testing import signing_env  # noqa: F401 - the shared signing fixture
from signing.testing import make_person_ca


def _production(app_config, env, **extra):
    pki = Path(env["SIGNING_PKI_DIR"])
    return {**app_config, "SIGNING_DEV_PKI": False, "SIGNING_SEAL_CERT": str(pki / "seal.crt.pem"),
            "SIGNING_SEAL_KEY": str(pki / "seal.key.pem"), "UPLOAD_SCAN": False,
            "SIGNING_TSA_URL": env["SIGNING_DEV_BASE_URL"] + "/tsa", "SIGNING_TRUST_ROOTS": str(pki / "root.crt.pem"),
            **extra}


def test_production_without_a_person_ca_refuses_to_start_naming_the_settings(app_config, signing_env):  # noqa: F811
    from core import ConfigError, create_app

    with pytest.raises(ConfigError) as info:
        create_app(_production(app_config, signing_env))
    for name in ("SIGNING_PERSON_CA_PKCS12", "SIGNING_PERSON_CA_CERT", "SIGNING_PERSON_CA_KEY",
                 "SIGNING_PERSON_CA_PKCS11_KEY", "livret_person_signer"):
        assert name in str(info.value)


def test_a_certificate_that_is_not_a_ca_or_a_wrong_password_is_refused_at_start_up(app_config, signing_env):  # noqa: F811
    from core import ConfigError, create_app

    pki = Path(signing_env["SIGNING_PKI_DIR"])
    with pytest.raises(ConfigError) as info:
        create_app(_production(app_config, signing_env, **make_person_ca(pki, ca=False)))
    assert "n'est pas celui d'une autorité de certification" in str(info.value)
    settings = make_person_ca(pki, pkcs12_password="le bon mot de passe")
    with pytest.raises(ConfigError) as info:
        create_app(_production(app_config, signing_env, **{**settings, "SIGNING_PERSON_CA_PKCS12_PASSWORD": "non"}))
    assert "Le fichier PKCS#12 de l'autorité des signatures personnelles est illisible" in str(info.value)
    with pytest.raises(ConfigError) as info:
        create_app(_production(app_config, signing_env, SIGNING_PERSON_CA_CERT=str(pki / "person-ca.crt.pem")))
    assert "SIGNING_PERSON_CA_CERT and SIGNING_PERSON_CA_KEY go together" in str(info.value)


@pytest.mark.parametrize("source", ["pem", "pkcs12"])
def test_the_ca_issues_short_lived_certificates_that_chain_to_the_trusted_root(signing_env, source):  # noqa: F811
    from cryptography import x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    from signing.credentials import load_certs_from_files
    from signing.person_ca import PersonCA, PersonCAConfig

    pki = Path(signing_env["SIGNING_PKI_DIR"])
    settings = make_person_ca(pki, pkcs12_password="secret" if source == "pkcs12" else None)
    config = PersonCAConfig(pkcs12=settings.get("SIGNING_PERSON_CA_PKCS12"),
                            pkcs12_password=settings.get("SIGNING_PERSON_CA_PKCS12_PASSWORD"),
                            cert=settings.get("SIGNING_PERSON_CA_CERT"), key=settings.get("SIGNING_PERSON_CA_KEY"),
                            crl_url="https://livret.example.org/pki/signatures.crl")
    authority = PersonCA.from_config(config)
    person = authority.issue_person_certificate("Inès Petit", "ines.petit@example.org", days=3)
    cert = x509.load_der_x509_certificate(person.cert.dump())
    assert cert.subject.rfc4514_string() == "1.2.840.113549.1.9.1=ines.petit@example.org,CN=Inès Petit,C=FR"
    assert 2.9 * 86400 < (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() < 3.1 * 86400
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert [u.value for dp in cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
            for u in dp.full_name] == ["https://livret.example.org/pki/signatures.crl"]
    # a validator that trusts only the root accepts it for non-repudiation, through the CA
    roots = load_certs_from_files([pki / "root.crt.pem"])
    context = ValidationContext(trust_roots=roots, other_certs=person.chain, allow_fetching=False,
                                revocation_mode="soft-fail")
    path = asyncio.run(CertificateValidator(person.cert, validation_context=context)
                       .async_validate_usage({"non_repudiation"}))
    assert [c.subject.human_friendly for c in path] [-2:] == [authority.ca_cert.subject.human_friendly,
                                                              person.cert.subject.human_friendly]
    # the CRL the operator publishes is signed by the CA and lists what is revoked
    crl = x509.load_der_x509_crl(authority.crl([(person.cert.serial_number, cert.not_valid_before_utc)]))
    ca = x509.load_der_x509_certificate(authority.ca_cert.dump())
    assert crl.is_signature_valid(ca.public_key()) and crl.issuer == ca.subject
    assert crl.get_revoked_certificate_by_serial_number(person.cert.serial_number) is not None


def test_livret_pki_person_crl_writes_the_signed_crl(app_config, signing_env, tmp_path):  # noqa: F811
    from cryptography import x509

    from core import create_app

    pki = Path(signing_env["SIGNING_PKI_DIR"])
    app = create_app(_production(app_config, signing_env, **make_person_ca(pki)))
    result = app.test_cli_runner().invoke(args=["pki", "person-crl", "--output", str(tmp_path / "p.crl")])
    assert result.exit_code == 0, result.output
    ca = x509.load_pem_x509_certificate((pki / "person-ca.crt.pem").read_bytes())
    crl = x509.load_der_x509_crl((tmp_path / "p.crl").read_bytes())
    assert crl.is_signature_valid(ca.public_key()) and crl.next_update_utc > crl.last_update_utc


def test_livret_pki_person_crl_says_when_there_is_no_ca(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["pki", "person-crl", "--output", str(tmp_path / "p.crl")])
    assert result.exit_code == 1 and "No personal-signature CA is configured" in result.output
    assert not (tmp_path / "p.crl").exists()
