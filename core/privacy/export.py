"""The export of a person's data as a ZIP, streamed with flat memory (``GET /api/v1/me/export``, the
« Télécharger mes données » button of the account page).

The archive holds the files of :func:`core.privacy.export_data.collect` (annexes and issued documents,
read from the storage interface in chunks of :data:`CHUNK_SIZE`), then ``donnees.json`` (which says, for
each file, where it is in the archive, or that it could not be read), then ``SHA256SUMS`` (the SHA-256 of
every entry's bytes, ``sha256sum -c`` format). :mod:`zipfile` writes to a sink that cannot seek (sizes and
CRCs go in data descriptors), and every chunk the sink receives is handed to the response at once: the
memory held is one chunk and the compressor's window, whatever the size of the files.

Everything is read from the database before the first byte leaves; the request is recorded in the
register (:class:`~core.privacy.models.PrivacyRequest`, « accès », done) and the audit trail
(``account.exported``, counts only). Each account may export :data:`EXPORT_LIMIT` (429 beyond,
``Retry-After``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import zipfile
from datetime import date
from typing import Iterator

from flask import Response, current_app, g, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from core.api.spec import declare_error_response
from core.audit.services import record
from core.auth.models import User
from core.downloads import content_disposition
from core.errors import UserError
from core.extensions import db
from core.privacy.export_data import Export, collect
from core.privacy.models import RequestKind
from core.privacy.self_service import organisations_concerned, record_done

log = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
EXPORT_LIMIT = "10 per hour"
_SCOPE = "livret-privacy-export"
_RETRY_AFTER = "livret_retry_after"  # the g key whose value core.auth.attempts sends as Retry-After on a 429
_ZIP64_FROM = 2**31

OPENAPI_RESPONSE = declare_error_response(
    "ExportTooFrequent", code="rate_limited",
    description=f"Trop d'exports pour ce compte ({EXPORT_LIMIT.replace(' per hour', ' par heure')}) : "
                "l'en-tête `Retry-After` donne le délai d'attente en secondes.",
    message="Vous avez déjà téléchargé vos données plusieurs fois dans l'heure : réessayez dans 12 minutes.")


class ExportTooFrequent(UserError):
    status = 429
    code = "rate_limited"
    default_message = _l("Vous avez déjà téléchargé vos données plusieurs fois dans l'heure : réessayez plus tard.")


def check_limit(user: User) -> None:
    """Count one export for ``user``; :class:`ExportTooFrequent` beyond :data:`EXPORT_LIMIT`."""
    from limits import parse

    from core.extensions import limiter

    if not limiter.enabled:
        return
    strategy = limiter.limiter
    item = parse(EXPORT_LIMIT)
    if strategy.hit(item, _SCOPE, str(user.id)):
        return
    reset_at = strategy.get_window_stats(item, _SCOPE, str(user.id)).reset_time
    retry_after = max(1, math.ceil(reset_at - time.time()))
    g.setdefault(_RETRY_AFTER, retry_after)
    minutes = max(1, math.ceil(retry_after / 60))
    raise ExportTooFrequent(_("Vous avez déjà téléchargé vos données plusieurs fois dans l'heure : réessayez "
                              "dans %(delay)s.", delay=ngettext("%(num)d minute", "%(num)d minutes", minutes)))


class _Sink:
    """A write-only, non-seekable file for :class:`zipfile.ZipFile`: what it receives is taken at once."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _info(path: str, size: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    if size is not None:
        info.file_size = size  # lets zipfile choose ZIP64 for a large file before the bytes are known
    return info


def zip_chunks(export: Export, storage) -> Iterator[bytes]:
    """The ZIP of ``export``, chunk by chunk (see the module). A stored object that cannot be opened is
    left out (its entry in ``donnees.json`` says so, ``file: null, unavailable: true``); one whose bytes
    are not the recorded ones goes in as it is, with ``sha256_in_archive`` beside the recorded hash."""
    from storage import StorageError

    sink = _Sink()
    sums: list[tuple[str, str]] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for item in export.files:
            try:
                reader = storage.open(item.storage_key)
            except StorageError as exc:
                log.warning("export: object %s unavailable (%s)", item.storage_key, type(exc).__name__)
                item.entry.update(file=None, unavailable=True)
                continue
            digest = hashlib.sha256()
            size = getattr(reader, "size", None) or item.size
            with reader, archive.open(_info(item.path, size), "w", force_zip64=size >= _ZIP64_FROM) as out:
                while True:
                    chunk = reader.read(CHUNK_SIZE)
                    if not chunk:
                        break
                    digest.update(chunk)
                    out.write(chunk)
                    data = sink.take()
                    if data:
                        yield data
            found = digest.hexdigest()
            item.entry["file"] = item.path
            if found != item.sha256:
                log.error("export: object %s does not match its recorded SHA-256", item.storage_key)
                item.entry["sha256_in_archive"] = found
            sums.append((found, item.path))
            data = sink.take()
            if data:
                yield data
        body = json.dumps(export.data, ensure_ascii=False, indent=2).encode("utf-8")
        archive.writestr(_info("donnees.json"), body)
        sums.insert(0, (hashlib.sha256(body).hexdigest(), "donnees.json"))
        yield sink.take()
        archive.writestr(_info("SHA256SUMS"), "".join(f"{digest}  {path}\n" for digest, path in sums))
    yield sink.take()


def export_response(user: User) -> Response:
    """The person's export (see the module), recorded and audited before it streams."""
    check_limit(user)
    export = collect(user)
    record_done(user, RequestKind.ACCESS, organisations_concerned(user),
                details="Export de ses données en libre-service : fichier ZIP (donnees.json, "
                        f"{len(export.files)} fichier(s), {len(export.dossier_ids)} dossier(s)).",
                response="Fichier remis immédiatement.")
    record("account.exported", "user", user.id, actor_id=user.id,
           payload={"dossiers": len(export.dossier_ids), "files": len(export.files)})
    db.session.commit()
    storage = current_app.extensions["livret"].storage
    response = Response(stream_with_context(zip_chunks(export, storage)), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(f"livret-mes-donnees-{date.today().isoformat()}.zip")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
