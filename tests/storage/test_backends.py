"""One contract, run against the filesystem backend and a real S3 server (SeaweedFS)."""
from __future__ import annotations

import hashlib
import io
import os
import stat
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from storage import (
    FilesystemStorage,
    IntegrityError,
    InvalidKey,
    ObjectNotFound,
    SizeLimitExceeded,
    make_key,
    new_key,
    storage_from_settings,
    validate_key,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunks(data: bytes, size: int = 7000):
    for i in range(0, len(data), size):
        yield data[i:i + size]


# -- keys ----------------------------------------------------------------------------
def test_make_key_accepts_server_ids_only():
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert make_key("annexes", 42, u) == "annexes/42/12345678-1234-5678-1234-567812345678"
    key = new_key("annexes", 7)
    assert key.startswith("annexes/7/") and len(key.split("/")[-1]) == 32
    for bad in ("CV.pdf", "../x", "a/b", "", "é", "x y", -1, True, 1.5, None):
        with pytest.raises(InvalidKey):
            make_key("annexes", bad)


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/", "a/../b", "a/./b", "A", "a.b",
                                 "a\\b", "a/b\x00", "", "x" * 513, "annexes/1/CV final.pdf"])
def test_invalid_keys_refused(key):
    with pytest.raises(InvalidKey):
        validate_key(key)


# -- contract ------------------------------------------------------------------------
def test_put_open_stat_delete(storage):
    data = os.urandom(300_000)
    key = make_key("annexes", 1, uuid.uuid4())
    stored = storage.put(key, io.BytesIO(data), content_type="application/pdf")
    assert (stored.key, stored.size, stored.sha256) == (key, len(data), sha(data))
    assert storage.exists(key)
    st = storage.stat(key)
    assert (st.size, st.sha256, st.content_type) == (len(data), sha(data), "application/pdf")
    assert abs((datetime.now(timezone.utc) - st.modified).total_seconds()) < 120
    with storage.open(key) as f:
        assert f.read() == data
    with storage.open(key) as f:
        assert b"".join(f) == data  # iteration in chunks
    assert storage.delete(key) is True
    assert not storage.exists(key)
    assert storage.delete(key) is False
    with pytest.raises(ObjectNotFound):
        storage.stat(key)
    with pytest.raises(ObjectNotFound):
        storage.open(key)


@pytest.mark.parametrize("kind", ["generator", "file", "bytes", "announced"])
def test_put_sources_and_hash(storage, kind, tmp_path):
    data = os.urandom(6 * 1024 * 1024 + 123)  # over one S3 part
    key = new_key("annexes", 2)
    if kind == "generator":
        stored = storage.put(key, chunks(data, 65536), content_type="image/png")
    elif kind == "file":
        path = tmp_path / "f"
        path.write_bytes(data)
        with open(path, "rb") as f:
            stored = storage.put(key, f, content_type="image/png")
    elif kind == "bytes":
        stored = storage.put(key, data, content_type="image/png")
    else:
        stored = storage.put(key, chunks(data), length=len(data), sha256=sha(data), content_type="image/png")
    assert stored.sha256 == sha(data) and stored.size == len(data)
    st = storage.stat(key)
    assert st.sha256 == sha(data) and st.size == len(data) and st.content_type == "image/png"
    with storage.open(key) as f:
        assert hashlib.sha256(b"".join(f)).hexdigest() == sha(data)


def test_empty_object(storage):
    key = new_key("x")
    stored = storage.put(key, iter([]), content_type="application/pdf")
    assert stored.size == 0 and stored.sha256 == sha(b"")
    assert storage.stat(key).sha256 == sha(b"")


@pytest.mark.parametrize("mismatch", ["short", "long", "sha256"])
def test_integrity_mismatch_stores_nothing(storage, mismatch):
    data = os.urandom(100_000)
    key = new_key("annexes", 3)
    kwargs = {"length": len(data)}
    if mismatch == "short":
        kwargs["length"] = len(data) + 10
    elif mismatch == "long":
        kwargs["length"] = len(data) - 10
    else:
        kwargs["sha256"] = sha(b"something else")
    with pytest.raises(IntegrityError):
        storage.put(key, chunks(data), content_type="application/pdf", **kwargs)
    assert not storage.exists(key)
    assert list(storage.iter_keys()) == []


