"""Logs as JSON lines (``LOG_FORMAT=json``) for log collectors; plain text otherwise.

A small formatter of our own (``json`` of the standard library) rather than a
dependency: one object per line with ``time`` (UTC, ISO 8601), ``level``,
``logger``, ``message``, the request's ``method`` and ``path`` (never its query
string, which may carry personal data) and ``exception`` when there is one.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from flask import Flask, has_request_context, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from core.access_log import mask_path, mask_target

        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_target(record.getMessage()),
        }
        if has_request_context():
            entry["method"], entry["path"] = request.method, mask_path(request.path)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def install(app: Flask) -> None:
    """With ``LOG_FORMAT=json``, every handler of the root logger (and a stderr one if there is none)
    writes JSON lines. Idempotent."""
    if app.config.get("LOG_FORMAT") != "json":
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
        root.setLevel(logging.INFO)
    for handler in root.handlers:
        if not isinstance(handler.formatter, JsonFormatter):
            handler.setFormatter(JsonFormatter())
