"""The servers the tests start choose their ports where nothing else takes them, and SeaweedFS starts again on
other ports when one was taken after all (before: « bind: address already in use », and every S3 test of that
test worker failed)."""
import io
import socket

import storage.testing as support
from storage.testing import SeaweedS3, _ephemeral_range, free_port


def test_free_ports_are_below_the_ephemeral_range():
    low, _high = _ephemeral_range()
    ports = {free_port() for _ in range(40)}
    assert all(1024 < p < low for p in ports), sorted(ports)
    assert len(ports) > 30  # at random: parallel test workers do not meet
    for port in list(ports)[:5]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # free indeed


def test_seaweedfs_starts_again_on_other_ports_when_one_is_taken(tmp_path, monkeypatch):
    chosen, held = [], []
    real = support.free_ports

    def first_filer_port_taken(n):
        ports = real(n)
        chosen.append(ports)
        if len(chosen) == 2:  # the gRPC ports of the first attempt: someone takes the filer's meanwhile
            sock = socket.socket()
            sock.bind(("127.0.0.1", ports[2]))
            sock.listen()
            held.append(sock)
        return ports

    monkeypatch.setattr(support, "free_ports", first_filer_port_taken)
    server = SeaweedS3(tmp_path / "weed")
    try:
        server.start()
        assert len(chosen) == 4  # two attempts
        assert "address already in use" in (tmp_path / "weed" / "weed.log").read_text(errors="replace")
        client = server.client()
        client.make_bucket("apres-reprise")
        client.put_object("apres-reprise", "objet", io.BytesIO(b"ok"), 2)
        assert client.get_object("apres-reprise", "objet").read() == b"ok"
    finally:
        server.stop()
        for sock in held:
            sock.close()
