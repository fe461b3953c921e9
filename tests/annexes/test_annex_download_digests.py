"""An annex download can be checked: the listed SHA-256 and size are those of the bytes served, repeated in
``ETag`` and ``Content-Digest``; ``If-None-Match`` gives a 304 without a body (not audited); bytes altered
in storage abort the stream (a broken transfer, logged), never a clean wrong file."""
from __future__ import annotations

import base64
import hashlib
import io
import logging

import pytest
import storage_samples as samples


def _upload(client, dossier_id, headers, content, name):
    response = client.post(f"/api/v1/dossiers/{dossier_id}/annexes", headers=headers,
                           data={"file": (io.BytesIO(content), name), "title": "Rapport", "competencies": "C1"},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


def _downloads(app) -> int:
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "annex.downloaded"))


def _drain(response) -> bytes:
    return b"".join(response.response)


def test_annex_download_is_checkable_and_conditional(app, client, login, make_dossier, token_for):
    user, dossier_id = make_dossier()
    headers = token_for(user)
    pdf = samples.pdf()
    annex = _upload(client, dossier_id, headers, pdf, "rapport.pdf")
    listed = next(a for a in client.get(f"/api/v1/dossiers/{dossier_id}/annexes", headers=headers).json["items"]
                  if a["number"] == annex["number"])
    url = listed["links"]["content"]

    login(user)
    for caller, target, extra in ((client, url, headers), (client, f"/dossiers/{dossier_id}/annexes/1/contenu", {})):
        response = caller.get(target, headers=extra)
        body = _drain(response)
        digest = hashlib.sha256(body)
        assert response.status_code == 200 and body == pdf
        assert digest.hexdigest() == listed["sha256"] and response.headers["ETag"] == f'"{listed["sha256"]}"'
        assert response.headers["Content-Digest"] == f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
        assert int(response.headers["Content-Length"]) == len(body) == listed["size"]

    before = _downloads(app)
    etag = f'"{listed["sha256"]}"'
    for value in (etag, f"W/{etag}", f'W/"x", {etag}', "*"):
        cached = client.get(url, headers={**headers, "If-None-Match": value})
        assert cached.status_code == 304 and cached.data == b"" and cached.headers["ETag"] == etag, value
        assert "Content-Digest" not in cached.headers and cached.headers["Cache-Control"] == "no-store"
    assert _downloads(app) == before
    for value in (f'"{"0" * 64}"', "garbage, ,,", 'W/"' + "é" * 10 + '"'):
        fresh = client.get(url, headers={**headers, "If-None-Match": value})
        assert fresh.status_code == 200 and _drain(fresh) == pdf, value
    assert _downloads(app) == before + 3


@pytest.mark.parametrize("change", ["flip", "append", "truncate"])
def test_annex_altered_in_storage_aborts_the_stream(app, client, make_dossier, token_for, caplog, change):
    from core.downloads import DownloadIntegrityError
    from core.dossiers.models import Annex
    from core.extensions import db

    user, dossier_id = make_dossier()
    headers = token_for(user)
    pdf = samples.pdf()
    annex = _upload(client, dossier_id, headers, pdf, "rapport.pdf")
    with app.app_context():
        key = db.session.query(Annex).filter_by(dossier_id=dossier_id, number=annex["number"]).one().storage_key
    path = app.extensions["livret"].storage._path(key)
    altered = {"flip": pdf[:100] + bytes([pdf[100] ^ 0xFF]) + pdf[101:], "append": pdf + b"\n% extra",
               "truncate": pdf[:-10]}[change]
    path.write_bytes(altered)

    # the test client reads the first chunk to start the response (a server sends the headers with it): a file of
    # one chunk fails there, before any byte; a longer one once its last chunk is due (see the next test)
    received = []
    with caplog.at_level(logging.ERROR, logger="core.downloads"):
        with pytest.raises(DownloadIntegrityError):
            response = client.get(annex["links"]["content"], headers=headers)
            for chunk in response.response:
                received.append(chunk)
    assert b"".join(received) == b""  # never the altered bytes, not even a part of them
    assert any("download aborted" in r.getMessage() for r in caplog.records)


def test_a_long_stream_holds_its_last_chunk_until_the_digest_is_checked(app):
    """Several chunks: every chunk but the last leaves, the last never does when the digest is wrong."""
    from core.downloads import DownloadIntegrityError, attachment_response

    chunks = [b"a" * 10, b"b" * 10, b"c" * 10]

    class Reader:
        closed = False

        def __iter__(self):
            return iter(chunks)

        def close(self):
            Reader.closed = True

    good = hashlib.sha256(b"".join(chunks)).hexdigest()
    with app.test_request_context("/"):
        ok = attachment_response(Reader(), filename="x.bin", media_type=None, size=30, sha256=good)
        assert b"".join(ok.response) == b"".join(chunks)
        wrong = attachment_response(Reader(), filename="x.bin", media_type=None, size=30, sha256="0" * 64)
        sent = []
        with pytest.raises(DownloadIntegrityError):
            for chunk in wrong.response:
                sent.append(chunk)
        assert sent == chunks[:2] and Reader.closed
