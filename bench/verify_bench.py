"""Benchmark: verifying documents the platform issues (``signing.verify``).

Builds, in one run and with the development PKI and a local TSA/CRL:

- a 20-page RNCP37827 Livret 2 rendered by the platform's renderer (tagged
  PDF/A-3a), signed by the candidate (B-T) and sealed (B-LTA): 3 signatures
  (signature, seal, document timestamp), as ``core.dossiers.submission`` does;
- the acknowledgement of receipt of that Livret 2 (2 pages), issued the same way;
- a 21-page individual evaluation grid (tagged tables) issued as
  ``core.pv.services`` does: signature fields prepared, certified by the
  organisation's seal (DocMDP), signed by two jurors and the session manager,
  sealed last (B-LTA): 5 signatures plus the document timestamp.

Prints the median time of each verification (the rounds interleaved: each
verifies every document in turn); targets: <= 1 s each, and the 20-page
Livret 2 at most 3 times the receipt (the cost follows the signatures, not
the pages).  Exits non-zero on a missed target.

    .venv/bin/python bench/verify_bench.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "documents"))  # the realistic Livret 2 of the document tests

TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0


def page_count(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def build_livret(pages: int) -> tuple[bytes, bytes]:
    """A Livret 2 of ``pages`` pages (activity sheets added) and its receipt."""
    from documents_samples import _activity, receipt_for, rncp_livret

    from core.documents.services import render_livret2, render_receipt

    extra = 0
    while True:
        livret = rncp_livret()
        at = next(i for i, s in enumerate(livret.sections) if s.key == "activite-2") + 1
        for n in range(extra):
            livret.sections.insert(at + n, _activity(3 + n, "Bloc 2 – Contribuer à la conception et au "
                                                     "développement d'un projet d'IA", "C9, C10",
                                                     f"Mission complémentaire {n + 1}", "Annexe 3"))
        pdf = render_livret2(livret)
        if page_count(pdf) >= pages:
            return pdf, render_receipt(receipt_for(livret, pdf))
        extra += 1


def build_grid(pages: int) -> bytes:
    """An evaluation grid of ``pages`` pages: tables of criteria, as the jury's grid template."""
    from core.documents.services import html_to_pdf

    rows = "".join(
        f"<tr><th scope='row'>C{c}.{k}</th><td>Critère {k} de la compétence C{c} : l'analyse du besoin "
        f"est conduite et argumentée.</td><td>Acquis</td><td>Observé lors de la mise en situation.</td></tr>"
        for c in range(1, 22) for k in range(1, 8))
    body = ""
    for block in range(1, 8):
        body += (f"<section><h2>Bloc {block}</h2><table><caption>Critères du bloc {block}</caption>"
                 f"<thead><tr><th scope='col'>Critère</th><th scope='col'>Libellé</th><th scope='col'>Évaluation"
                 f"</th><th scope='col'>Observation</th></tr></thead><tbody>{rows[: 6000 * block]}</tbody></table>"
                 f"</section>")
    html = (f"<html lang='fr'><head><meta charset='utf-8'><title>Grille</title></head><body>"
            f"<h1>Grille d'évaluation individuelle – RNCP37827</h1>{body}</body></html>")
    pdf = html_to_pdf(html, title="Grille d'évaluation individuelle", lang="fr")
    while page_count(pdf) > pages:
        body = body[: int(len(body) * 0.9)].rsplit("</tr>", 1)[0] + "</tr></tbody></table></section>"
        html = (f"<html lang='fr'><head><meta charset='utf-8'><title>Grille</title></head><body>"
                f"<h1>Grille d'évaluation individuelle – RNCP37827</h1>{body}</body></html>")
        pdf = html_to_pdf(html, title="Grille d'évaluation individuelle", lang="fr")
    return pdf


def issue_submission(pdf: bytes, cfg) -> bytes:
    from signing import issue_person_certificate, seal, sign

    candidate = issue_person_certificate(cfg, "Élise Lefèvre", "elise.lefevre@example.org")
    signed = sign(pdf, signer=candidate, level="B-T", reason="Déclaration sur l'honneur", config=cfg)
    return seal(signed, level="B-LTA", reason="Scellement du dossier déposé", config=cfg)


