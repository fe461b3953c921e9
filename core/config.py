"""Configuration: defaults, then an instance file, then ``LIVRET_*`` environment variables.

Every setting is declared once in :data:`SETTINGS` with its type, so that a
wrong value is refused at start-up with a clear message naming the setting
(:class:`ConfigError`), never with a stack trace deep inside a request.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse


class ConfigError(Exception):
    """A setting is missing or has a wrong value. The message names it."""


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on", "oui"}:
        return True
    if text in {"0", "false", "no", "off", "non", ""}:
        return False
    raise ValueError("expected a boolean (true/false)")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    return int(value)


def _proxy_count(value: Any) -> int:
    number = _int(value)
    if not 0 <= number <= 5:
        raise ValueError("expected a number of proxies between 0 and 5")
    return number


def _non_negative_int(value: Any) -> int:
    number = _int(value)
    if number < 0:
        raise ValueError("expected a positive integer or 0")
    return number


def _positive_int(value: Any) -> int:
    number = _int(value)
    if number <= 0:
        raise ValueError("expected a positive integer")
    return number


def _positive_float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number") from None
    if not number > 0:
        raise ValueError("expected a positive number")
    return number


def _str(value: Any) -> str:
    return str(value)


def _rate_limits(value: Any) -> str:
    """Rate limits as Flask-Limiter reads them (``10 per minute;50 per hour``), checked at start-up."""
    from limits import parse_many

    text = str(value).strip()
    try:
        if not parse_many(text):
            raise ValueError
    except ValueError:
        raise ValueError("expected rate limits such as '10 per minute;50 per hour'") from None
    return text


def _choice(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"expected one of: {', '.join(choices)}")
        return text

    return convert


def _database_url(value: Any) -> str:
    text = str(value)
    scheme = urlparse(text).scheme.split("+")[0]
    if scheme not in {"sqlite", "postgresql", "postgres"}:
        raise ValueError("expected a sqlite:// or postgresql:// URL")
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://"):]
    if text.startswith("postgresql://"):
        text = "postgresql+psycopg://" + text[len("postgresql://"):]
    return text


def _url(value: Any) -> str:
    text = str(value)
    if not urlparse(text).scheme:
        raise ValueError("expected a URL")
    return text


def _languages(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value]
    else:
        items = [v.strip() for v in str(value).split(",")]
    items = [v for v in items if v]
    if not items:
        raise ValueError("expected a comma-separated list of language codes")
    return tuple(items)


def _signing_level(value: Any) -> str:
    text = str(value).strip().upper()
    if text not in {"B-B", "B-T", "B-LT", "B-LTA"}:
        raise ValueError("expected one of: B-B, B-T, B-LT, B-LTA")
    return text


def _optional_url(value: Any) -> str:
    text = str(value or "").strip()
    if text and not urlparse(text).scheme:
        raise ValueError("expected a URL or nothing")
    return text


def _fernet_keys(value: Any) -> str:
    """Empty, or comma-separated Fernet keys (32 bytes in URL-safe base64, as ``Fernet.generate_key()`` gives)."""
    import base64
    import binascii

    text = ",".join(k.strip() for k in str(value or "").split(",") if k.strip())
    for key in filter(None, text.split(",")):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError("expected Fernet keys (URL-safe base64 of 32 bytes), comma-separated")
    return text


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    convert: Callable[[Any], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", None, _str, "Secret used to sign sessions and tokens. Generated and kept in the instance folder when unset."),
    Setting("DATABASE_URL", None, _database_url, "SQLAlchemy URL. Default: SQLite file in the instance folder."),
    Setting("BASE_URL", "http://127.0.0.1:5000", _url, "Public URL of the platform, used in e-mails."),
    Setting("DEFAULT_LANGUAGE", "fr", _choice("fr", "en"), "Language of pages when the user has not chosen one."),
    Setting("LANGUAGES", ("fr", "en"), _languages, "Languages offered in the interface."),
    Setting("MAIL_BACKEND", "outbox", _choice("outbox", "smtp"), "'outbox' writes .eml files to MAIL_OUTBOX_DIR; 'smtp' sends."),
    Setting("MAIL_OUTBOX_DIR", None, _str, "Folder of the outbox mailer. Default: <instance>/outbox."),
    Setting("MAIL_FROM", "Livret <no-reply@livret.localhost>", _str, "Sender of e-mails."),
    Setting("ACCESSIBILITY_CONTACT", "accessibilite@livret.localhost", _str, "E-mail address given on the accessibility statement (/accessibilite) to report an accessibility problem or ask for an accessible alternative."),
    Setting("PRIVACY_OPERATOR", "", _str, "Who hosts and runs the platform for the certifiers (their processor), in words with an address or a contact, named in the privacy notices and the record of processing activities (`livret privacy register`). Empty: « l'exploitant de la plateforme Livret »."),
    Setting("SMTP_HOST", "localhost", _str, "SMTP server."),
    Setting("SMTP_PORT", 25, _positive_int, "SMTP port."),
    Setting("SMTP_USERNAME", "", _str, "SMTP user (empty: no authentication)."),
    Setting("SMTP_PASSWORD", "", _str, "SMTP password."),
    Setting("SMTP_STARTTLS", False, _bool, "Use STARTTLS."),
    Setting("SMTP_SSL", False, _bool, "Use implicit TLS."),
    Setting("JOBS_BACKEND", "inline", _choice("inline", "rq"), "'inline' runs jobs at once; 'rq' queues them on Redis for `livret worker`."),
    Setting("READY_SEAL_MIN_DAYS", 30, _positive_int, "/readyz fails when the platform's seal certificate expires within this many days."),
    Setting("STORAGE_MIN_FREE_MB", 200, _positive_int, "/readyz fails when the filesystem storage has less free space than this (MiB); every backend must also accept a small write."),
    Setting("METRICS_TOKEN", "", _str, "Bearer token required by /metrics; empty: /metrics answers the machine itself (loopback) only."),
    Setting("LOG_FORMAT", "text", _choice("text", "json"), "'json' writes one JSON object per log line (time, level, logger, message, method, path); 'text' is plain."),
    Setting("REDIS_URL", "redis://127.0.0.1:6379/0", _url, "Redis URL for the RQ job backend."),
    Setting("JOBS_QUEUE", "livret", _str, "RQ queue name."),
    Setting("SEAL_RESUME_SECONDS", 60, _positive_int, "`livret scheduler` queues again, this often, the jury documents still waiting for their final seal (a worker was killed, the queue was down)."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", _str, "Storage of rate-limit counters (memory:// or redis://...)."),
    Setting("LOGIN_RATE_LIMIT", "10 per minute;50 per hour", _str, "Sign-in attempts allowed per client address."),
    Setting("LOGIN_EMAIL_RATE_LIMIT", "5 per minute;30 per hour", _str, "Sign-in, resend and reset attempts allowed per e-mail address, from any client."),
    Setting("REAUTH_RATE_LIMIT", "10 per minute;50 per hour", _rate_limits, "Wrong passwords allowed on the actions that ask for one again (admissibility decisions, signatures, submission, password change, seal upload), counted per account and, separately, per client address; beyond, 429 with Retry-After."),
    Setting("SESSION_IDLE_MINUTES", 30, _positive_int, "Sign-out after this many minutes without activity."),
    Setting("SESSION_ABSOLUTE_HOURS", 12, _positive_int, "Sign-out this many hours after sign-in, whatever the activity."),
    Setting("EMAIL_TOKEN_HOURS", 48, _positive_int, "Validity of e-mail verification links."),
    Setting("RESET_TOKEN_MINUTES", 60, _positive_int, "Validity of password reset links."),
    Setting("PASSWORD_MIN_LENGTH", 12, _positive_int, "Minimum password length."),
    Setting("STORAGE_BACKEND", "filesystem", _choice("filesystem", "s3"), "Object storage: 'filesystem' (STORAGE_PATH) or 's3' (MinIO or any S3 server, S3_* settings)."),
    Setting("STORAGE_PATH", None, _str, "Folder of the filesystem storage. Default: <instance>/storage."),
    Setting("S3_ENDPOINT", "", _str, "S3 endpoint host:port (e.g. minio:9000)."),
    Setting("S3_ACCESS_KEY", "", _str, "S3 access key."),
    Setting("S3_SECRET_KEY", "", _str, "S3 secret key."),
    Setting("S3_BUCKET", "livret", _str, "Bucket of annexes and documents."),
    Setting("S3_SECURE", True, _bool, "Use TLS to reach the S3 endpoint."),
    Setting("S3_REGION", "", _str, "S3 region (empty: server default)."),
    Setting("S3_OBJECT_LOCK_BUCKET", "", _str, "Bucket with object lock for sealed documents (empty: none)."),
    Setting("SEALED_RETENTION_DAYS", 3650, _positive_int, "Retention of every issued (sealed) document in the object-lock bucket, in days (COMPLIANCE mode: nobody can shorten it)."),
    Setting("SEALED_REQUIRE_LOCK", False, _bool, "true: issuing a document fails (nothing issued) unless the storage confirms the retention (production with S3 object lock)."),
    Setting("S3_CREATE_BUCKETS", False, _bool, "Create the buckets at start-up when missing."),
    Setting("CLAMD_ADDRESS", "", _str, "clamd address (tcp://host:3310 or unix:///path); empty: files are marked 'not scanned'."),
    Setting("UPLOAD_SCAN", True, _bool, "Scan uploads with clamd (CLAMD_ADDRESS). Without the development PKI (SIGNING_DEV_PKI=false) the platform refuses to start without CLAMD_ADDRESS unless this is set to off on purpose; off: files are stored 'not scanned'."),
    Setting("DOSSIER_RENDER_CACHE_MB", 16, _non_negative_int, "Megabytes per process kept of section forms rendered from saved drafts, per draft revision (0: off)."),
    Setting("UPLOAD_MAX_FILE_SIZE", 200 * 1024 * 1024, _positive_int, "Largest annex accepted, in bytes."),
    Setting("UPLOAD_DOSSIER_QUOTA", 1024 * 1024 * 1024, _positive_int, "Total size of a dossier's annexes, in bytes."),
    Setting("JSON_MAX_SIZE", 2 * 1024 * 1024, _positive_int, "Largest JSON request body accepted, in bytes (413 beyond)."),
    Setting("UPLOAD_ALLOWED_TYPES", "", _str, "Comma-separated file types accepted (empty: PDF, PNG, JPEG, ODT, DOCX)."),
    Setting("SESSION_COOKIE_SECURE", False, _bool, "Send the session cookie over HTTPS only (set true in production)."),
    Setting("TRUSTED_PROXIES", 0, _proxy_count, "Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none). Rate limits count per client address: behind a proxy, set it, or every visitor shares the proxy's address."),
    # -- sealing, signatures and verification (core/sealing, core/verify, signing/) --
    Setting("SIGNING_LEVEL", "B-LTA", _signing_level, "PAdES level of every seal and signature: B-B, B-T, B-LT or B-LTA."),
    Setting("SIGNING_TSA_URL", "", _optional_url, "RFC 3161 time-stamping authority (empty: the embedded development TSA)."),
    Setting("SIGNING_TSA_TIMEOUT", 10, _positive_int, "Seconds to wait for the TSA and for each CRL/OCSP fetch while sealing."),
    Setting("SUBMISSION_TSA_WAIT_SECONDS", 5, _positive_float, "Seconds a submitting candidate waits for the TSA; a slower TSA: the version is recorded and its documents are issued by a job (waiting SIGNING_TSA_TIMEOUT)."),
    Setting("SIGNING_REVOCATION_CACHE_SECONDS", 300, _positive_int, "Seconds the CRLs and OCSP responses fetched for a seal are reused by the next seals (a session's documents fetch them once)."),
    Setting("SIGNING_SEAL_PKCS12", "", _str, "Organisation's seal as a PKCS#12 file (key, certificate and chain)."),
    Setting("SIGNING_SEAL_PKCS12_PASSWORD", "", _str, "Password of SIGNING_SEAL_PKCS12."),
    Setting("SIGNING_SEAL_CERT", "", _str, "Organisation's seal certificate (PEM file), with SIGNING_SEAL_KEY."),
    Setting("SIGNING_SEAL_KEY", "", _str, "Private key of SIGNING_SEAL_CERT (PEM file)."),
    Setting("SIGNING_SEAL_KEY_PASSWORD", "", _str, "Password of SIGNING_SEAL_KEY (empty: not encrypted)."),
    Setting("SIGNING_SEAL_CHAIN", "", _str, "Comma-separated PEM files of the seal certificate's chain (intermediate CAs)."),
    Setting("SIGNING_PKCS11_MODULE", "", _str, "PKCS#11 module (.so) holding the seal key (empty: no token)."),
    Setting("SIGNING_PKCS11_TOKEN", "", _str, "Label of the PKCS#11 token."),
    Setting("SIGNING_PKCS11_KEY", "", _str, "Label of the seal key (and certificate) on the token."),
    Setting("SIGNING_PKCS11_PIN", "", _str, "PIN of the PKCS#11 token."),
    Setting("SIGNING_TRUST_ROOTS", "", _str, "Comma-separated PEM files of trusted root certificates (the development root is added when the development PKI is used)."),
    Setting("SIGNING_DEV_PKI", True, _bool, "Generate and use a development PKI, TSA and CRL (set false in production: seal keys must then be configured)."),
    Setting("SIGNING_DEV_BASE_URL", "http://127.0.0.1:8939", _url, "Address where the development TSA and CRL are served (baked into the development certificates)."),
    Setting("SIGNING_PKI_DIR", None, _str, "Folder of the development PKI (platform CA). Default: <instance>/pki."),
    Setting("SIGNING_ORGANISATION", "Livret", _str, "Organisation named in the seal certificate and in the visible signature block."),
    Setting("SIGNING_LOCATION", "France", _str, "Place written in seals and signatures."),
    Setting("SIGNING_PERSON_CERT_DAYS", 30, _positive_int, "Validity in days of the certificate the platform CA issues to a person who signs."),
    Setting("SIGNING_PERSON_CA_PKCS12", "", _str, "Production: the CA that issues the personal signing certificates, as a PKCS#12 file (key, CA certificate and chain). Required with SIGNING_DEV_PKI=false unless SIGNING_PERSON_CA_CERT/_KEY, SIGNING_PERSON_CA_PKCS11_KEY or a livret_person_signer plugin is set."),
    Setting("SIGNING_PERSON_CA_PKCS12_PASSWORD", "", _str, "Password of SIGNING_PERSON_CA_PKCS12."),
    Setting("SIGNING_PERSON_CA_CERT", "", _str, "Production: the personal-signature CA's certificate (PEM file), with SIGNING_PERSON_CA_KEY."),
    Setting("SIGNING_PERSON_CA_KEY", "", _str, "Private key of SIGNING_PERSON_CA_CERT (PEM file)."),
    Setting("SIGNING_PERSON_CA_KEY_PASSWORD", "", _str, "Password of SIGNING_PERSON_CA_KEY (empty: not encrypted)."),
    Setting("SIGNING_PERSON_CA_CHAIN", "", _str, "Comma-separated PEM files of the personal-signature CA's chain up to a root of SIGNING_TRUST_ROOTS."),
    Setting("SIGNING_PERSON_CA_PKCS11_KEY", "", _str, "Production: label of the personal-signature CA's key (and certificate) on the seal's PKCS#11 token."),
    Setting("SIGNING_PERSON_CA_CRL_URL", "", _optional_url, "Address written into each personal certificate as its CRL distribution point (publish there the output of `livret pki person-crl`); empty: none."),
    Setting("SIGNING_RENEW_AFTER_DAYS", 730, _positive_int, "`livret seal renew` adds a document timestamp when the last one is older than this many days."),
    Setting("SIGNING_RENEW_MARGIN_DAYS", 180, _positive_int, "... or when the certificate of the last timestamp's TSA expires within this many days."),
    Setting("VERIFY_MAX_SIZE", 50 * 1024 * 1024, _positive_int, "Largest PDF accepted by the public verification page and API, in bytes."),
    Setting("VERIFY_MAX_PAGES", 2000, _positive_int, "Most pages a PDF may have to be verified."),
    Setting("VERIFY_MAX_REVISIONS", 100, _positive_int, "Most revisions (incremental updates) a PDF may have to be verified."),
    Setting("VERIFY_MAX_OBJECTS", 200_000, _positive_int, "Most objects a PDF may have (all cross-reference sections, or one object stream) to be verified."),
    Setting("VERIFY_MAX_STRUCTURE_DEPTH", 100, _positive_int, "Deepest structure tree (tagged PDF) a PDF may have to be verified."),
    Setting("VERIFY_TIME_BUDGET_SECONDS", 20, _positive_float, "Longest analysis of one verification, in seconds; a longer one is refused (422 verification_too_complex). Keep it well below the gunicorn timeout."),
    Setting("VERIFY_ISSUANCE_REPORT", "auto", _choice("auto", "job", "inline", "lazy"), "When the verification report of an issued document is computed: 'job' on the job queue after issuance, 'inline' during issuance, 'lazy' at its first verification (then kept); 'auto' is 'job' with JOBS_BACKEND=rq, else 'lazy'."),
    Setting("VERIFY_RATE_LIMIT", "10 per minute;200 per day", _str, "Verifications allowed per client address (page and API)."),
    # -- fees (core/fees) --
    Setting("FEES_VAT_MENTION", "TVA non applicable, article 261-4-4° du CGI", _str, "VAT status printed on fee receipts (French invoice mention)."),
    Setting("FEES_ACCOUNT_HOLDER", "", _str, "Holder of the bank account that receives fee transfers (empty: the certifier's name)."),
    Setting("FEES_IBAN", "", _str, "IBAN shown in the bank-transfer instructions (empty: the certifier sends it on request)."),
    Setting("FEES_BIC", "", _str, "BIC shown in the bank-transfer instructions."),
    Setting("FEES_PAYER_LINK_DAYS", 60, _positive_int, "Validity in days of the link e-mailed to a third-party payer."),
    # -- webhooks (core/webhooks) --
    Setting("WEBHOOKS_ALLOW_LOOPBACK", False, _bool, "Accept webhook endpoints on 127.0.0.1 / localhost (also over http). For tests and local development only: keep false in production."),
    # -- organisations' own seals (core/organisations/seals.py) --
    Setting("ORGANISATION_SEAL_KEY", "", _fernet_keys, "Comma-separated Fernet keys encrypting the organisations' uploaded seals (the first encrypts, each decrypts). Empty: a key derived from SECRET_KEY."),
    Setting("ORGANISATION_TSA_ALLOW_PRIVATE", False, _bool, "Accept an organisation's TSA URL on a private, loopback or link-local address (single-organisation deployments, tests)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
ENV_PREFIX = "LIVRET_"


def _convert(name: str, value: Any, source: str) -> Any:
    setting = _BY_NAME[name]
    try:
        return setting.convert(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Setting {name} ({source}) has a wrong value {value!r}: {exc}.") from None


def load_config(instance_path: str | os.PathLike, environ: dict[str, str] | None = None,
                overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the resolved settings.

    Order: defaults < ``<instance>/livret.cfg`` (Python syntax, UPPERCASE names,
    or the file named by ``LIVRET_CONFIG``) < ``LIVRET_*`` variables < ``overrides``
    (the ``test_config`` of :func:`core.create_app`).
    """
    environ = dict(os.environ if environ is None else environ)
    instance = Path(instance_path)
    config: dict[str, Any] = {s.name: s.default for s in SETTINGS}

    config_file = Path(environ.get("LIVRET_CONFIG") or instance / "livret.cfg")
    if "LIVRET_CONFIG" in environ and not config_file.is_file():
        raise ConfigError(f"LIVRET_CONFIG names {config_file}, which is not a readable file.")
    if config_file.is_file():
        namespace: dict[str, Any] = {}
        try:
            exec(compile(config_file.read_text(encoding="utf-8"), str(config_file), "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - any error in the file is a configuration error
            raise ConfigError(f"Configuration file {config_file} cannot be read: {exc}.") from None
        for key, value in namespace.items():
            if key.isupper():
                config[key] = _convert(key, value, str(config_file)) if key in _BY_NAME else value

    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == "LIVRET_CONFIG":
            continue
        name = key[len(ENV_PREFIX):]
        if name in _BY_NAME:
            config[name] = _convert(name, value, key)
        else:
            # Possibly a plugin setting (prefixed with the plugin name); resolved
            # once plugins are loaded, see core.plugins.apply_plugin_settings.
            config.setdefault("PLUGIN_ENVIRON", {})[name] = value

    for key, value in (overrides or {}).items():
        config[key] = _convert(key, value, "test_config") if key in _BY_NAME and value is not None else value

    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = "sqlite:///" + str(instance / "livret.sqlite3")
    if not config.get("STORAGE_PATH"):
        config["STORAGE_PATH"] = str(instance / "storage")
    if not config.get("SIGNING_PKI_DIR"):
        config["SIGNING_PKI_DIR"] = str(instance / "pki")
    if not config.get("MAIL_OUTBOX_DIR"):
        config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance)
    elif len(str(config["SECRET_KEY"])) < 16:
        raise ConfigError("Setting SECRET_KEY is too short: use at least 16 random characters.")
    return config


def check_upload_scan(config: dict[str, Any]) -> None:
    """Start-up check: uploads are scanned by an antivirus in production (``SIGNING_DEV_PKI`` false), unless
    ``UPLOAD_SCAN`` is off on purpose. Raises :class:`ConfigError` naming both settings."""
    clamd = str(config.get("CLAMD_ADDRESS") or "").strip()
    if not config.get("UPLOAD_SCAN", True):
        if clamd:
            raise ConfigError("Settings UPLOAD_SCAN and CLAMD_ADDRESS disagree: UPLOAD_SCAN is off but CLAMD_ADDRESS "
                              "is set. Remove CLAMD_ADDRESS to run without antivirus, or set UPLOAD_SCAN=on.")
        return
    if not clamd and not config.get("SIGNING_DEV_PKI", True):
        raise ConfigError("SIGNING_DEV_PKI is false (production) but CLAMD_ADDRESS is empty: uploaded files would be "
                          "stored without any antivirus scan. Set CLAMD_ADDRESS to a clamd daemon (tcp://host:3310 or "
                          "unix:///run/clamav/clamd.ctl), or set UPLOAD_SCAN=off to run without antivirus on purpose.")


def _instance_secret(instance: Path) -> str:
    """Keep a generated secret in the instance folder so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    return secret
