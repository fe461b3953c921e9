"""Annex settings read from the app: storage, scanner, upload policy, staging directory, quota and usage."""
from __future__ import annotations

import os

from flask import current_app
from sqlalchemy import func, select

from core.dossiers.models import Annex
from core.extensions import db


def _state():
    return current_app.extensions["livret"]


def get_storage():
    return _state().storage


def get_scanner():
    from storage import scanner_from_settings

    return scanner_from_settings(current_app.config)


def antivirus_configured() -> bool:
    """clamd is set (``CLAMD_ADDRESS``) and scanning is not switched off (``UPLOAD_SCAN``)."""
    return bool((current_app.config.get("CLAMD_ADDRESS") or "").strip()) and bool(
        current_app.config.get("UPLOAD_SCAN", True))


def upload_policy():
    from storage import policy_from_settings

    return policy_from_settings(current_app.config)


def staging_dir() -> str:
    """Where uploads wait while they are checked (``<instance>/upload-staging``)."""
    return os.path.join(current_app.instance_path, "upload-staging")


def dossier_quota() -> int:
    return int(current_app.config["UPLOAD_DOSSIER_QUOTA"])


def usage_of(dossier_id: int) -> int:
    """Bytes used by the dossier's active annexes (removed ones no longer count)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Annex.size), 0)).where(
        Annex.dossier_id == dossier_id, Annex.removed_at.is_(None))) or 0)
