"""The rendered PDFs, checked with independent tools: qpdf, poppler (pdfinfo,
pdffonts, pdftotext) and pikepdf (catalog, structure tree, XMP, attachments)."""
from __future__ import annotations

import json
import re
import subprocess
import unicodedata

import pikepdf
import pytest

from documents_samples import ACTIVITY_LABELS


def _norm(text: str) -> str:
    """pdftotext output with no-break spaces as plain spaces."""
    return unicodedata.normalize("NFC", text).replace("\u202f", " ").replace("\u00a0", " ")


def _info(rendered) -> dict[str, str]:
    out = {}
    for line in rendered.tool("pdfinfo", "-enc", "UTF-8").splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def _page_of(rendered, needle: str) -> int:
    pages = int(_info(rendered)["Pages"])
    for page in range(1, pages + 1):
        if needle in _norm(rendered.text("-f", str(page), "-l", str(page))):
            return page
    raise AssertionError(f"{needle!r} not found in the PDF")


def _contents_row(layout: str, label_start: str) -> tuple[int, int]:
    """(Nombre, Numéro de page) of the "Contenu de ce livret" row whose label starts so."""
    for line in layout.splitlines():
        if line.strip().startswith(label_start) and ".." not in line:  # not the Sommaire's leaders
            numbers = re.findall(r"\s(\d+)(?=\s|$)", line)
            assert len(numbers) >= 2, line
            return int(numbers[-2]), int(numbers[-1])
    raise AssertionError(f"no contents row starting with {label_start!r}")


