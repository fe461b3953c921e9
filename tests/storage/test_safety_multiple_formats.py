"""A file whose bytes are valid in more than one format is refused (``multiple_formats``) with a French message,
whatever format it was sent as; nothing is staged nor stored. Real files: a WeasyPrint PDF, Pillow images, ZIPs
written by :mod:`zipfile`, RAR 5 and 7z archives written byte by byte with their CRCs."""
from __future__ import annotations

import io

import pytest
import storage_samples as samples

from storage import new_key
from storage.safety import (
    UploadPolicy,
    UploadRefused,
    check_single_format,
    has_zip_directory,
    identify,
    receive_upload,
)

POLICY = UploadPolicy(max_file_size=5 * 1024 * 1024)


@pytest.mark.parametrize("maker,filename,message", [
    (lambda: samples.pdf_then(samples.plain_zip()), "attestation.pdf",
     "Ce fichier est à la fois un PDF et une archive ZIP : enregistrez-le de nouveau dans un seul format."),
    (lambda: samples.pdf_then(samples.rar5_archive()), "attestation.pdf",
     "Ce fichier est à la fois un PDF et une archive RAR : enregistrez-le de nouveau dans un seul format."),
    (lambda: samples.pdf_then(samples.sevenzip_archive()), "attestation.pdf",
     "Ce fichier est à la fois un PDF et une archive 7z : enregistrez-le de nouveau dans un seul format."),
    (lambda: samples.image("PNG") + samples.plain_zip(), "capture.png",
     "Ce fichier est à la fois une image PNG et une archive ZIP : enregistrez-le de nouveau dans un seul format."),
    (lambda: samples.image("PNG") + samples.rar5_archive(), "capture.png",
     "Ce fichier est à la fois une image PNG et une archive RAR : enregistrez-le de nouveau dans un seul format."),
    (lambda: samples.image("JPEG") + samples.sevenzip_archive(), "photo.jpg",
     "Ce fichier est à la fois une image JPEG et une archive 7z : enregistrez-le de nouveau dans un seul format."),
    (samples.docx_that_is_also_a_pdf, "fiche.docx",
     "Ce fichier est à la fois un document DOCX et un PDF : enregistrez-le de nouveau dans un seul format."),
])
def test_files_valid_in_two_formats_are_refused_and_nothing_is_kept(maker, filename, message, staging, fs_storage):
    data = maker()
    key = new_key("annexes", 1)
    with pytest.raises(UploadRefused) as info:
        receive_upload(io.BytesIO(data), filename=filename, policy=POLICY, staging_dir=staging,
                       storage=fs_storage, key=key)
    assert info.value.code == "multiple_formats"
    assert str(info.value) == message
    assert list(staging.iterdir()) == [] and list(fs_storage.iter_keys("annexes/")) == []


def test_the_appended_archives_are_real(tmp_path):
    """What the tests append is what an archive reader opens (here: Python's zipfile, and the signatures)."""
    path = tmp_path / "polyglot.pdf"
    path.write_bytes(samples.pdf_then(samples.plain_zip()))
    assert has_zip_directory(path)
    path.write_bytes(samples.pdf())
    assert not has_zip_directory(path)


@pytest.mark.parametrize("maker,filename", [
    (samples.pdf, "attestation.pdf"),
    (lambda: samples.image("PNG", size=(640, 480)), "capture.png"),
    (lambda: samples.image("JPEG", size=(640, 480)), "photo.jpg"),
    (samples.docx, "fiche.docx"),
    (samples.odt, "fiche.odt"),
])
def test_ordinary_files_are_single_format(maker, filename, tmp_path):
    path = tmp_path / filename
    path.write_bytes(maker())
    file_type = identify(path, filename, POLICY)  # runs check_single_format, reading the file itself
    check_single_format(path, file_type)
