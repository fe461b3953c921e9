"""Antivirus through clamd's INSTREAM command (TCP or unix socket).

The protocol is small enough to implement here rather than depend on the
``clamd`` PyPI package (last released in 2014, unmaintained): send
``zINSTREAM\\0``, then the data as chunks each prefixed by its length (4 bytes,
network order), then a zero-length chunk; clamd answers one NUL-terminated line:
``stream: OK``, ``stream: <signature> FOUND`` or ``<message> ERROR``.

States (:class:`ScanState`) and what they mean — fail closed:

* ``clean``: clamd scanned every byte and found nothing.
* ``infected``: clamd reported a signature (kept in ``ScanResult.signature``).
* ``error``: clamd answered but could not scan (e.g. the file exceeds its
  ``StreamMaxLength``, a corrupted file). Not clean: an operator must look.
* ``pending``: clamd could not be reached, timed out, or the connection broke.
  Never clean: the file must be scanned again later (``rescan``).
* ``not_scanned``: no antivirus is configured (:class:`DisabledScanner`). It is
  reported as such, never as clean; the application decides whether such files
  may be used, and must say they were not scanned.
"""
from __future__ import annotations

import abc

import enum
import os
import socket
import struct
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlparse

CHUNK = 256 * 1024


class ScanState(str, enum.Enum):
    PENDING = "pending"
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"
    NOT_SCANNED = "not_scanned"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ScanResult:
    state: ScanState
    signature: str | None = None
    detail: str | None = None

    @property
    def is_clean(self) -> bool:
        return self.state is ScanState.CLEAN


class BaseScanner(abc.ABC):
    configured = False

    @abc.abstractmethod
    def scan_stream(self, chunks: Iterable[bytes]) -> ScanResult:
        """Scan the bytes; never report ``clean`` unless a scanner actually said so."""

    def scan_file(self, path: str | os.PathLike) -> ScanResult:
        with open(path, "rb") as f:
            return self.scan_stream(iter(lambda: f.read(CHUNK), b""))


class DisabledScanner(BaseScanner):
    """Used only when no clamd is configured: every result is ``not_scanned``."""

    def scan_stream(self, chunks: Iterable[bytes]) -> ScanResult:
        return ScanResult(ScanState.NOT_SCANNED, detail="no antivirus configured")

    def ping(self) -> bool:
        return False


NullScanner = DisabledScanner


class ClamdScanner(BaseScanner):
    """A clamd reached at ``address``: ``tcp://host:port``, ``unix:///path`` or a socket path.

    ``timeout``: connecting and sending each chunk; ``scan_timeout``: waiting for
    the verdict once all data are sent (clamd scans then).
    """

    configured = True

    def __init__(self, address: str, *, timeout: float = 10.0, scan_timeout: float = 120.0):
        self.address = address
        self.timeout = timeout
        self.scan_timeout = scan_timeout
        parsed = urlparse(address)
        if parsed.scheme == "tcp":
            if not parsed.hostname or not parsed.port:
                raise ValueError(f"clamd address needs host and port: {address!r}")
            self._family, self._target = socket.AF_INET6 if ":" in parsed.hostname else socket.AF_INET, (
                parsed.hostname, parsed.port)
        elif parsed.scheme == "unix" or (not parsed.scheme and address.startswith("/")):
            self._family, self._target = socket.AF_UNIX, parsed.path if parsed.scheme else address
        else:
            raise ValueError(f"unsupported clamd address {address!r} (tcp://host:port or unix:///path)")

    def _connect(self) -> socket.socket:
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._target)
        except BaseException:
            sock.close()
            raise
        return sock

    @staticmethod
    def _read_reply(sock: socket.socket, limit: int = 4096) -> str:
        data = b""
        while not data.endswith(b"\0") and len(data) < limit:
            part = sock.recv(1024)
            if not part:
                break
            data += part
        return data.rstrip(b"\0").decode("utf-8", "replace").strip()

    def _command(self, command: str) -> str:
        with self._connect() as sock:
            sock.sendall(b"z" + command.encode() + b"\0")
            return self._read_reply(sock)

    def ping(self) -> bool:
        try:
            return self._command("PING") == "PONG"
        except OSError:
            return False

    def version(self) -> str | None:
        try:
            return self._command("VERSION")
        except OSError:
            return None

    def scan_stream(self, chunks: Iterable[bytes]) -> ScanResult:
        try:
            sock = self._connect()
        except OSError as exc:
            return ScanResult(ScanState.PENDING, detail=f"clamd unreachable: {exc}")
        with sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), CHUNK):
                        piece = chunk[start:start + CHUNK]
                        sock.sendall(struct.pack("!I", len(piece)) + piece)
                sock.sendall(struct.pack("!I", 0))
            except OSError as exc:
                # clamd closes the connection when the stream exceeds StreamMaxLength,
                # after writing its reason; anything else is a broken connection.
                try:
                    sock.settimeout(2.0)
                    reply = self._read_reply(sock)
                except OSError:
                    reply = ""
                if reply.endswith("ERROR"):
                    return ScanResult(ScanState.ERROR, detail=reply)
                return ScanResult(ScanState.PENDING, detail=f"connection to clamd broken: {exc}")
            try:
                sock.settimeout(self.scan_timeout)
                reply = self._read_reply(sock)
            except OSError as exc:
                return ScanResult(ScanState.PENDING, detail=f"no verdict from clamd: {exc}")
        return self.parse_reply(reply)

    @staticmethod
    def parse_reply(reply: str) -> ScanResult:
        if reply == "stream: OK":
            return ScanResult(ScanState.CLEAN)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return ScanResult(ScanState.INFECTED, signature=reply[len("stream: "):-len(" FOUND")].strip())
        if reply.endswith("ERROR"):
            return ScanResult(ScanState.ERROR, detail=reply)
        if not reply:
            return ScanResult(ScanState.PENDING, detail="empty answer from clamd")
        return ScanResult(ScanState.ERROR, detail=f"unexpected answer from clamd: {reply!r}")


# The name the brief and the settings use.
Scanner = ClamdScanner


def scanner_from_settings(address: str | None, **kwargs) -> BaseScanner:
    """A :class:`ClamdScanner` for a configured address, else a :class:`DisabledScanner`."""
    if address and address.strip():
        return ClamdScanner(address.strip(), **kwargs)
    return DisabledScanner()
