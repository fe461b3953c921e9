"""The view models, the filters and the refusals of the renderer."""
from __future__ import annotations

import base64
import json
import struct
import zlib
from datetime import date, datetime, timezone

import pikepdf
import pytest

from core.documents.livret import ChecklistBlock, Livret2, Receipt, TableBlock, block_from_dict
from documents_samples import ACTIVITY_SHEET_LABEL, receipt_for, rncp_livret, rs_livret


def test_view_models_round_trip_through_json():
    for livret in (rncp_livret(), rs_livret()):
        data = json.loads(json.dumps(livret.to_dict()))
        assert Livret2.from_dict(data) == livret
    receipt = receipt_for(rncp_livret(), b"%PDF-1.7 ...")
    assert Receipt.from_dict(json.loads(json.dumps(receipt.to_dict()))) == receipt


def test_blocks_carry_their_kind():
    table = TableBlock(caption="T", rows=[["a", "b"]])
    assert table.to_dict()["kind"] == "table"
    assert block_from_dict(ChecklistBlock([("x", True)]).to_dict()) == ChecklistBlock([("x", True)])
    with pytest.raises(ValueError):
        block_from_dict({"kind": "video"})


def test_contents_rows_group_repeated_sections():
    rows = {row.label: row for row in rncp_livret().contents_rows()}
    assert rows[ACTIVITY_SHEET_LABEL].count == 2
    assert rows[ACTIVITY_SHEET_LABEL].anchor == "activite-1"  # page of the first sheet
    annexes = next(r for label, r in rows.items() if label.startswith("Si besoin Annexes"))
    assert annexes.count == 3 and annexes.anchor == "annexes"
    assert list(rows)[-1] == "Déclaration sur l'honneur"


def test_toc_nests_level_two_sections():
    toc = rncp_livret().toc()
    assert [top.heading for top, _ in toc][:5] == [
        "1. Etat civil", "2. Situation actuelle", "3. Financement envisagé", "4. Contenu de ce livret",
        "5. Votre projet VAE"]
    projet = dict((top.key, subs) for top, subs in toc)["projet"]
    assert [s.key for s in projet][:2] == ["motivation", "cv"]


def test_certification_number_strips_the_registry():
    livret = rncp_livret()
    assert livret.certification.number == "37827"
    assert rs_livret().certification.number == "6776"


def test_filters(doc_ctx):
    from flask_babel import force_locale

    from core.documents.filters import (doc_css_string, doc_date, doc_datetime, doc_label, doc_paragraphs,
                                        doc_size, doc_size_full)

    with force_locale("fr"):
        assert doc_size(845) == "845 octets"
        assert doc_size(1_234_567) == "1,2\u00a0Mo"
        assert doc_size_full(45_300_000).replace("\u202f", " ") == "45,3\u00a0Mo (45 300 000 octets)"
        assert doc_date(date(2025, 3, 4)) == "04/03/2025"
        # Winter (UTC+1) and summer (UTC+2) time in Paris.
        assert doc_datetime(datetime(2025, 1, 10, 23, 30, tzinfo=timezone.utc)) == "11/01/2025 à 00:30"
        assert doc_datetime(datetime(2025, 7, 1, 8, 0, tzinfo=timezone.utc)) == "01/07/2025 à 10:00"
    assert doc_label("Nom de famille") == "Nom de famille\u00a0:"
    assert doc_label("Etes-vous inscrit ?") == "Etes-vous inscrit ?"
    assert doc_label("BLOC :") == "BLOC :"
    html = str(doc_paragraphs("Ligne 1\nLigne <2>\n\nParagraphe & 2"))
    assert html == "<p>Ligne 1<br>\nLigne &lt;2&gt;</p><p>Paragraphe &amp; 2</p>"
    css = str(doc_css_string('a "b" </style> – c'))
    assert css.startswith('"a ') and "</style>" not in css and '"b"' not in css


def test_answers_are_escaped_in_the_html(doc_ctx):
    from flask import render_template

    livret = rs_livret()
    livret.sections[1].blocks[0].text = "<script>alert(1)</script>"
    html = render_template("documents/livret2.html", livret=livret, document_title="t", document_lang="fr",
                           for_print=True)
    assert "<script>" not in html and "&lt;script&gt;" in html


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_images_need_alt_text_and_keep_it(doc_ctx, tmp_path):
    from core.documents.services import DocumentRenderError, html_to_pdf

    src = "data:image/png;base64," + base64.b64encode(_png()).decode()
    with pytest.raises(DocumentRenderError, match="alt"):
        html_to_pdf(f'<html lang="fr"><body><p><img src="{src}"></p></body></html>', title="Sans alt")
    pdf_bytes = html_to_pdf(f'<html lang="fr"><body><p><img src="{src}" alt="Logo du certificateur"></p>'
                            "</body></html>", title="Avec alt")
    path = tmp_path / "img.pdf"
    path.write_bytes(pdf_bytes)
    with pikepdf.open(path) as pdf:
        figures = []

        def walk(node):
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == "/Figure":
                    figures.append(node)
                if "/K" in node:
                    walk(node.K)

        walk(pdf.Root.StructTreeRoot.K)
        assert [str(f.Alt) for f in figures] == ["Logo du certificateur"]


@pytest.mark.parametrize("url", ["https://example.org/logo.png", "http://127.0.0.1:9/x.css",
                                 "file:///etc/passwd"])
def test_nothing_is_fetched_outside_the_allowed_resources(doc_ctx, url):
    from core.documents.services import DocumentRenderError, html_to_pdf

    html = f'<html lang="fr"><head><link rel="stylesheet" href="{url}"></head><body><p>x</p></body></html>'
    with pytest.raises(DocumentRenderError, match="refused"):
        html_to_pdf(html, title="Hors ligne")


def test_clear_errors(documents_app):
    from core.documents.services import DocumentRenderError, render_pdf

    with pytest.raises(DocumentRenderError, match="application context"):
        render_pdf("documents/livret2.html", {}, title="x")
    with documents_app.app_context():
        with pytest.raises(DocumentRenderError, match="not found: documents/nope.html"):
            render_pdf("documents/nope.html", {}, title="x")
        with pytest.raises(DocumentRenderError, match="title"):
            render_pdf("documents/livret2.html", {"livret": rs_livret()}, title=" ")
        with pytest.raises(DocumentRenderError, match="could not render the template"):
            render_pdf("documents/livret2.html", {}, title="x")  # no livret in the context


def test_render_pdf_with_extra_attachment(doc_ctx, tmp_path):
    from core.documents.services import PdfAttachment, render_pdf

    receipt = receipt_for(rs_livret(), b"%PDF")
    data = render_pdf("documents/receipt.html", {"receipt": receipt}, title="Reçu", lang="fr",
                      attachments=[PdfAttachment("recu.json", json.dumps(receipt.to_dict()).encode(),
                                                 "application/json", "Données du reçu", "Source")],
                      created=datetime(2025, 1, 1, tzinfo=timezone.utc))
    path = tmp_path / "recu.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as pdf:
        assert pdf.Root.AF[0].AFRelationship == "/Source"
        assert json.loads(pdf.attachments["recu.json"].get_file().read_bytes())["livret_sha256"]
        assert str(pdf.docinfo.Title) == "Reçu"
