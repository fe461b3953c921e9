"""Helpers shared by the storage tests (they live in :mod:`storage.testing`, importable by any suite)."""
from storage.testing import (  # noqa: F401
    EICAR, S3_ACCESS_KEY, S3_SECRET_KEY, Clamd, SeaweedS3, build_signature_db, find_binary, free_port, free_ports,
    stop_process)
