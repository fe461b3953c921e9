"""Issue 16 §5: a backup (database dump, the storage's objects, the instance keys) restored into a fresh
instance is complete: ``livret audit verify`` is green there and ``livret seal check`` finds every sealed
document present, intact, valid and « issued by this platform »; a restore that lost an object says which.

Done as docs/operations.md (« Backups and restore ») tells an operator: ``pg_dump -Fc`` / ``pg_restore`` on
PostgreSQL (``sqlite3 .backup`` on the embedded default), a copy of the storage folder keeping its read-only
sealed files, and a copy of the instance folder and of the signing keys.
"""
from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from core.sealing.testing import signing_env  # noqa: F401 - the shared signing fixture


@pytest.fixture
def app_config(app_config, signing_env):  # noqa: F811
    return {**app_config, **signing_env}


def _issue_documents(app, count: int = 3) -> list[str]:
    from weasyprint import HTML

    from core.audit.services import record
    from core.extensions import db
    from core.sealing.services import issue_document

    hashes = []
    with app.app_context():
        for n in range(count):
            pdf = HTML(string=f"<html lang='fr'><body><h1>Procès-verbal n° {n + 1}</h1></body></html>").write_pdf()
            hashes.append(issue_document(pdf, kind="jury_pv", title=f"Procès-verbal {n + 1}",
                                         filename=f"pv-{n + 1}.pdf").sha256)
        record("backup.test", "platform", 0, actor_id=None, payload={"documents": count})
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    return hashes


def _dump_and_restore(database_kind: str, source_url: str, tmp_path: Path) -> str:
    """The database of ``source_url`` dumped and restored as a new database; returns its URL."""
    from sqlalchemy.engine import make_url

    if database_kind == "sqlite":
        source = make_url(source_url).database
        target = tmp_path / "restored.sqlite3"
        subprocess.run(["sqlite3", source, f".backup '{tmp_path / 'dump.sqlite3'}'"], check=True)
        shutil.copyfile(tmp_path / "dump.sqlite3", target)
        return "sqlite:///" + str(target)
    url = make_url(source_url)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "livret.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), plain], check=True)
    name = f"livret_restore_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    subprocess.run(["psql", "-q", admin, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    restored = url.set(database=name)
    subprocess.run(["pg_restore", "--no-owner", "-d", restored.set(drivername="postgresql").render_as_string(
        hide_password=False), str(dump)], check=True)
    return restored.render_as_string(hide_password=False)


def _drop(database_kind: str, url: str) -> None:
    if database_kind == "postgresql":
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        subprocess.run(["psql", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'],
                       check=True, capture_output=True)


def test_a_restored_backup_verifies_every_sealed_document(app, app_config, database_kind, tmp_path):
    from core import create_app

    hashes = _issue_documents(app)
    # the backup: the database, the instance folder (secret key, storage, outbox) and the signing keys
    url = _dump_and_restore(database_kind, app_config["DATABASE_URL"], tmp_path)
    fresh = tmp_path / "fresh"
    shutil.copytree(app_config["INSTANCE_PATH"], fresh / "instance")  # keeps the sealed files read-only
    shutil.copytree(app_config["SIGNING_PKI_DIR"], fresh / "pki")
    sealed = [p for p in (fresh / "instance" / "storage").rglob("*")
              if p.is_file() and "documents" in p.parts and not p.name.endswith(".meta.json")]
    assert len(sealed) == len(hashes) and all(not p.stat().st_mode & 0o222 for p in sealed)
    try:
        restored = create_app({**app_config, "INSTANCE_PATH": str(fresh / "instance"), "DATABASE_URL": url,
                               "SIGNING_PKI_DIR": str(fresh / "pki")})
        runner = restored.test_cli_runner()
        audit = runner.invoke(args=["audit", "verify"])
        assert audit.exit_code == 0 and "1 checkpoint(s) verified" in audit.output, audit.output
        check = runner.invoke(args=["seal", "check", "--full"])
        assert check.exit_code == 0, check.output
        assert "OK: 3 document(s) present, intact, valid and issued by this platform." in check.output
        # the public verification of the restored instance recognises each document
        with restored.app_context():
            from core.verify.services import verify_document

            for path in sealed:
                result = verify_document(path.read_bytes())
                assert result.platform.issued and result.valid

        # a restore that lost an object is caught, naming the document
        lost = sealed[0]
        lost.parent.chmod(0o755)
        lost.unlink()
        check = runner.invoke(args=["seal", "check"])
        assert check.exit_code == 1
        assert "object missing or unreadable" in check.output and "1 problem(s) in 3 document(s)." in check.output
        with restored.app_context():
            from core.extensions import db

            db.engine.dispose()
    finally:
        _drop(database_kind, url)
