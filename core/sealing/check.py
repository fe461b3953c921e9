"""``livret seal check``: is every issued document there, intact, valid and recognised as issued here?

Run after restoring a backup (docs/operations.md, « Backups and restore »), or
at any time: for each :class:`core.dossiers.models.Document`, the object is read
from the storage, its SHA-256 compared with the one recorded at issuance, and
the bytes verified as the public verification page does (« émis par cette
plateforme », signatures valid). ``full=True`` verifies every signature again
with pyHanko instead of relying on the report kept at issuance.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from core.dossiers.models import Document
from core.extensions import db


@dataclass
class DocumentCheck:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(storage, key: str) -> tuple[bytes | None, str]:
    try:
        with storage.open(key) as stream:
            return stream.read(), ""
    except Exception as exc:  # noqa: BLE001 - a missing or unreadable object is what this check reports
        return None, type(exc).__name__


def check_documents(*, full: bool = False, batch: int = 200) -> DocumentCheck:
    """Check every issued document (see the module's docstring); problems are listed, one line each."""
    from flask import current_app

    from core.errors import UserError
    from core.sealing.services import signing_config
    from core.verify.services import limits, verify_document
    from signing import verify

    storage = current_app.extensions["livret"].storage
    out = DocumentCheck()
    last_id = 0
    while True:
        documents = db.session.scalars(select(Document).where(Document.id > last_id)
                                       .order_by(Document.id).limit(batch)).all()
        if not documents:
            return out
        for document in documents:
            last_id = document.id
            out.checked += 1
            name = f"document {document.id} ({document.kind}, {document.storage_key})"
            data, error = _read(storage, document.storage_key)
            if data is None:
                out.problems.append(f"{name}: object missing or unreadable ({error})")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != document.sha256 or len(data) != document.size:
                out.problems.append(f"{name}: bytes differ from the recorded SHA-256 {document.sha256}")
                continue
            try:
                result = verify_document(data)
            except UserError as exc:
                out.problems.append(f"{name}: not verifiable ({exc})")
                continue
            if not result.platform.issued:
                out.problems.append(f"{name}: not recognised as issued by this platform")
            report = result.report
            if full:
                cfg = signing_config()
                report = verify(data, trust_roots=cfg.trust_root_certs(), max_size=max(len(data), cfg.max_verify_size),
                                max_pages=max(10**6, cfg.max_verify_pages), limits=limits())
            if not report.valid:
                out.problems.append(f"{name}: not valid ({'; '.join(report.reasons)})")
        db.session.expunge_all()
