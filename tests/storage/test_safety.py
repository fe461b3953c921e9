"""Upload checks on real generated files: each refusal has a code, a French message,
and leaves nothing behind (no staged file, no stored object)."""
from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest
import storage_samples as samples

from storage import new_key
from storage.safety import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    UploadPolicy,
    UploadRefused,
    accept_upload,
    receive_upload,
    safe_filename,
)

POLICY = UploadPolicy(max_file_size=5 * 1024 * 1024)


def receive(data, filename, staging, policy=POLICY, **kwargs):
    return receive_upload(io.BytesIO(data) if isinstance(data, bytes) else data, filename=filename, policy=policy,
                          staging_dir=staging, **kwargs)


def refused(data, filename, staging, **kwargs) -> UploadRefused:
    with pytest.raises(UploadRefused) as info:
        receive(data, filename, staging, **kwargs)
    assert list(staging.iterdir()) == [], "a refused upload left a staged file"
    message = str(info.value.message)
    assert message and message[0].isupper() and message.endswith((".", ")")), message
    return info.value


# -- accepted ------------------------------------------------------------------------
@pytest.mark.parametrize("maker,filename,expected", [
    (samples.pdf, "Attestation employeur.pdf", PDF),
    (lambda: samples.image("PNG"), "capture.PNG", PNG),
    (lambda: samples.image("JPEG"), "photo.jpg", JPEG),
    (lambda: samples.image("JPEG"), "photo.jpeg", JPEG),
    (samples.docx, "fiche.docx", DOCX),
    (samples.odt, "fiche.odt", ODT),
])
def test_accepted_types(maker, filename, expected, staging):
    data = maker()
    with receive(data, filename, staging) as staged:
        assert staged.file_type is expected
        assert staged.media_type == expected.media_type
        assert staged.size == len(data)
        assert staged.sha256 == hashlib.sha256(data).hexdigest()
        assert staged.path.read_bytes() == data
        assert oct(staged.path.stat().st_mode & 0o777) == "0o600"
        assert staged.scan.state == "not_scanned"
    assert list(staging.iterdir()) == []


def test_accept_upload_stores_in_s3(s3_storage, staging):
    data = samples.pdf()
    key = new_key("annexes", 12)
    accepted = accept_upload(s3_storage, key, iter([data[:1000], data[1000:]]), filename="../../CV\u202egpj.pdf",
                             policy=POLICY, staging_dir=staging)
    assert accepted.filename == "CVgpj.pdf"
    assert accepted.stored.sha256 == hashlib.sha256(data).hexdigest() == s3_storage.stat(key).sha256
    assert s3_storage.stat(key).content_type == "application/pdf"
    assert list(staging.iterdir()) == []


# -- PDF -----------------------------------------------------------------------------
@pytest.mark.parametrize("maker", [
    samples.pdf_with_openaction_js,
    lambda: samples.pdf_with_openaction_js(object_stream_mode=__import__("pikepdf").ObjectStreamMode.generate),
    samples.pdf_with_embedded_file,
    samples.pdf_with_launch_action,
    lambda: samples.handwritten_pdf("/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    lambda: samples.handwritten_pdf("/Names << /J#61v#61Script << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>"),
    lambda: samples.handwritten_pdf("/AcroForm << /Fields [] /X#46A [(template) 3 0 R] >>"),
    lambda: samples.handwritten_pdf("/OpenAction << /S /URI /URI (javascript:alert(1)) >>"),
    lambda: samples.handwritten_pdf("/OpenAction << /S /L#61unch /F (calc.exe) >>"),
    lambda: samples.handwritten_pdf("/Extra << /Type /RichMedia >>"),
])
def test_pdf_active_content_refused(maker, staging):
    assert refused(maker(), "livret.pdf", staging).code == "pdf_active_content"


def test_pdf_with_plain_openaction_goto_accepted(staging):
    data = samples.handwritten_pdf("/OpenAction [3 0 R /Fit]")
    with receive(data, "ok.pdf", staging) as staged:
        assert staged.file_type is PDF


def test_pdf_active_object_outside_xref_refused(staging):
    # An object the cross-reference table does not list is invisible to the parser;
    # the raw scan still finds the name, even escaped.
    data = samples.handwritten_pdf("")
    data = data.replace(b"xref\n", b"9 0 obj\n<< /S /J#61vaScript /JS (x) >>\nendobj\nxref\n", 1)
    assert refused(data, "hidden.pdf", staging).code == "pdf_active_content"


def test_pdf_damaged_and_encrypted(staging):
    assert refused(b"%PDF-1.7\n garbage" + os.urandom(200), "broken.pdf", staging).code == "pdf_invalid"
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(samples.pdf())) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    assert refused(out.getvalue(), "locked.pdf", staging).code == "pdf_encrypted"


