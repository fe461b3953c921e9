"""Benchmark: sealing the documents of a 30-candidate jury session at PAdES B-LTA.

A session closes with 30 individual grids and one procès-verbal to seal. In one
run, the same 31 documents are sealed (1) the way Livret seals a session's
documents, one after another with ``signing.seal`` (the seal key loaded once,
one TLS context for every TSA request and revocation fetch, the revocation
data of the seal's and the TSA's chains fetched once and reused), and (2) with
31 bare pyHanko calls as a caller would write them (bench/seal_bench.py).
Same keys (the development PKI's PEM files), same local TSA and CRL over HTTP,
same documents. Prints both totals, the per-document figures and the ratio
(target <= 0.5).

    .venv/bin/python bench/session_seal_bench.py [--candidates 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from seal_bench import bare_pyhanko_seal  # noqa: E402
from weasyprint import HTML  # noqa: E402

from signing import SigningConfig, seal, verify  # noqa: E402
from signing.tsa import LocalPkiServer  # noqa: E402

TARGET = 0.5


def grid(n: int) -> bytes:
    rows = "".join(f"<tr><td>C{i}</td><td>Critère {i} : la compétence est démontrée par une situation "
                   f"professionnelle décrite et argumentée.</td><td>Acquis</td></tr>" for i in range(1, 40))
    return HTML(string=f"<html lang='fr'><head><meta charset='utf-8'><title>Grille {n}</title></head><body>"
                       f"<h1>Grille d'évaluation individuelle – candidat n° {n}</h1>"
                       f"<table>{rows}</table></body></html>").write_pdf()


def procès_verbal(candidates: int) -> bytes:
    rows = "".join(f"<tr><td>Candidat {i}</td><td>Admis</td><td>BC01, BC02, BC03</td></tr>"
                   for i in range(1, candidates + 1))
    return HTML(string="<html lang='fr'><head><meta charset='utf-8'><title>PV</title></head><body>"
                       f"<h1>Procès-verbal de délibération</h1><table>{rows}</table></body></html>").write_pdf()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=30)
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
        pinned = True
    except (AttributeError, OSError):
        pinned = False
    t0 = time.perf_counter()
    documents = [grid(n) for n in range(1, args.candidates + 1)] + [procès_verbal(args.candidates)]
    print(f"{len(documents)} documents ({args.candidates} grids and the PV), "
          f"{sum(map(len, documents)) / 1024:.0f} KiB (WeasyPrint {time.perf_counter() - t0:.1f} s); "
          f"one core pinned: {pinned}")

    with tempfile.TemporaryDirectory() as tmp, LocalPkiServer() as server:
        cfg = SigningConfig(pki_dir=Path(tmp) / "pki", organisation="Bench", dev_base_url=server.base_url)
        pki = cfg.dev()
        server.attach(pki)
        d = pki.dir
        bare_args = (d / "seal.key.pem", d / "seal.crt.pem", d / "root.crt.pem", pki.root_cert, server.tsa_url)
        # warm-up of both paths (imports, fonts), outside the timings; the caches of (1) start empty below
        warm = HTML(string="<html lang='fr'><body><p>x</p></body></html>").write_pdf()
        bare_pyhanko_seal(warm, *bare_args)
        seal(warm, level="B-LTA", config=SigningConfig(pki_dir=Path(tmp) / "pki", organisation="Bench",
                                                       dev_base_url=server.base_url, revocation_cache_seconds=0))
        from signing import pades

        pades._REVINFO.clear()

        t = time.perf_counter()
        ours = [seal(doc, level="B-LTA", config=cfg) for doc in documents]
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        bare = [bare_pyhanko_seal(doc, *bare_args) for doc in documents]
        t_bare = time.perf_counter() - t

        for label, out in (("signing.seal", ours[0]), ("signing.seal", ours[-1]), ("bare pyHanko", bare[-1])):
            report = verify(out, trust_roots=[pki.root_pem])
            assert report.valid and report.signatures[0].level == "B-LTA", (label, report.reasons)

    n = len(documents)
    ratio = t_ours / t_bare
    print(f"Livret (one session)  : {t_ours:6.2f} s, {t_ours / n * 1000:6.1f} ms per document")
    print(f"bare pyHanko (x{n})    : {t_bare:6.2f} s, {t_bare / n * 1000:6.1f} ms per document")
    print(f"ratio Livret/bare: {ratio:.2f} (target <= {TARGET}) -> {'OK' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
