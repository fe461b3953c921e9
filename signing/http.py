"""HTTP sessions of the signing layer (TSA requests, CRL/OCSP/certificate fetches) with one TLS context.

pyHanko opens a fresh aiohttp session for each timestamp request and each
validation context, and each builds a TLS context loading the whole CA bundle
(about 18 ms each, four per B-LTA seal: a quarter of a seal's time on a small
document). The bundle is loaded once here and shared; sessions stay per call,
since an aiohttp session is bound to the event loop that created it.
"""
from __future__ import annotations

import ssl
import threading
from contextlib import asynccontextmanager

import aiohttp
import certifi
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession

_CONTEXT: ssl.SSLContext | None = None
_LOCK = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """The client TLS context (certifi's roots, as pyHanko uses), built once per process."""
    global _CONTEXT
    if _CONTEXT is None:
        with _LOCK:
            if _CONTEXT is None:
                _CONTEXT = ssl.create_default_context(cafile=certifi.where())
    return _CONTEXT


class SharedContextSession(LazySession):
    """pyHanko's lazy session, with the shared TLS context."""

    def get_session(self):
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls_context()))
        return self._session


class Timestamper(HTTPTimeStamper):
    """pyHanko's RFC 3161 client, one session per request (as pyHanko does) with the shared TLS context."""

    @asynccontextmanager
    async def _acquire_session(self):
        own = SharedContextSession()
        try:
            yield own.get_session()
        finally:
            await own.close()


def fetcher_backend(per_request_timeout: float) -> AIOHttpFetcherBackend:
    """The CRL/OCSP/certificate fetchers of one validation context."""
    return AIOHttpFetcherBackend(session=SharedContextSession(), per_request_timeout=per_request_timeout)