def test_max_size_stores_nothing(storage):
    key = new_key("annexes", 4)
    with pytest.raises(SizeLimitExceeded):
        storage.put(key, chunks(os.urandom(200_000)), content_type="application/pdf", max_size=100_000)
    assert not storage.exists(key)
    assert list(storage.iter_keys()) == []


def test_overwrite_replaces(storage):
    key = new_key("annexes", 5)
    storage.put(key, b"old", content_type="text/plain")
    storage.put(key, b"new content", content_type="application/pdf")
    with storage.open(key) as f:
        assert f.read() == b"new content"
    st = storage.stat(key)
    assert st.sha256 == sha(b"new content") and st.content_type == "application/pdf"


def test_iter_keys_prefix(storage):
    keys = {make_key("annexes", 1, "a"), make_key("annexes", 1, "b"), make_key("annexes", 2, "c"),
            make_key("sealed", 1, "d")}
    for k in keys:
        storage.put(k, k.encode(), content_type="text/plain")
    assert set(storage.iter_keys()) == keys
    assert set(storage.iter_keys("annexes/1/")) == {"annexes/1/a", "annexes/1/b"}
    assert set(storage.iter_keys("annexes/")) == {"annexes/1/a", "annexes/1/b", "annexes/2/c"}
    entries = {e.key: e for e in storage.iter_objects("sealed/")}
    assert entries["sealed/1/d"].size == len(b"sealed/1/d")
    assert entries["sealed/1/d"].modified.tzinfo is not None
    with pytest.raises(InvalidKey):
        list(storage.iter_keys("../"))


@pytest.mark.parametrize("op", ["put", "open", "stat", "delete", "exists"])
def test_operations_validate_keys(storage, op):
    for key in ("../escape", "/etc/passwd", "annexes/1/cv.pdf"):
        with pytest.raises(InvalidKey):
            if op == "put":
                storage.put(key, b"x", content_type="text/plain")
            else:
                getattr(storage, op)(key)


def test_concurrent_reader_sees_old_or_new(storage):
    key = new_key("annexes", 6)
    old, new = b"a" * 2_000_000, b"b" * 2_000_000
    storage.put(key, old, content_type="text/plain")
    seen = set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            with storage.open(key) as f:
                seen.add(sha(f.read()))

    t = threading.Thread(target=read)
    t.start()
    try:
        for _ in range(3):
            storage.put(key, new, content_type="text/plain")
            storage.put(key, old, content_type="text/plain")
    finally:
        stop.set()
        t.join()
    assert seen <= {sha(old), sha(new)}


# -- filesystem specifics ------------------------------------------------------------
def test_filesystem_permissions_and_layout(fs_storage):
    key = make_key("annexes", 9, "abc")
    fs_storage.put(key, b"data", content_type="application/pdf")
    path = fs_storage.root / "annexes" / "9" / "abc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["abc", "abc.meta.json"]