def issue_grid(pdf: bytes, cfg) -> bytes:
    from signing import issue_person_certificate, seal, sign
    from signing.pades import Placement, prepare_signature_fields

    people = [("Jules Juré", "jules@example.org"), ("Julie Jurée", "julie@example.org"),
              ("Régine Responsable", "regine@example.org")]
    names = ["Certification", "Jure1", "Jure2", "Responsable", "Cachet"]
    for i, name in enumerate(names):
        box = (40 + (i % 2) * 270, 60 + (i // 2) * 75, 300 + (i % 2) * 270, 124 + (i // 2) * 75)
        pdf = prepare_signature_fields(pdf, [name], placement=Placement(page=-1, box=box))
    pdf = seal(pdf, level="B-T", certify=True, field_name="Certification", config=cfg,
               reason="Document établi par l'organisme : seules les signatures prévues peuvent y être ajoutées")
    for (name, email), field in zip(people, names[1:4]):
        pdf = sign(pdf, signer=issue_person_certificate(cfg, name, email), level="B-T", field_name=field,
                   reason="Signature de la grille", config=cfg)
    return seal(pdf, level="B-LTA", field_name="Cachet", reason="Grille d'évaluation individuelle", config=cfg)


def timed(documents: dict[str, bytes], roots, rounds: int) -> dict[str, tuple[float, object]]:
    """The median time of each document's verification and its report. The rounds are interleaved (each
    round verifies every document in turn), so that a machine slowing down or speeding up during the run
    weighs on every document alike and the ratios compare the same moments."""
    from signing import VerificationReport, VerificationTooComplex, verify

    reports, times, measured = {}, {label: [] for label in documents}, {}
    for label, pdf in documents.items():
        try:
            reports[label] = verify(pdf, trust_roots=roots)  # warm-up (imports, certificate parsing)
            measured[label] = pdf
        except VerificationTooComplex as exc:  # beyond the default budget: a missed target, not a crash
            reports[label] = VerificationReport(sha256="", size=len(pdf), page_count=0, reasons=[str(exc)])
    for _ in range(rounds):
        for label, pdf in measured.items():
            start = time.perf_counter()
            verify(pdf, trust_roots=roots)
            times[label].append(time.perf_counter() - start)
    return {label: (statistics.median(times[label]) if times[label] else float("inf"), reports[label])
            for label in documents}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--save", metavar="DIR", help="also write the issued PDFs and the root certificate there")
    args = ap.parse_args()

    from core import create_app
    from signing import SigningConfig
    from signing.tsa import LocalPkiServer

    with tempfile.TemporaryDirectory() as tmp, LocalPkiServer() as server:
        app = create_app({"INSTANCE_PATH": f"{tmp}/instance", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "SECRET_KEY": "bench-secret-key-not-for-production", "TESTING": True,
                          "BASE_URL": "http://localhost"})
        cfg = SigningConfig(pki_dir=Path(tmp) / "pki", organisation="Certificateur du banc",
                            dev_base_url=server.base_url)
        server.attach(cfg.dev())
        start = time.perf_counter()
        with app.app_context():
            livret_pdf, receipt_pdf = build_livret(20)
            grid_pdf = build_grid(21)
        documents = {
            "Livret 2 RNCP37827": issue_submission(livret_pdf, cfg),
            "accusé de réception": issue_submission(receipt_pdf, cfg),
            "grille individuelle": issue_grid(grid_pdf, cfg),
        }
        print(f"documents built and issued in {time.perf_counter() - start:.1f} s")
        roots = [cfg.dev().root_pem]
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            (Path(args.save) / "root.pem").write_bytes(cfg.dev().root_pem)
            for n, pdf in enumerate(documents.values()):
                (Path(args.save) / f"document-{n}.pdf").write_bytes(pdf)
        results, pages = {}, {label: page_count(pdf) for label, pdf in documents.items()}
        for label, (seconds, report) in timed(documents, roots, args.rounds).items():
            pdf = documents[label]
            kinds = len(report.signatures) + len(report.document_timestamps)
            ok = report.valid
            results[label] = seconds
            print(f"{label:22s}: {pages[label]:2d} pages, {len(pdf) / 1024:4.0f} KiB, {kinds} signatures "
                  f"(incl. timestamps), verdict {'valid' if ok else 'NOT VALID ' + '; '.join(report.reasons)}: "
                  f"median {seconds * 1000:6.0f} ms over {args.rounds}")
            if not ok:
                print(f"  -> {label}: the issued document should be valid")
                results[label] = float("inf")

    missed = []
    for label in ("Livret 2 RNCP37827", "grille individuelle"):
        verdict = "OK" if results[label] <= TARGET_SECONDS else "OVER"
        print(f"{label}: {results[label]:.2f} s (target <= {TARGET_SECONDS:g} s) -> {verdict}")
        if verdict != "OK":
            missed.append(label)
    ratio = results["Livret 2 RNCP37827"] / results["accusé de réception"]
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio Livret 2 ({pages['Livret 2 RNCP37827']} pages) / receipt ({pages['accusé de réception']} pages): "
          f"{ratio:.2f} (target <= {TARGET_RATIO:g}) -> {verdict}")
    if verdict != "OK":
        missed.append("ratio")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