# -- type and extension --------------------------------------------------------------
def test_png_named_pdf_refused(staging):
    error = refused(samples.image("PNG"), "attestation.pdf", staging)
    assert error.code == "extension_mismatch"
    assert "PNG" in str(error.message) and ".png" in str(error.message)


def test_pdf_named_docx_refused(staging):
    assert refused(samples.pdf(), "fiche.docx", staging).code == "extension_mismatch"


@pytest.mark.parametrize("filename", ["setup.exe", "archive.zip", "script.js", "page.html", "noextension", "a.pdf.exe"])
def test_extension_not_allowed_refused_before_reading(filename, staging):
    def never_read():
        raise AssertionError("the stream must not be read")
        yield b""  # pragma: no cover

    assert refused(never_read(), filename, staging).code == "type_not_allowed"


def test_executable_renamed_refused(staging):
    assert refused(samples.windows_exe(), "cv.pdf", staging).code == "type_not_allowed"
    assert refused(b"#!/bin/sh\nrm -rf /\n", "cv.odt", staging).code == "type_not_allowed"


@pytest.mark.parametrize("maker,filename", [(samples.plain_zip, "fiche.docx"), (samples.plain_zip, "fiche.odt"),
                                            (samples.gzip_bytes, "cv.pdf")])
def test_archives_refused(maker, filename, staging):
    assert refused(maker(), filename, staging).code == "archive"


def test_type_not_in_policy_refused(staging):
    policy = UploadPolicy(allowed_types=("pdf",))
    assert refused(samples.image("PNG"), "x.png", staging, policy=policy).code == "type_not_allowed"


def test_corrupted_image_refused(staging):
    data = samples.image("PNG", size=(300, 300))
    assert refused(data[:60], "x.png", staging).code == "image_invalid"


# -- containers ----------------------------------------------------------------------
def test_docx_with_macros_refused(staging):
    data = samples.docx(extra_members={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + os.urandom(500)})
    assert refused(data, "fiche.docx", staging).code == "macros"


def test_docm_content_type_refused(staging):
    data = samples.docx(extra_types='<Override PartName="/word/vbaData.xml" '
                                    'ContentType="application/vnd.ms-word.vbaData+xml"/>')
    assert refused(data, "fiche.docx", staging).code == "macros"


def test_docx_with_ole_object_refused(staging):
    data = samples.docx(extra_members={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 100})
    assert refused(data, "fiche.docx", staging).code == "macros"


def test_odt_with_basic_macros_refused(staging):
    data = samples.odt(extra_members={"Basic/Standard/Module1.xml": b"<script/>"})
    assert refused(data, "fiche.odt", staging).code == "macros"


def test_odt_needs_mimetype_first(staging):
    assert refused(samples.odt(mimetype_first=False), "fiche.odt", staging).code in ("archive", "container_invalid")


def test_zip_bomb_ratio_refused(staging):
    data = samples.docx(document_padding=60 * 1024 * 1024)  # 60 MB of spaces, deflated to ~60 kB
    assert len(data) < 200_000
    assert refused(data, "bombe.docx", staging).code == "container_too_large"


def test_zip_total_size_refused(staging):
    policy = UploadPolicy(max_uncompressed_size=1024 * 1024)
    data = samples.docx(extra_members={f"word/media/image{i}.png": os.urandom(300_000) for i in range(5)})
    assert refused(data, "gros.docx", staging, policy=policy).code == "container_too_large"