def test_filesystem_refuses_symlink_escape(fs_storage, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (fs_storage.root / "annexes").mkdir()
    os.symlink(outside, fs_storage.root / "annexes" / "1")
    with pytest.raises(InvalidKey):
        fs_storage.put("annexes/1/x", b"data", content_type="text/plain")
    assert list(outside.iterdir()) == []


def test_filesystem_temporaries_hidden_and_purged(fs_storage):
    fs_storage.put("annexes/1/a", b"data", content_type="text/plain")
    leftover = fs_storage.root / "annexes" / "1" / ".tmp-crashed"
    leftover.write_bytes(b"partial")
    orphan_meta = fs_storage.root / "annexes" / "1" / "gone.meta.json"
    orphan_meta.write_text("{}")
    assert list(fs_storage.iter_keys()) == ["annexes/1/a"]
    assert fs_storage.purge_stale_temporaries(3600) == []  # too recent
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    os.utime(orphan_meta, (old, old))
    assert sorted(fs_storage.purge_stale_temporaries(3600)) == ["annexes/1/.tmp-crashed", "annexes/1/gone.meta.json"]
    assert fs_storage.exists("annexes/1/a")


def test_filesystem_failed_write_leaves_nothing(fs_storage):
    def broken():
        yield b"x" * 1000
        raise OSError("client went away")

    with pytest.raises(OSError):
        fs_storage.put("annexes/1/b", broken(), content_type="text/plain")
    assert [p.name for p in (fs_storage.root / "annexes" / "1").iterdir()] == []


def test_storage_from_settings(tmp_path, s3_server):
    fs = storage_from_settings({"STORAGE_BACKEND": "filesystem", "STORAGE_PATH": str(tmp_path / "o")})
    assert isinstance(fs, FilesystemStorage)
    s3 = storage_from_settings({
        "STORAGE_BACKEND": "s3", "S3_ENDPOINT": s3_server["endpoint"], "S3_ACCESS_KEY": s3_server["access_key"],
        "S3_SECRET_KEY": s3_server["secret_key"], "S3_BUCKET": "settings-bucket", "S3_SECURE": "false",
        "S3_REGION": "us-east-1", "S3_CREATE_BUCKETS": "true"})
    s3.check()
    stored = s3.put("k", b"v", content_type="text/plain")
    assert s3.stat("k").sha256 == stored.sha256


# -- S3 specifics --------------------------------------------------------------------
def test_s3_sha256_is_object_metadata(s3_storage, s3_server):
    data = b"evidence" * 1000
    s3_storage.put("annexes/1/m", chunks(data), content_type="application/pdf")
    raw = s3_server["client"].stat_object(s3_storage.bucket, "annexes/1/m")
    assert raw.metadata["x-amz-meta-sha256"] == sha(data)
    assert raw.content_type == "application/pdf"


def test_s3_sealed_with_object_lock(s3_server):
    from storage.s3 import MinioStorage

    bucket, locked_bucket = f"t-{uuid.uuid4().hex[:12]}", f"l-{uuid.uuid4().hex[:12]}"
    s3 = MinioStorage(s3_server["endpoint"], s3_server["access_key"], s3_server["secret_key"], bucket,
                      secure=False, region="us-east-1", object_lock_bucket=locked_bucket, create_buckets=True)
    assert s3.object_lock_available() == (True, None)
    until = datetime.now(timezone.utc) + timedelta(days=1)
    data = b"%PDF-1.7 signed"
    sealed = s3.put_sealed("sealed/1/livret", chunks(data, 5), content_type="application/pdf",
                           retain_until=until, mode="GOVERNANCE")
    assert sealed.locked and sealed.bucket == locked_bucket and sealed.mode == "GOVERNANCE"
    assert sealed.stored.sha256 == sha(data)
    client = s3_server["client"]
    assert client.stat_object(locked_bucket, "sealed/1/livret").metadata["x-amz-meta-sha256"] == sha(data)
    with pytest.raises(Exception) as refused:
        client.remove_object(locked_bucket, "sealed/1/livret", version_id=sealed.version_id)
    assert "AccessDenied" in str(refused.value) or "locked" in str(refused.value).lower()


def test_s3_sealed_without_lock_reports_it(s3_storage, fs_storage):
    until = datetime.now(timezone.utc) + timedelta(days=1)
    sealed = s3_storage.put_sealed("sealed/1/x", b"pdf", content_type="application/pdf", retain_until=until)
    assert not sealed.locked and "no object-lock bucket" in sealed.reason
    assert s3_storage.exists("sealed/1/x")
    from storage import StorageError

    with pytest.raises(StorageError):
        s3_storage.put_sealed("sealed/1/y", b"pdf", content_type="application/pdf", retain_until=until,
                              require_lock=True)
    assert not s3_storage.exists("sealed/1/y")
    sealed = fs_storage.put_sealed("sealed/1/x", b"pdf", content_type="application/pdf", retain_until=until)
    assert not sealed.locked and "filesystem" in sealed.reason


def test_s3_bucket_without_lock_detected(s3_server):
    from storage.s3 import MinioStorage

    name = f"n-{uuid.uuid4().hex[:12]}"
    s3_server["client"].make_bucket(name)  # exists, but without object lock
    s3 = MinioStorage(s3_server["endpoint"], s3_server["access_key"], s3_server["secret_key"], name,
                      secure=False, region="us-east-1", object_lock_bucket=name)
    available, reason = s3.object_lock_available()
    assert not available and "not enabled" in reason


def test_s3_unreachable_is_an_error(tmp_path):
    import socket

    from storage import StorageError
    from storage.s3 import MinioStorage

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    s3 = MinioStorage(f"127.0.0.1:{port}", "a", "b", "bucket", secure=False, region="us-east-1", timeout=2)
    with pytest.raises(StorageError):
        s3.put("annexes/1/x", b"data", content_type="text/plain")
    with pytest.raises(StorageError):
        s3.check()


def test_filesystem_sealed_objects_are_read_only_never_replaced_nor_deleted(fs_storage):
    from storage import StorageError

    until = datetime.now(timezone.utc) + timedelta(days=1)
    fs_storage.put("documents/1/pv", b"%PDF-1.7 pv", content_type="application/pdf")
    sealed = fs_storage.seal_object("documents/1/pv", retain_until=until)
    assert not sealed.locked and "read-only" in sealed.reason and sealed.stored.sha256 == sha(b"%PDF-1.7 pv")
    path = fs_storage._path("documents/1/pv")
    assert path.stat().st_mode & 0o777 == 0o440
    with pytest.raises(StorageError, match="cannot be replaced"):
        fs_storage.put("documents/1/pv", b"%PDF-1.7 autre", content_type="application/pdf")
    assert fs_storage.delete("documents/1/pv") is False
    with fs_storage.open("documents/1/pv") as reader:
        assert b"".join(reader) == b"%PDF-1.7 pv"
    with pytest.raises(StorageError, match="already exists"):
        fs_storage.put_sealed("documents/1/pv", b"x", content_type="application/pdf", retain_until=until)


def test_s3_sealed_objects_move_to_the_lock_bucket_and_cannot_be_deleted_or_overwritten(s3_server):
    from storage import StorageError
    from storage.s3 import MinioStorage

    bucket, locked_bucket = f"t-{uuid.uuid4().hex[:12]}", f"l-{uuid.uuid4().hex[:12]}"
    s3 = MinioStorage(s3_server["endpoint"], s3_server["access_key"], s3_server["secret_key"], bucket,
                      secure=False, region="us-east-1", object_lock_bucket=locked_bucket, create_buckets=True)
    data = b"%PDF-1.7 proces-verbal scelle"
    s3.put("documents/7/pv", data, content_type="application/pdf", sha256=sha(data))
    until = datetime.now(timezone.utc) + timedelta(days=1)
    sealed = s3.seal_object("documents/7/pv", retain_until=until)
    assert sealed.locked and sealed.bucket == locked_bucket and sealed.mode == "COMPLIANCE"
    assert sealed.retain_until is not None and sealed.retain_until >= until - timedelta(seconds=1)
    assert s3.seal_object("documents/7/pv", retain_until=until).locked  # idempotent
    client = s3_server["client"]
    assert [o.object_name for o in client.list_objects(bucket, recursive=True)] == []  # moved
    with s3.open("documents/7/pv") as reader:  # read through the lock bucket
        assert b"".join(reader) == data
    assert s3.stat("documents/7/pv").sha256 == sha(data)
    # through the storage interface: never replaced, never deleted
    with pytest.raises(StorageError, match="cannot be replaced"):
        s3.put("documents/7/pv", b"%PDF-1.7 faux", content_type="application/pdf")
    assert s3.delete("documents/7/pv") is False
    # on the server itself: the locked version cannot be deleted, and an overwrite leaves it intact
    with pytest.raises(Exception) as refused:
        client.remove_object(locked_bucket, "documents/7/pv", version_id=sealed.version_id)
    assert "AccessDenied" in str(refused.value) or "locked" in str(refused.value).lower()
    import io

    client.put_object(locked_bucket, "documents/7/pv", io.BytesIO(b"%PDF-1.7 faux"), length=13)
    kept = client.get_object(locked_bucket, "documents/7/pv", version_id=sealed.version_id)
    try:
        assert kept.read() == data
    finally:
        kept.close()
        kept.release_conn()
