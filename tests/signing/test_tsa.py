import urllib.request

from asn1crypto import tsp, algos
import hashlib

from asn1crypto import crl as asn1_crl, x509


def _post(url, body, ctype="application/timestamp-query"):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.headers.get("Content-Type"), resp.read()


def test_tsa_answers_rfc3161(pki_server, dev_pki):
    server, _cfg = pki_server
    digest = hashlib.sha256(b"bonjour").digest()
    req = tsp.TimeStampReq({
        "version": 1,
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                            "hashed_message": digest},
        "nonce": 12345, "cert_req": True,
    })
    ctype, body = _post(server.tsa_url, req.dump())
    assert ctype == "application/timestamp-reply"
    resp = tsp.TimeStampResp.load(body)
    assert resp["status"]["status"].native == "granted"
    sd = resp["time_stamp_token"]["content"]
    tst = sd["encap_content_info"]["content"].parsed
    assert tst["message_imprint"]["hashed_message"].native == digest
    assert tst["nonce"].native == 12345
    signer_certs = [c.chosen.dump() for c in sd["certificates"]]
    assert dev_pki.tsa_credential().cert.dump() in signer_certs


def test_tsa_rejects_garbage(pki_server):
    server, _cfg = pki_server
    _ctype, body = _post(server.tsa_url, b"\x30\x03garbage")
    # asn1crypto wrongly requires the token, so read the status by hand
    from asn1crypto import core

    status = tsp.PKIStatusInfo.load(core.Sequence.load(body).contents)
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {"bad_data_format"}


def test_crl_and_root_are_served(pki_server, dev_pki):
    server, _cfg = pki_server
    with urllib.request.urlopen(dev_pki.crl_url, timeout=5) as r:
        crl = asn1_crl.CertificateList.load(r.read())
    assert crl.issuer == dev_pki.root_cert.subject
    with urllib.request.urlopen(dev_pki.root_url, timeout=5) as r:
        assert x509.Certificate.load(r.read()).dump() == dev_pki.root_cert.dump()
