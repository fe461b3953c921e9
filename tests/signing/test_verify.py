"""verify(): valid documents, and the tamperings a verifier must catch."""

from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import DocumentRefused, InvalidDocument, seal, sign, verify


@pytest.fixture(scope="module")
def person_and_seal(config, dev_pki, input_pdf):
    person = dev_pki.issue_person_certificate("Élodie Martin", "elodie.martin@example.org")
    signed = sign(input_pdf, signer=person, level="B-T", config=config)
    return seal(signed, level="B-LTA", config=config)


def test_valid_document_report(person_and_seal, dev_pki, config):
    import hashlib

    r = verify(person_and_seal, trust_roots=[dev_pki.root_pem])
    assert r.valid and not r.reasons
    assert r.sha256 == hashlib.sha256(person_and_seal).hexdigest()
    assert r.page_count == 2
    person, org = r.signatures
    assert person.signer.common_name == "Élodie Martin"
    assert person.signer.email == "elodie.martin@example.org"
    assert org.signer.organisation == config.organisation
    for s in r.signatures:
        assert s.intact and s.trusted and s.valid
        assert s.timestamp and s.timestamp.trusted and "horodatage" in s.timestamp.tsa
        assert s.level == "B-LTA"
    assert person.modification_level == "FORM_FILLING"
    assert org.modification_level == "LTA_UPDATES"
    assert len(r.document_timestamps) == 1 and r.document_timestamps[0].valid
    assert r.to_dict()["signers"] == ["Élodie Martin", f"{config.organisation} — cachet"]


def test_untrusted_root_is_not_valid(person_and_seal, tmp_path):
    from signing.devpki import DevPKI

    other = DevPKI.ensure(tmp_path / "autre", organisation="Autre", base_url="http://127.0.0.1:1")
    r = verify(person_and_seal, trust_roots=[other.root_pem])
    assert not r.valid
    assert any("autorité de confiance" in reason for reason in r.reasons)


def test_one_byte_changed_in_signed_region(person_and_seal, dev_pki, nss_db, pdfsig, tmp_path):
    data = bytearray(person_and_seal)
    idx = data.index(b"/Producer")  # WeasyPrint's info dict, first revision
    pos = data.index(b"WeasyPrint", idx)
    data[pos] = ord("w")
    r = verify(bytes(data), trust_roots=[dev_pki.root_pem])
    assert not r.valid
    assert all(not s.intact for s in r.signatures)
    assert any("Le contenu signé a été modifié" in reason for reason in r.reasons)
    # pdfsig agrees on this one
    path = tmp_path / "octet.pdf"
    path.write_bytes(bytes(data))
    assert all(s["Signature Validation"] != "Signature is Valid."
               for s in pdfsig(path) if s.get("Signature Type") == "ETSI.CAdES.detached")


def _append_content_after_seal(pdf: bytes) -> bytes:
    w = IncrementalPdfFileWriter(BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (DIPLOME ACCORDE) Tj ET")
    ref = w.add_object(stream)
    w.add_stream_to_page(0, ref)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def test_incremental_update_after_seal(person_and_seal, dev_pki, pdfsig, tmp_path):
    tampered = _append_content_after_seal(person_and_seal)
    # pdfsig alone still calls every signature valid (it only checks byte ranges)
    path = tmp_path / "ajout.pdf"
    path.write_bytes(tampered)
    cades = [s for s in pdfsig(path) if s.get("Signature Type") == "ETSI.CAdES.detached"]
    assert cades and all(s["Signature Validation"] == "Signature is Valid." for s in cades)

    r = verify(tampered, trust_roots=[dev_pki.root_pem])
    assert not r.valid
    assert all(s.intact for s in r.signatures)  # bytes intact, but...
    assert all(s.modification_level == "OTHER" for s in r.signatures)
    assert any("modifié après cette signature" in reason for reason in r.reasons)


def test_removed_signature(person_and_seal, dev_pki):
    w = IncrementalPdfFileWriter(BytesIO(person_and_seal))
    acroform = w.root["/AcroForm"]
    kept = generic.ArrayObject(
        f for f in acroform["/Fields"] if f.get_object().get("/T") != "Cachet1"
    )
    acroform["/Fields"] = kept
    w.update_container(acroform)
    for page_ref in w.root["/Pages"]["/Kids"]:
        page = page_ref.get_object()
        if "/Annots" in page:
            page["/Annots"] = generic.ArrayObject(
                a for a in page["/Annots"] if a.get_object().get("/T") != "Cachet1"
            )
            w.update_container(page)
    out = BytesIO()
    w.write(out)
    stripped = out.getvalue()
    assert [s.field_name for s in PdfFileReader(BytesIO(stripped)).embedded_regular_signatures] == ["Signature1"]

    r = verify(stripped, trust_roots=[dev_pki.root_pem])
    assert not r.valid
    assert r.removed_signatures == ["Cachet1"]
    assert any("supprimées" in reason and "Cachet1" in reason for reason in r.reasons)


def test_signature_contents_blanked(person_and_seal, dev_pki):
    r0 = PdfFileReader(BytesIO(person_and_seal))
    seal_sig = [s for s in r0.embedded_regular_signatures if s.field_name == "Cachet1"][0]
    start = seal_sig.byte_range[1] + 1  # just after '<'
    end = seal_sig.byte_range[2] - 1
    data = bytearray(person_and_seal)
    data[start:end] = b"0" * (end - start)
    r = verify(bytes(data), trust_roots=[dev_pki.root_pem])
    assert not r.valid
    assert any("Cachet1" in reason for reason in r.reasons)


def test_unsigned_document_is_not_valid(input_pdf, dev_pki):
    r = verify(input_pdf, trust_roots=[dev_pki.root_pem])
    assert not r.valid
    assert r.reasons == ["Le document ne comporte aucune signature."]


@pytest.mark.parametrize("payload", [
    b"",
    b"bonjour, ceci n'est pas un PDF",
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF",
])
def test_malformed_pdf_is_refused_cleanly(payload, dev_pki):
    with pytest.raises(InvalidDocument) as exc:
        verify(payload, trust_roots=[dev_pki.root_pem])
    assert str(exc.value).startswith("Le ")


def test_truncated_signed_pdf_is_refused_or_invalid(person_and_seal, dev_pki):
    try:
        r = verify(person_and_seal[: len(person_and_seal) // 2], trust_roots=[dev_pki.root_pem])
    except InvalidDocument:
        return
    assert not r.valid


def test_limits(person_and_seal, dev_pki):
    with pytest.raises(DocumentRefused) as exc:
        verify(person_and_seal, trust_roots=[dev_pki.root_pem], max_size=1000)
    assert "taille maximale" in str(exc.value)
    with pytest.raises(DocumentRefused) as exc:
        verify(person_and_seal, trust_roots=[dev_pki.root_pem], max_pages=1)
    assert "trop de pages" in str(exc.value)
