"""Settings: defaults, instance file, LIVRET_* variables, clear errors."""
import subprocess
import sys

import pytest

from core.config import ConfigError, load_config


def test_defaults_use_the_instance_folder(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["DATABASE_URL"] == "sqlite:///" + str(tmp_path / "livret.sqlite3")
    assert config["MAIL_OUTBOX_DIR"] == str(tmp_path / "outbox")
    assert config["JOBS_BACKEND"] == "inline"
    assert config["DEFAULT_LANGUAGE"] == "fr"
    # the generated secret is kept, so sessions survive a restart
    assert load_config(tmp_path, environ={})["SECRET_KEY"] == config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_instance_file_then_environment_then_overrides(tmp_path):
    (tmp_path / "livret.cfg").write_text('SMTP_PORT = 2525\nMAIL_BACKEND = "smtp"\nSMTP_HOST = "mail.example.org"\n')
    config = load_config(tmp_path, environ={"LIVRET_SMTP_PORT": "587"}, overrides={"SMTP_HOST": "other"})
    assert config["MAIL_BACKEND"] == "smtp"
    assert config["SMTP_PORT"] == 587
    assert config["SMTP_HOST"] == "other"


def test_postgresql_url_gets_the_psycopg_driver(tmp_path):
    config = load_config(tmp_path, environ={"LIVRET_DATABASE_URL": "postgresql://u@db/livret"})
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@db/livret"


@pytest.mark.parametrize("name, value, fragment", [
    ("LIVRET_SMTP_PORT", "vingt-cinq", "SMTP_PORT"),
    ("LIVRET_JOBS_BACKEND", "celery", "JOBS_BACKEND"),
    ("LIVRET_DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
    ("LIVRET_SECRET_KEY", "short", "SECRET_KEY"),
])
def test_wrong_setting_is_named(tmp_path, name, value, fragment):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={name: value})
    assert fragment in str(info.value)


def test_missing_config_file_named_by_variable(tmp_path):
    with pytest.raises(ConfigError, match="LIVRET_CONFIG"):
        load_config(tmp_path, environ={"LIVRET_CONFIG": str(tmp_path / "absent.cfg")})


def test_broken_instance_file_is_a_config_error(tmp_path):
    (tmp_path / "livret.cfg").write_text("SMTP_PORT = = 1\n")
    with pytest.raises(ConfigError, match="livret.cfg"):
        load_config(tmp_path, environ={})


def test_cli_reports_wrong_setting_without_traceback(tmp_path):
    env = {"LIVRET_INSTANCE_PATH": str(tmp_path), "LIVRET_SMTP_PORT": "abc", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "from core.cli import main; main()", "plugins"],
                            capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "SMTP_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_setting_is_documented():
    from pathlib import Path

    from core.config import SETTINGS

    text = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text, f"{setting.name} missing from docs/configuration.md"
