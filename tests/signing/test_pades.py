"""Sealing at every PAdES level, checked by independent verifiers: pyHanko's
validator (against the exported root), poppler's pdfsig (NSS database with
the root) and qpdf --check."""

import asyncio
from io import BytesIO

import pytest
from asn1crypto import crl as asn1_crl
from click.testing import CliRunner
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import (
    read_certification_data,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko_certvalidator import ValidationContext

from signing import LEVELS, SealingError, seal, sign, verify
from signing.cli import make_pki_group, make_seal_command
from signing.pades import MSG_REVOCATION, MSG_TSA, prepare_signature_fields
from signing.tsa import LocalPkiServer
from signing.verify import _lta_spec


@pytest.fixture(scope="module")
def sealed(config, input_pdf):
    return {level: seal(input_pdf, level=level, reason="Scellement du Livret 2", config=config)
            for level in LEVELS}


def _reader(pdf):
    return PdfFileReader(BytesIO(pdf))


def _dss_crls(reader):
    dss = reader.root["/DSS"]
    return [asn1_crl.CertificateList.load(r.get_object().data) for r in dss["/CRLs"]]


def _seal_sig(reader):
    sigs = [s for s in reader.embedded_regular_signatures if s.field_name.startswith("Cachet")]
    assert len(sigs) == 1
    return sigs[0]


@pytest.mark.parametrize("level", LEVELS)
def test_pyhanko_validates_each_level_against_root(sealed, level, dev_pki):
    root = dev_pki.root_cert
    r = _reader(sealed[level])
    emb = _seal_sig(r)
    assert emb.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    st = validate_pdf_signature(emb, ValidationContext(trust_roots=[root]))
    assert st.bottom_line and st.intact and st.valid and st.trusted
    assert st.signing_cert.subject.native["common_name"].endswith("— cachet")

    if level == "B-B":
        assert st.timestamp_validity is None
        return
    # B-T: a trusted signature timestamp from the TSA
    assert st.timestamp_validity is not None and st.timestamp_validity.trusted
    if level == "B-T":
        assert "/DSS" not in r.root
        return
    # B-LT: the DSS alone (no network, revocation mandatory) validates the chain
    crls = _dss_crls(r)
    assert crls and all(c.issuer == root.subject for c in crls)
    offline = ValidationContext(trust_roots=[root], crls=crls, allow_fetching=False,
                                revocation_mode="hard-fail")
    st_lt = validate_pdf_signature(emb, offline, skip_diff=True)
    assert st_lt.bottom_line and st_lt.trusted
    tss = r.embedded_timestamp_signatures
    if level == "B-LT":
        assert tss == []
        return
    # B-LTA: a document timestamp after the signature, and AdES LTA validation
    assert tss and tss[-1].signed_revision > emb.signed_revision
    ts_st = validate_pdf_timestamp(tss[-1], ValidationContext(trust_roots=[root]))
    assert ts_st.valid and ts_st.intact and ts_st.trusted
    result = asyncio.run(ades_lta_validation(emb, _lta_spec([root])))
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    assert result.oldest_evidence_record_timestamp is not None


@pytest.mark.parametrize("level", LEVELS)
def test_pdfsig_and_qpdf_accept_each_level(sealed, level, pdfsig, qpdf, tmp_path):
    path = tmp_path / f"sealed-{level}.pdf"
    path.write_bytes(sealed[level])
    sigs = pdfsig(path)
    cades = [s for s in sigs if s.get("Signature Type") == "ETSI.CAdES.detached"]
    assert len(cades) == 1
    for s in cades:
        assert s["Signature Validation"] == "Signature is Valid."
        assert s["Certificate Validation"] == "Certificate is Trusted."
    # poppler 22.12 cannot validate ETSI.RFC3161 document timestamps (it
    # says "unknown"/"not yet verified"); pyHanko checks them above.
    others = [s for s in sigs if s not in cades]
    assert len(others) == (1 if level == "B-LTA" else 0)
    assert all(s["Signature Type"] == "unknown" for s in others)
    check = qpdf(path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


def test_visible_block_on_last_page(sealed):
    r = _reader(sealed["B-LTA"])
    emb = _seal_sig(r)
    widget = emb.sig_field
    rect = [float(x) for x in widget["/Rect"]]
    assert rect[2] - rect[0] > 100 and rect[3] - rect[1] > 30
    last_page = r.root["/Pages"]["/Kids"][-1].get_object()
    assert widget["/P"].get_object() is last_page or widget["/P"] == r.root["/Pages"]["/Kids"][-1]
    assert "/N" in widget["/AP"]


def test_person_then_seal_two_valid_signatures(config, dev_pki, input_pdf, pdfsig, qpdf, tmp_path):
    person = dev_pki.issue_person_certificate("Élodie Martin", "elodie.martin@example.org")
    signed = sign(input_pdf, signer=person, level="B-T", reason="Déclaration sur l'honneur",
                  config=config)
    sealed = seal(signed, level="B-LTA", config=config)
    assert sealed.startswith(signed)  # incremental updates only

    r = _reader(sealed)
    regular = r.embedded_regular_signatures
    assert [s.field_name for s in regular] == ["Signature1", "Cachet1"]
    vc = ValidationContext(trust_roots=[dev_pki.root_cert])
    for emb in regular:
        st = validate_pdf_signature(emb, vc)
        assert st.bottom_line and st.trusted, emb.field_name

    path = tmp_path / "two.pdf"
    path.write_bytes(sealed)
    cades = [s for s in pdfsig(path) if s.get("Signature Type") == "ETSI.CAdES.detached"]
    assert [s["Signer Certificate Common Name"] for s in cades] == [
        "Élodie Martin", f"{config.organisation} — cachet"]
    assert all(s["Signature Validation"] == "Signature is Valid." for s in cades)
    assert all(s["Certificate Validation"] == "Certificate is Trusted." for s in cades)
    assert qpdf(path).returncode == 0

    report = verify(sealed, trust_roots=[dev_pki.root_pem])
    assert report.valid, report.reasons
    assert report.signers == ["Élodie Martin", f"{config.organisation} — cachet"]
    levels = {s.field_name: s.level for s in report.signatures}
    assert levels == {"Signature1": "B-LTA", "Cachet1": "B-LTA"}
    # the person's B-T signature got its revocation data and archive
    # timestamp from the seal's LTA updates
    assert report.signatures[0].signer.email == "elodie.martin@example.org"


def test_certified_document_allows_signatures_in_prepared_fields(config, dev_pki, input_pdf):
    prepared = prepare_signature_fields(input_pdf, ["Jure1", "Cachet-final"])
    certified = seal(prepared, level="B-T", config=config, certify=True,
                     reason="Procès-verbal de jury")
    cert_data = read_certification_data(_reader(certified))
    assert cert_data is not None and cert_data.permission == MDPPerm.FILL_FORMS
    person = dev_pki.issue_person_certificate("Paul Juré", "paul@example.org")
    juror = sign(certified, signer=person, level="B-T", config=config, field_name="Jure1")
    final = seal(juror, level="B-LTA", config=config, field_name="Cachet-final")
    report = verify(final, trust_roots=[dev_pki.root_pem])
    assert report.valid, report.reasons
    assert [s.field_name for s in report.signatures] == ["Cachet1", "Jure1", "Cachet-final"]
    assert report.signatures[0].certification

    # DocMDP forbids creating a new visible field after certification
    # (pyHanko's difference analysis): reported, not silently accepted
    extra = sign(certified, signer=person, level="B-B", config=config)
    bad = verify(extra, trust_roots=[dev_pki.root_pem])
    assert not bad.valid
    assert any("certification" in r for r in bad.reasons)


def test_tsa_down_fails_closed(config, input_pdf):
    dead = LocalPkiServer()  # bound then closed: nothing listens on that port
    url = dead.tsa_url
    dead.stop()
    bad = config.replace(tsa_url=url, tsa_timeout=2)
    for level in ("B-T", "B-LTA"):
        with pytest.raises(SealingError) as exc:
            seal(input_pdf, level=level, config=bad)
        assert str(exc.value) == MSG_TSA


def test_revocation_unavailable_fails_closed(tmp_path, input_pdf, monkeypatch):
    from signing.config import SigningConfig

    server = LocalPkiServer()
    cfg = SigningConfig(pki_dir=tmp_path / "pki", organisation="Org",
                        dev_base_url=server.base_url, revocation_fetch_timeout=2)
    pki = cfg.dev()
    server.attach(pki).start()
    try:
        assert seal(input_pdf, level="B-T", config=cfg)  # TSA fine

        def crl_down():
            raise OSError("CRL store unavailable")

        monkeypatch.setattr(pki, "crl_der", crl_down)
        for level in ("B-LT", "B-LTA"):
            with pytest.raises(SealingError) as exc:
                seal(input_pdf, level=level, config=cfg)
            assert str(exc.value) == MSG_REVOCATION
    finally:
        server.stop()


def test_unknown_level_and_garbage_input(config, input_pdf):
    with pytest.raises(SealingError):
        seal(input_pdf, level="B-X", config=config)
    with pytest.raises(SealingError) as exc:
        seal(b"not a pdf", level="B-B", config=config)
    assert "illisible" in str(exc.value)


def test_cli_seal_and_export_root(config, dev_pki, input_pdf, tmp_path):
    runner = CliRunner()
    res = runner.invoke(make_pki_group(lambda: config), ["export-root"])
    assert res.exit_code == 0
    assert res.output.encode() == dev_pki.root_pem

    src = tmp_path / "pv.pdf"
    src.write_bytes(input_pdf)
    out = tmp_path / "pv-scelle.pdf"
    cmd = make_seal_command(lambda: config)
    res = runner.invoke(cmd, [str(src), str(out), "--level", "B-T", "--reason", "PV de session"])
    assert res.exit_code == 0, res.output
    assert verify(out.read_bytes(), trust_roots=[dev_pki.root_pem]).valid

    dead = LocalPkiServer()
    url = dead.tsa_url
    dead.stop()
    out2 = tmp_path / "jamais.pdf"
    res = runner.invoke(make_seal_command(lambda: config.replace(tsa_url=url, tsa_timeout=2)),
                        [str(src), str(out2)])
    assert res.exit_code != 0
    assert "horodatage est injoignable" in res.output
    assert not out2.exists()
