"""Antivirus against a real clamd started here with an EICAR database built here."""
from __future__ import annotations

import io
import socket
import threading

import pytest
import storage_samples as samples
from storage_support import EICAR, Clamd

from storage.safety import UploadPolicy, UploadRefused, receive_upload
from storage.scanner import ClamdScanner, DisabledScanner, ScanState, scanner_from_settings


def test_eicar_infected_over_tcp_and_unix(clamd):
    for address in (clamd.tcp, clamd.unix):
        result = ClamdScanner(address).scan_stream(iter([EICAR]))
        assert result.state is ScanState.INFECTED and result.signature.startswith("Livret.Test.EICAR")
        assert not result.is_clean


def test_eicar_split_in_chunks_and_embedded(clamd):
    scanner = ClamdScanner(clamd.tcp)
    result = scanner.scan_stream(EICAR[i:i + 5] for i in range(0, len(EICAR), 5))
    assert result.state is ScanState.INFECTED
    embedded = samples.image("PNG") + EICAR
    assert scanner.scan_stream(iter([embedded])).state is ScanState.INFECTED


def test_clean_file_is_clean(clamd):
    scanner = ClamdScanner(clamd.tcp)
    result = scanner.scan_stream(iter([samples.pdf()]))
    assert result.state is ScanState.CLEAN and result.is_clean and result.signature is None
    assert scanner.ping() and "ClamAV" in scanner.version()


def test_infected_upload_refused_and_not_kept(clamd, tmp_path):
    staging = tmp_path / "staging"
    data = samples.image("PNG") + EICAR  # a valid PNG carrying the test signature
    with pytest.raises(UploadRefused) as info:
        receive_upload(io.BytesIO(data), filename="photo.png", policy=UploadPolicy(), staging_dir=staging,
                       scanner=ClamdScanner(clamd.tcp))
    assert info.value.code == "infected" and "virus" in str(info.value.message)
    assert list(staging.iterdir()) == []
    with receive_upload(io.BytesIO(samples.image("PNG")), filename="photo.png", policy=UploadPolicy(),
                        staging_dir=staging, scanner=ClamdScanner(clamd.tcp)) as staged:
        assert staged.scan.state is ScanState.CLEAN


def test_clamd_stopped_means_pending(tmp_path):
    daemon = Clamd(tmp_path).start()
    scanner = ClamdScanner(daemon.tcp, timeout=2)
    try:
        assert scanner.scan_stream(iter([b"hello"])).state is ScanState.CLEAN
    finally:
        daemon.stop()
    result = scanner.scan_stream(iter([b"hello"]))
    assert result.state is ScanState.PENDING and not result.is_clean
    assert ClamdScanner(daemon.unix).scan_stream(iter([EICAR])).state is ScanState.PENDING
    # An upload while clamd is down is kept, flagged pending, never clean.
    with receive_upload(io.BytesIO(samples.pdf()), filename="x.pdf", policy=UploadPolicy(),
                        staging_dir=tmp_path / "staging", scanner=scanner) as staged:
        assert staged.scan.state is ScanState.PENDING


def test_clamd_timing_out_means_pending():
    # A server that accepts and reads but never answers.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    stop = threading.Event()

    def swallow():
        conn, _ = server.accept()
        with conn:
            while not stop.is_set() and conn.recv(65536):
                pass

    t = threading.Thread(target=swallow, daemon=True)
    t.start()
    try:
        result = ClamdScanner(f"tcp://127.0.0.1:{port}", timeout=1, scan_timeout=1).scan_stream(iter([b"x" * 1000]))
        assert result.state is ScanState.PENDING
    finally:
        stop.set()
        server.close()


def test_clamd_size_limit_is_error(tmp_path):
    daemon = Clamd(tmp_path, stream_max="1M").start()
    try:
        result = ClamdScanner(daemon.tcp).scan_stream(iter([b"\x00" * 65536] * 40))
    finally:
        daemon.stop()
    assert result.state is ScanState.ERROR and "limit" in result.detail.lower()


def test_not_configured_is_not_scanned_never_clean():
    scanner = scanner_from_settings(None)
    assert isinstance(scanner, DisabledScanner) and not scanner.configured
    result = scanner.scan_stream(iter([EICAR]))
    assert result.state is ScanState.NOT_SCANNED and not result.is_clean
    assert isinstance(scanner_from_settings("tcp://127.0.0.1:3310"), ClamdScanner)
    with pytest.raises(ValueError):
        ClamdScanner("http://example")


def test_reply_parsing():
    assert ClamdScanner.parse_reply("stream: OK").state is ScanState.CLEAN
    found = ClamdScanner.parse_reply("stream: Win.Test.EICAR_HDB-1 FOUND")
    assert (found.state, found.signature) == (ScanState.INFECTED, "Win.Test.EICAR_HDB-1")
    assert ClamdScanner.parse_reply("INSTREAM size limit exceeded. ERROR").state is ScanState.ERROR
    assert ClamdScanner.parse_reply("").state is ScanState.PENDING
    assert ClamdScanner.parse_reply("garbage").state is ScanState.ERROR
