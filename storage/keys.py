"""Object keys, built only from server-side identifiers (:func:`make_key`, :func:`new_key`): one or more
segments of ``[a-z0-9_-]`` joined by ``/``; and the check of a hex SHA-256.

Part of :mod:`storage.base`, which re-exports every name.
"""
from __future__ import annotations

import re
import uuid

from .objects import InvalidKey

MAX_KEY_LENGTH = 512
_SEGMENT_RE = re.compile(r"^[a-z0-9_-]+$")
_KEY_RE = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def validate_key(key: str) -> str:
    """Return ``key`` if it is a valid object key, else raise :class:`InvalidKey`."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or not _KEY_RE.match(key):
        raise InvalidKey(f"invalid object key {key!r}: expected [a-z0-9_-] segments joined by '/'")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a valid key optionally followed by ``/``."""
    if prefix == "":
        return prefix
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def _segment(part: object) -> str:
    if isinstance(part, bool):
        raise InvalidKey(f"invalid key segment {part!r}")
    if isinstance(part, int):
        if part < 0:
            raise InvalidKey(f"invalid key segment {part!r}")
        return str(part)
    if isinstance(part, uuid.UUID):
        return str(part)
    if isinstance(part, str) and _SEGMENT_RE.match(part):
        return part
    raise InvalidKey(f"invalid key segment {part!r}: only server-side ids ([a-z0-9_-], ints, UUIDs)")


def make_key(*server_ids: object) -> str:
    """Join server-side ids into a key: ``make_key("annexes", 42, uuid4())``.

    Accepts non-negative ints, :class:`uuid.UUID` and strings already in
    ``[a-z0-9_-]``; anything else (a user file name, a path) raises :class:`InvalidKey`.
    """
    if not server_ids:
        raise InvalidKey("a key needs at least one segment")
    return validate_key("/".join(_segment(p) for p in server_ids))


def new_key(*server_ids: object) -> str:
    """A fresh, unique key under ``server_ids``: ``annexes/<dossier_id>/<uuid4 hex>``."""
    return make_key(*server_ids, uuid.uuid4().hex)


def validate_sha256(value: str) -> str:
    if not isinstance(value, str) or not _SHA256_RE.match(value):
        raise ValueError(f"not a lowercase hex SHA-256: {value!r}")
    return value
