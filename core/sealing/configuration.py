"""The signing configuration from the settings, its start-up checks, and the embedded development TSA/CRL."""
from __future__ import annotations

import errno
import logging
import threading
import urllib.error
import urllib.request
from typing import Any

from flask import current_app

from core.config import ConfigError
from core.sealing.errors import SealingFailed
from signing import ConfigurationError, Pkcs11Config, SigningConfig, SigningLayerError
from signing.person_ca import PersonCAConfig

logger = logging.getLogger(__name__)


def _split(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


def _config_from_settings(settings) -> SigningConfig:
    pkcs11 = None
    if settings.get("SIGNING_PKCS11_MODULE"):
        pkcs11 = Pkcs11Config(module_path=settings["SIGNING_PKCS11_MODULE"],
                              token_label=settings.get("SIGNING_PKCS11_TOKEN") or "",
                              key_label=settings.get("SIGNING_PKCS11_KEY") or "",
                              pin=settings.get("SIGNING_PKCS11_PIN") or None)
    timeout = float(settings.get("SIGNING_TSA_TIMEOUT") or 10)
    return SigningConfig(
        pki_dir=settings["SIGNING_PKI_DIR"],
        organisation=settings.get("SIGNING_ORGANISATION") or "Livret",
        location=settings.get("SIGNING_LOCATION") or "France",
        seal_pkcs12=settings.get("SIGNING_SEAL_PKCS12") or None,
        seal_pkcs12_password=settings.get("SIGNING_SEAL_PKCS12_PASSWORD") or None,
        seal_cert=settings.get("SIGNING_SEAL_CERT") or None,
        seal_key=settings.get("SIGNING_SEAL_KEY") or None,
        seal_key_password=settings.get("SIGNING_SEAL_KEY_PASSWORD") or None,
        seal_chain=_split(settings.get("SIGNING_SEAL_CHAIN")),
        pkcs11=pkcs11,
        person_ca=PersonCAConfig(
            pkcs12=settings.get("SIGNING_PERSON_CA_PKCS12") or None,
            pkcs12_password=settings.get("SIGNING_PERSON_CA_PKCS12_PASSWORD") or None,
            cert=settings.get("SIGNING_PERSON_CA_CERT") or None,
            key=settings.get("SIGNING_PERSON_CA_KEY") or None,
            key_password=settings.get("SIGNING_PERSON_CA_KEY_PASSWORD") or None,
            chain=_split(settings.get("SIGNING_PERSON_CA_CHAIN")),
            pkcs11_key=settings.get("SIGNING_PERSON_CA_PKCS11_KEY") or None,
            crl_url=settings.get("SIGNING_PERSON_CA_CRL_URL") or None),
        tsa_url=settings.get("SIGNING_TSA_URL") or None,
        tsa_timeout=timeout,
        revocation_fetch_timeout=timeout,
        revocation_cache_seconds=float(settings.get("SIGNING_REVOCATION_CACHE_SECONDS", 300)),
        trust_roots=_split(settings.get("SIGNING_TRUST_ROOTS")),
        default_level=settings.get("SIGNING_LEVEL") or "B-LTA",
        dev_pki=bool(settings.get("SIGNING_DEV_PKI", True)),
        dev_base_url=settings.get("SIGNING_DEV_BASE_URL") or "http://127.0.0.1:8939",
        max_verify_size=int(settings.get("VERIFY_MAX_SIZE") or 50 * 1024 * 1024),
        max_verify_pages=int(settings.get("VERIFY_MAX_PAGES") or 2000),
    )


def check_settings(settings) -> None:
    """Start-up check (called by :func:`init_app`): without the development
    PKI, a seal key, a TSA (for levels above B-B) and trust roots are
    required, and key files must be readable. Raises :class:`ConfigError`."""
    import os

    cfg = _config_from_settings(settings)
    for name in ("SIGNING_SEAL_PKCS12", "SIGNING_SEAL_CERT", "SIGNING_SEAL_KEY", "SIGNING_PKCS11_MODULE",
                 "SIGNING_PERSON_CA_PKCS12", "SIGNING_PERSON_CA_CERT", "SIGNING_PERSON_CA_KEY"):
        path = settings.get(name)
        if path and not os.path.isfile(path):
            raise ConfigError(f"Setting {name} names {path}, which is not a readable file.")
    for name in ("SIGNING_SEAL_CHAIN", "SIGNING_TRUST_ROOTS", "SIGNING_PERSON_CA_CHAIN"):
        for path in _split(settings.get(name)):
            if not os.path.isfile(path):
                raise ConfigError(f"Setting {name} names {path}, which is not a readable file.")
    if bool(settings.get("SIGNING_SEAL_CERT")) != bool(settings.get("SIGNING_SEAL_KEY")):
        raise ConfigError("Settings SIGNING_SEAL_CERT and SIGNING_SEAL_KEY go together: set both.")
    if bool(settings.get("SIGNING_PERSON_CA_CERT")) != bool(settings.get("SIGNING_PERSON_CA_KEY")):
        raise ConfigError("Settings SIGNING_PERSON_CA_CERT and SIGNING_PERSON_CA_KEY go together: set both.")
    if cfg.pkcs11 is not None and not (cfg.pkcs11.token_label and cfg.pkcs11.key_label):
        raise ConfigError("Setting SIGNING_PKCS11_MODULE needs SIGNING_PKCS11_TOKEN and SIGNING_PKCS11_KEY.")
    if cfg.dev_pki:
        return
    if cfg.pkcs11 is None and cfg.seal_pkcs12 is None and cfg.seal_cert is None:
        raise ConfigError("SIGNING_DEV_PKI is false but no seal key is configured: set SIGNING_SEAL_PKCS12, "
                          "or SIGNING_SEAL_CERT and SIGNING_SEAL_KEY, or SIGNING_PKCS11_MODULE/_TOKEN/_KEY.")
    if cfg.default_level != "B-B" and not cfg.tsa_url:
        raise ConfigError(f"SIGNING_DEV_PKI is false and SIGNING_LEVEL is {cfg.default_level}: "
                          "set SIGNING_TSA_URL to a time-stamping authority.")
    if not cfg.trust_roots:
        raise ConfigError("SIGNING_DEV_PKI is false: set SIGNING_TRUST_ROOTS to the PEM files of the trusted roots.")
    if cfg.pkcs11 is None:  # files: check now that the key opens (a token is opened when sealing)
        try:
            cfg.load_seal_signer()
        except SigningLayerError as exc:
            raise ConfigError(f"The seal key cannot be loaded ({exc.detail or exc}).") from None
    if cfg.person_ca.configured and not cfg.person_ca.pkcs11_key:
        try:
            cfg.person_authority()
        except SigningLayerError as exc:
            raise ConfigError(f"The personal-signature CA cannot be loaded: {exc} ({exc.detail or ''}).") from None


def check_person_signatures(app) -> None:
    """Start-up check, once the plugins are loaded: in production (``SIGNING_DEV_PKI`` false) someone must issue
    the personal signing certificates — the configured CA (``SIGNING_PERSON_CA_*``) or a plugin implementing
    ``livret_person_signer`` (a remote signing service). Raises :class:`ConfigError` naming what is missing."""
    cfg = _config_from_settings(app.config)
    if cfg.dev_pki or cfg.person_ca.configured:
        return
    pm = app.extensions["livret"].pm
    if any(not impl.plugin_name.startswith("core.default_plugins")
           for impl in pm.hook.livret_person_signer.get_hookimpls()):
        return
    raise ConfigError("SIGNING_DEV_PKI is false but nobody issues the personal signing certificates: set "
                      "SIGNING_PERSON_CA_PKCS12, or SIGNING_PERSON_CA_CERT and SIGNING_PERSON_CA_KEY, or "
                      "SIGNING_PERSON_CA_PKCS11_KEY (docs/signing.md, « Personal signatures in production »), or "
                      "install a plugin implementing livret_person_signer.")


def init_app(app) -> None:
    check_settings(app.config)
    check_person_signatures(app)


def signing_config(app=None) -> SigningConfig:
    """The :class:`SigningConfig` of the application (built once)."""
    app = app or current_app._get_current_object()
    cfg = app.extensions.get("livret_signing_config")
    if cfg is None:
        cfg = _config_from_settings(app.config)
        if cfg.dev_pki and cfg.trust_roots:
            # configured roots plus the development root (generated on first use)
            cfg.trust_roots = list(cfg.trust_roots) + [cfg.dev().root_path]
        app.extensions["livret_signing_config"] = cfg
    return cfg


def trust_roots(app=None) -> list:
    """Trust anchors for verification (asn1crypto certificates)."""
    return signing_config(app).trust_root_certs()


# -- the embedded development TSA and CRL ---------------------------------------------------------------

_SERVERS: dict[str, Any] = {}
_SERVERS_LOCK = threading.Lock()


def _served_root(base_url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(f"{base_url}/pki/root.crt?format=pem", timeout=3) as response:  # noqa: S310
            return response.read()
    except (urllib.error.URLError, OSError, ValueError):
        return None


def ensure_dev_services(cfg: SigningConfig | None = None):
    """Serve the development TSA and CRL on ``SIGNING_DEV_BASE_URL`` when the
    development PKI is used (idempotent). When the port is already served by
    a sibling process (another worker) with the same root, that is fine."""
    cfg = cfg or signing_config()
    if not cfg.dev_pki:
        return None
    from signing.tsa import start_dev_services

    pki = cfg.dev()
    with _SERVERS_LOCK:
        server = _SERVERS.get(cfg.dev_base_url)
        if server is not None:
            if server._get_pki().root_pem != pki.root_pem:
                raise ConfigurationError(
                    "Le service d'horodatage de développement sert une autre autorité : "
                    "changez SIGNING_DEV_BASE_URL.", detail="two PKIs on one base URL in one process")
            return server
        served = _served_root(cfg.dev_base_url)
        if served is None:
            try:
                server = start_dev_services(cfg)
            except (OSError, SystemExit) as exc:  # werkzeug exits when the port is taken
                if isinstance(exc, OSError) and exc.errno != errno.EADDRINUSE:
                    raise ConfigurationError("Le service d'horodatage de développement n'a pas pu démarrer.",
                                             detail=repr(exc)) from None
                served = _served_root(cfg.dev_base_url)  # a sibling won the race
            else:
                _SERVERS[cfg.dev_base_url] = server
                logger.info("development TSA/CRL served at %s", cfg.dev_base_url)
                return server
        if served is None or served.strip() != pki.root_pem.strip():
            raise ConfigurationError(
                "L'adresse du service d'horodatage de développement (SIGNING_DEV_BASE_URL) est occupée "
                "par un autre service.", detail=f"{cfg.dev_base_url} serves another root or nothing")
        return None


def prepared_config() -> SigningConfig:
    """The configuration, with the development TSA/CRL running when needed."""
    from core.sealing.patience import patient

    cfg = signing_config()
    try:
        ensure_dev_services(cfg)
    except SigningLayerError as exc:
        logger.error("development TSA/CRL unavailable: %s", exc.detail)
        raise SealingFailed(str(exc)) from exc
    return patient(cfg)
