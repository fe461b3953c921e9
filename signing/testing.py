"""Checks of signed PDFs by independent tools, for test suites: Debian's ``pdfsig`` (poppler) with
an NSS database trusting a given root, and ``qpdf --check``."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


def make_nss_db(directory: Path, root_pem: bytes) -> Path:
    """An NSS database in ``directory`` (created if needed) trusting ``root_pem`` for signatures."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory / "root.pem"
    root.write_bytes(root_pem)
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{directory}"], check=True)
    subprocess.run(["certutil", "-A", "-t", "CT,C,C", "-n", "root", "-i", str(root), "-d", f"sql:{directory}"],
                   check=True)
    return directory


def run_pdfsig(nss_db: Path, pdf_path: Path) -> list[dict]:
    """Run pdfsig with the NSS database and parse its per-signature output."""
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(pdf_path)], capture_output=True, text=True)
    sigs: list[dict] = []
    for line in out.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append({})
        m = re.match(r"^\s+- ([^:]+): (.*)$", line)
        if m and sigs:
            sigs[-1][m.group(1)] = m.group(2)
    return sigs


def qpdf_check(pdf_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)


def make_person_ca(pki_dir: Path, *, name: str = "Autorité des signatures personnelles (essai)",
                   ca: bool = True, pkcs12_password: str | None = None) -> dict[str, str]:
    """A CA for the personal signatures, issued by the development root of ``pki_dir`` (as an operator's CA
    would be issued by their root), written as PEM files — and as PKCS#12 when ``pkcs12_password`` is given.
    Returns the ``SIGNING_PERSON_CA_*`` settings. ``ca=False`` makes a certificate that is not a CA."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    pki_dir = Path(pki_dir)
    root_key = serialization.load_pem_private_key((pki_dir / "root.key.pem").read_bytes(), password=None)
    root = x509.load_pem_x509_certificate((pki_dir / "root.crt.pem").read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.timezone.utc)
    seal = x509.load_pem_x509_certificate((pki_dir / "seal.crt.pem").read_bytes())  # the root's CRL, as seals have
    crl_dps = next((e.value for e in seal.extensions if e.oid == x509.oid.ExtensionOID.CRL_DISTRIBUTION_POINTS), None)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Livret (essai)"),
                                        x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(root.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(min(now + dt.timedelta(days=365), root.not_valid_after_utc))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                              critical=False))
    if crl_dps is not None:
        builder = builder.add_extension(crl_dps, critical=False)
    cert = builder.sign(root_key, hashes.SHA256())
    stem = "person-ca" if ca else "not-a-ca"
    cert_path, key_path = pki_dir / f"{stem}.crt.pem", pki_dir / f"{stem}.key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    if pkcs12_password is not None:
        p12 = pki_dir / f"{stem}.p12"
        p12.write_bytes(pkcs12.serialize_key_and_certificates(
            stem.encode(), key, cert, [root],
            serialization.BestAvailableEncryption(pkcs12_password.encode())))
        return {"SIGNING_PERSON_CA_PKCS12": str(p12), "SIGNING_PERSON_CA_PKCS12_PASSWORD": pkcs12_password}
    return {"SIGNING_PERSON_CA_CERT": str(cert_path), "SIGNING_PERSON_CA_KEY": str(key_path)}