def _struct_types(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    elements = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            elements.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return elements


DOCUMENTS = ["rncp_pdf", "rs_pdf", "receipt_pdf"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_qpdf_finds_no_error(request, name):
    rendered = request.getfixturevalue(name)
    result = subprocess.run(["qpdf", "--check", str(rendered.path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pdfinfo_shows_title_tagging_and_version(request, name):
    rendered = request.getfixturevalue(name)
    info = _info(rendered)
    assert info["Tagged"] == "yes"
    assert info["PDF version"] == "1.7"
    assert info["Page size"].endswith("(A4)")
    assert info["CreationDate"].startswith("Fri Mar 14 09:32:00 2025")
    if name == "receipt_pdf":
        assert info["Title"] == "Accusé de réception de dépôt – dossier VAE-2025-000123, version 2"
    else:
        livret = rendered.model
        assert info["Title"].startswith(f"{livret.certification.document_name} – {livret.certification.code} – ")
        assert livret.dossier.reference in info["Title"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_catalog_is_tagged_and_archival(request, name):
    rendered = request.getfixturevalue(name)
    with pikepdf.open(rendered.path) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "fr"
        assert root.ViewerPreferences.DisplayDocTitle is True  # the title, not the file name, is shown
        intent = root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1"
        assert b"sRGB" in intent.DestOutputProfile.read_bytes()[:200] or "sRGB" in str(intent.OutputConditionIdentifier)
        # Every page's content belongs to the structure tree.
        for page in pdf.pages:
            assert page.Tabs == "/S"
            assert "/StructParents" in page
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3"
        assert meta.get("pdfaid:conformance") == "A"
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == str(pdf.docinfo.Title)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_xmp_read_by_qpdf_declares_pdfa3_and_pdfua1(request, name):
    """Independent of pikepdf: qpdf's QDF output has the streams decompressed."""
    rendered = request.getfixturevalue(name)
    qdf = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(rendered.path), "-"],
                         capture_output=True, check=True).stdout.decode("latin-1")
    xmp = qdf[qdf.index("<x:xmpmeta"):qdf.index("</x:xmpmeta>")]
    assert re.search(r'pdfaid:part="3"', xmp)
    assert re.search(r'pdfaid:conformance="A"', xmp)
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    # PDF/A requires the extension schema for a property outside its predefined schemas.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp


@pytest.mark.parametrize("name", DOCUMENTS)
def test_all_fonts_are_embedded(request, name):
    rendered = request.getfixturevalue(name)
    lines = rendered.tool("pdffonts").splitlines()[2:]
    assert lines, "no font listed"
    for line in lines:
        columns = line.split()
        # name type... encoding emb sub uni object-id generation
        emb, sub, uni = columns[-5], columns[-4], columns[-3]
        assert (emb, uni) == ("yes", "yes"), line
        assert "DejaVu" in columns[0]


def test_structure_tree_has_headings_tables_lists_and_header_cells(rncp_pdf):
    with pikepdf.open(rncp_pdf.path) as pdf:
        elements = _struct_types(pdf)
        kinds = {str(e.S) for e in elements}
        assert {"/Document", "/H1", "/H2", "/H3", "/Table", "/TR", "/TH", "/TD", "/L", "/LI", "/LBody",
                "/Caption", "/Link"} <= kinds
        assert sum(1 for e in elements if e.S == "/H1") == 1
        # Data cells point at their header cells (row headers of the activity sheet, column headers...).
        cells = [e for e in elements if e.S == "/TD"]
        assert cells and all(len(e.A.Headers) >= 1 for e in cells)
        header_ids = {str(e.ID) for e in elements if e.S == "/TH"}
        assert {str(h) for e in cells for h in e.A.Headers} <= header_ids
        # Links carry a description of their target.
        contents = {str(pdf.get_object(a.objgen).Contents) for page in pdf.pages for a in page.get("/Annots", [])}
        assert "1. Etat civil" in contents and "8. Déclaration sur l'honneur" in contents


def test_livret_text_has_the_labels_of_the_form(rncp_pdf):
    text = _norm(rncp_pdf.text())
    flat = " ".join(text.split())
    for label in (
        "Dossier de demande VAE - Validation des Acquis de l'Expérience",
        "Article L 613-3 et suivants du code de l'Éducation",
        "NOM :", "PRÉNOM :", "DIPLÔME VISÉ :", "DATE DU JURY :", "CENTRE DE CERTIFICATION :",
        "RNCP : 37827 DÉVELOPPEUR EN INTELLIGENCE", "20/06/2025", "Simplon Lyon", "Sommaire",
        "Nom de famille :", "Lefèvre", "Fiche descriptive de l'activité", "Contenu de ce livret",
        "Documents", "Nombre", "Numéro de", "Je déclare sur l'honneur :", "Fait à Lyon, le 14/03/2025",
        "Nom, prénom : LEFÈVRE Élise Marie", "Tableau descriptif des compétences exercées",
        "déposé le 14/03/2025 à 10:32 (heure de Paris)",
    ):
        assert label in flat, label
    for label in ACTIVITY_LABELS:  # the row headers of the seed's activity table, word for word
        assert " ".join(label.split()) in flat, label
    assert flat.count("INTITULÉ DE LA MISSION :") == 2  # two activity sheets
    # Check boxes are glyphs with their state in words, not colour.
    assert "☒ COCHÉ" in text and "☐ NON COCHÉ" in text


def test_livret_manifest_lists_every_annex_in_full(rncp_pdf):
    text = _norm(rncp_pdf.text())
    for annex in rncp_pdf.model.annexes:
        assert annex.sha256 in text  # the 64 hexadecimal digits on one line
        assert f"Annexe {annex.number} : {annex.title}" in text
        assert annex.media_type in text
        assert ", ".join(annex.competencies) in text
    assert "1,2 Mo (1 234 567 octets)" in text
    assert "845 octets" in text
    assert "45,3 Mo (45 300 000 octets)" in text


def test_contents_table_page_numbers_come_from_the_layout(rncp_pdf):
    layout = _norm(rncp_pdf.text("-layout"))
    first_sheet = _page_of(rncp_pdf, "INTITULÉ DE LA MISSION")
    declaration = _page_of(rncp_pdf, "Je déclare sur l'honneur")
    annexes = _page_of(rncp_pdf, "Annexe 1 : ")
    assert first_sheet > 1
    assert _contents_row(layout, "Fiche(s) descriptive(s) de votre (vos) activité(s)") == (2, first_sheet)
    assert _contents_row(layout, "Déclaration sur l'honneur") == (1, declaration)
    assert _contents_row(layout, "Si besoin Annexes") == (3, annexes)
    assert _contents_row(layout, "Votre lettre de motivation") == (1, _page_of(rncp_pdf, "Madame, Monsieur,"))
    # The Sommaire has the same page numbers (leaders then the number).
    assert re.search(rf"8\. Déclaration sur l'honneur ?\.+ {declaration}\b", layout)


def test_footer_has_reference_version_and_page_count(rncp_pdf):
    pages = int(_info(rncp_pdf)["Pages"])
    last = _norm(rncp_pdf.text("-f", str(pages), "-l", str(pages)))
    assert "Dossier VAE-2025-000123 – version 2" in last
    assert f"page {pages} / {pages}" in last
    assert "page 1 /" not in _norm(rncp_pdf.text("-f", "1", "-l", "1"))  # no footer on the cover


def test_manifest_is_embedded_as_associated_file(rncp_pdf):
    with pikepdf.open(rncp_pdf.path) as pdf:
        assert list(pdf.attachments) == ["manifeste-annexes.json"]
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == "/Data"
        assert spec.EF.F.Subtype == "/application/json"
        manifest = json.loads(pdf.attachments["manifeste-annexes.json"].get_file().read_bytes())
    assert manifest == rncp_pdf.model.manifest()
    assert [a["sha256"] for a in manifest["annexes"]] == [a.sha256 for a in rncp_pdf.model.annexes]


def test_other_certification_renders_without_rncp_wording(rs_pdf):
    text = _norm(rs_pdf.text())
    layout = _norm(rs_pdf.text("-layout"))
    assert "RS : 6776 UTILISER L'INTELLIGENCE ARTIFICIELLE GÉNÉRATIVE" in " ".join(text.split())
    assert "RNCP" not in text and "37827" not in text
    # its own document: no Livret 2, no VAE (the sample's reference aside), no article of the code
    assert "ÉVALUATION ÉCRITE" in text and "six cas pratiques" in " ".join(text.split())
    assert "Livret 2" not in text and "L 613-3" not in text and "VAE" not in re.sub(r"VAE-2025-\d+", "", text)
    assert "Cas pratique 6" in text
    case_6 = _page_of(rs_pdf, "Réponse argumentée au cas pratique 6")
    assert re.search(rf"7\. Cas pratique 6 ?\.+ {case_6}\b", layout)  # Sommaire
    assert "non renseigné" in text  # no jury date, no centre yet
    for annex in rs_pdf.model.annexes:
        assert annex.sha256 in text


def test_receipt_lists_hashes_and_the_submission_time(receipt_pdf, rncp_pdf):
    text = _norm(receipt_pdf.text())
    receipt = receipt_pdf.model
    assert "Accusé de réception de dépôt" in text
    assert "LEFÈVRE Élise Marie" in text
    assert "VAE-2025-000123" in text
    assert "14/03/2025 à 10:32" in text  # 09:32 UTC shown in Paris time
    assert receipt.livret_sha256 in text
    assert receipt.livret_sha256 == __import__("hashlib").sha256(rncp_pdf.data).hexdigest()
    for annex in receipt.annexes:
        assert annex.sha256 in text


def test_rendering_is_reproducible(doc_ctx, rs_pdf):
    from core.documents.services import render_livret2

    assert render_livret2(rs_pdf.model) == rs_pdf.data