def test_zip_too_many_members_refused(staging):
    policy = UploadPolicy(max_archive_members=50)
    data = samples.docx(extra_members={f"word/media/i{i}.xml": b"<a/>" for i in range(60)})
    assert refused(data, "nombreux.docx", staging, policy=policy).code == "container_too_large"


@pytest.mark.parametrize("member", ["../../evil.sh", "/etc/cron.d/x", "word\\..\\..\\evil", "C:/evil", "word/\x01x"])
def test_zip_path_traversal_refused(member, staging):
    data = samples.docx(extra_members={member: b"x"})
    assert refused(data, "fiche.docx", staging).code == "unsafe_member_name"


def test_zip_lying_sizes_refused(staging):
    # Declared sizes say 10 bytes; the member really inflates to far more.
    data = bytearray(samples.docx(extra_members={"word/big.xml": b"A" * 2_000_000}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/big.xml")
    # Patch the central directory entry's uncompressed size (offset 24 in the record).
    idx = bytes(data).find(b"word/big.xml", bytes(data).find(b"PK\x01\x02"))
    record = idx - 46
    assert data[record:record + 4] == b"PK\x01\x02"
    data[record + 24:record + 28] = (10).to_bytes(4, "little")
    assert info.file_size == 2_000_000
    assert refused(bytes(data), "menteur.docx", staging).code in ("container_invalid", "container_too_large")


def test_xml_entities_refused(staging):
    bomb = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", bomb)
        z.writestr("_rels/.rels", samples.DOCX_RELS)
        z.writestr("word/document.xml", "<w/>")
    assert refused(buf.getvalue(), "x.docx", staging).code == "container_invalid"


# -- size and quota ------------------------------------------------------------------
def test_too_large_stops_streaming(staging):
    policy = UploadPolicy(max_file_size=1024 * 1024)
    produced = []

    def endless():
        while True:
            produced.append(1)
            yield b"%PDF" + b"\x00" * 65532

    error = refused(endless(), "enorme.pdf", staging, policy=policy)
    assert error.code == "too_large" and "1 Mo" in str(error.message)
    assert len(produced) <= 18  # stopped right after the limit, not at the end of the stream


def test_declared_length_refused_early(staging):
    assert refused(iter([]), "x.pdf", staging, declared_length=10 * 1024 * 1024).code == "too_large"


def test_quota(staging):
    data = samples.pdf()
    error = refused(data, "x.pdf", staging, current_usage=1000, quota=1000 + len(data) - 1)
    assert error.code == "quota_exceeded"
    assert refused(data, "x.pdf", staging, current_usage=5000, quota=5000).code == "quota_exceeded"
    with receive(data, "x.pdf", staging, current_usage=1000, quota=1000 + len(data)) as staged:
        assert staged.size == len(data)


def test_empty_refused(staging):
    assert refused(b"", "vide.pdf", staging).code == "empty"


# -- names ---------------------------------------------------------------------------
@pytest.mark.parametrize("raw,expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\Marie\\Mon CV.PDF", "Mon CV.pdf"),
    ("rapport\u202efdp.exe", "rapportfdp.exe"),
    ("  ..  .bashrc", "bashrc"),
    ("CON.txt", "_CON.txt"),
    ("ｆｉｃｈｅ／poste.odt", "poste.odt"),
    ("a\x00b\r\nc.pdf", "abc.pdf"),
    ("Fiche  de\tposte   n°2.docx", "Fiche de poste n°2.docx"),
    ("e\u0301te\u0301.pdf", "\u00e9t\u00e9.pdf"),
    ('what<>:"|?*.pdf', "what_______.pdf"),
    ("", "document"),
    (None, "document"),
    ("...", "document"),
])
def test_safe_filename(raw, expected):
    assert safe_filename(raw) == expected


def test_safe_filename_length_keeps_extension():
    name = safe_filename("é" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name) <= 120 and len(name.encode()) <= 240
    assert safe_filename("x" * 50 + ".pdf", max_length=20) == "x" * 16 + ".pdf"


def test_refusal_messages_are_french_outside_app_context():
    error = UploadRefused("x", __import__("flask_babel").lazy_gettext("Le fichier est vide."))
    assert str(error) == "Le fichier est vide."
