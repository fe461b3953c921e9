"""Local RFC 3161 time-stamping authority and CRL/root distribution point.

:func:`make_wsgi_app` returns a plain WSGI callable (no Flask) serving:

* ``POST /tsa`` (also ``POST /``) with ``Content-Type:
  application/timestamp-query``: an RFC 3161 ``TimeStampResp`` signed by the
  development TSA certificate;
* ``GET /pki/crl/root.crl``: the root's current CRL (DER);
* ``GET /pki/root.crt``: the root certificate (DER; ``?format=pem`` for PEM).

:class:`LocalPkiServer` runs it in a background thread on 127.0.0.1 (tests,
embedded default).  The host application may instead mount the WSGI app
under its own URL space (e.g. with werkzeug's ``DispatcherMiddleware``).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qs, urlsplit

from asn1crypto import tsp
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from werkzeug.serving import WSGIRequestHandler, make_server

logger = logging.getLogger(__name__)

MAX_QUERY_SIZE = 64 * 1024
CRL_PATH = "/pki/crl/root.crl"
ROOT_PATH = "/pki/root.crt"
TSA_PATHS = ("/tsa", "/")


class _LocalTimeStamper(DummyTimeStamper):
    """pyHanko's ``DummyTimeStamper`` with the TSA key parsed once (the
    parent re-loads it, with the full RSA check, for every response)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cryptography.hazmat.primitives import serialization

        self._pyca_key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)

    def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
        from asn1crypto import cms, core
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko.sign import general
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            general.simple_cms_attribute("content_type", "tst_info"),
            general.simple_cms_attribute(
                "signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            general.simple_cms_attribute(
                "signing_certificate", general.as_signing_certificate(self.tsa_cert)),
            general.simple_cms_attribute("message_digest", md.finalize()),
        ])
        signature = self._pyca_key.sign(
            signed_attrs.dump(), PKCS1v15(),
            get_pyca_cryptography_hash(md_algorithm.upper()),
        )
        return signature, signed_attrs


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _rejection(fail_info: str) -> bytes:
    """DER ``TimeStampResp`` with status ``rejection`` and no token.

    Built by hand: asn1crypto declares ``timeStampToken`` mandatory although
    RFC 3161 makes it OPTIONAL (absent when the request is rejected).
    """
    status = tsp.PKIStatusInfo({
        "status": tsp.PKIStatus("rejection"),
        "fail_info": tsp.PKIFailureInfo({fail_info}),
    }).dump()
    return b"\x30" + _der_len(len(status)) + status


def make_wsgi_app(pki_provider):
    """WSGI app for a :class:`signing.devpki.DevPKI`.

    ``pki_provider`` is either the PKI itself or a zero-argument callable
    returning it (so that the server may be bound before the PKI exists).
    """
    get_pki = pki_provider if callable(pki_provider) else (lambda: pki_provider)
    stampers: dict = {}

    def timestamper():
        pki = get_pki()
        cred = pki.tsa_credential()
        key = id(cred)
        if key not in stampers:
            stampers.clear()
            stampers[key] = _LocalTimeStamper(
                tsa_cert=cred.cert, tsa_key=cred.key, certs_to_embed=cred.chain
            )
        return stampers[key]

    def respond(start_response, status, ctype, body: bytes):
        start_response(status, [
            ("Content-Type", ctype),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ])
        return [body]

    def app(environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        if method == "GET" and path == CRL_PATH:
            return respond(start_response, "200 OK", "application/pkix-crl",
                           get_pki().crl_der())
        if method == "GET" and path == ROOT_PATH:
            fmt = parse_qs(environ.get("QUERY_STRING", "")).get("format", ["der"])[0]
            pki = get_pki()
            if fmt == "pem":
                return respond(start_response, "200 OK", "application/x-pem-file", pki.root_pem)
            return respond(start_response, "200 OK", "application/pkix-cert",
                           pki.root_cert.dump())
        if path in TSA_PATHS:
            if method != "POST":
                return respond(start_response, "405 Method Not Allowed", "text/plain",
                               "Méthode non autorisée.".encode())
            ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip()
            if ctype != "application/timestamp-query":
                return respond(start_response, "415 Unsupported Media Type", "text/plain",
                               "Type de contenu attendu : application/timestamp-query.".encode())
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length <= 0 or length > MAX_QUERY_SIZE:
                return respond(start_response, "400 Bad Request",
                               "application/timestamp-reply", _rejection("bad_data_format"))
            data = environ["wsgi.input"].read(length)
            try:
                req = tsp.TimeStampReq.load(data)
                req.native  # force full parse
                if req["message_imprint"]["hash_algorithm"]["algorithm"].native not in (
                    "sha256", "sha384", "sha512"
                ):
                    return respond(start_response, "200 OK", "application/timestamp-reply",
                                   _rejection("bad_alg"))
                resp = timestamper().request_tsa_response(req)
            except Exception:  # malformed request: RFC 3161 rejection
                logger.info("rejected malformed time-stamp query", exc_info=True)
                return respond(start_response, "200 OK", "application/timestamp-reply",
                               _rejection("bad_data_format"))
            return respond(start_response, "200 OK", "application/timestamp-reply", resp.dump())
        return respond(start_response, "404 Not Found", "text/plain", "Introuvable.".encode())

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request is noise
        pass


class LocalPkiServer:
    """The TSA/CRL WSGI app served from a background thread.

    The socket is bound at construction (``port=0`` picks a free port), so
    :attr:`base_url` is known before the PKI is created; call
    :meth:`attach` then :meth:`start`.  Also a context manager.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, pki=None):
        self._pki = pki
        self._server = make_server(host, port, make_wsgi_app(self._get_pki), threaded=True,
                                   request_handler=_QuietHandler)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    def _get_pki(self):
        if self._pki is None:
            raise RuntimeError("no PKI attached to the local TSA server")
        return self._pki

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    def attach(self, pki) -> "LocalPkiServer":
        self._pki = pki
        return self

    def start(self) -> "LocalPkiServer":
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name=f"livret-tsa:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_dev_services(config) -> LocalPkiServer:
    """Embedded default: ensure the development PKI of ``config`` and serve
    its TSA and CRL on the host/port of ``config.dev_base_url``."""
    parts = urlsplit(config.dev_base_url)
    server = LocalPkiServer(parts.hostname or "127.0.0.1", parts.port or 80)
    server.attach(config.dev())
    return server.start()
