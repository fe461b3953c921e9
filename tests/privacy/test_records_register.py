"""``livret privacy register``: the record of processing activities (RGPD art. 30), as Markdown and as a PDF."""
from __future__ import annotations

import subprocess

from tests.privacy.register_support import people  # noqa: F401 - fixtures


def _activities(app):
    from core.privacy.declarations import processing_activities

    with app.app_context():
        return [(str(a.name), [str(p) for p in a.purposes]) for a in processing_activities()]


def test_markdown_names_every_activity_and_purpose(app, runner, people):
    app.config["PRIVACY_OPERATOR"] = "Hébergeur Exemple SAS, 1 rue de l'Exemple, 75001 Paris"
    result = runner.invoke(args=["privacy", "register"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# Registre des activités de traitement\n")
    activities = _activities(app)
    assert len(activities) >= 5  # accounts, fees, audit, one per installed certification
    for n, (name, purposes) in enumerate(activities, start=1):
        assert f"## {n}. {name}" in text.replace("\\", ""), name
        for purpose in purposes:
            assert f"  - {purpose}" in text.replace("\\", ""), purpose
    # the controllers: the organisations granted each certification, with their details; the processor
    assert ("Simplon Registre (certificateur), 55 rue de Vincennes, 93100 Montreuil, dpo@simplon.example.org"
            in text)
    assert "Inkréa Registre (centre habilité)" in text
    assert "Hébergeur Exemple SAS, 1 rue de l'Exemple, 75001 Paris" in text
    # every field of article 30, and the periods in words with their reason
    for heading in ("Base légale", "Finalités", "Personnes concernées", "Catégories de données", "Destinataires",
                    "Durées de conservation", "Mesures de sécurité"):
        assert f"**{heading}**" in text, heading
    assert ("Contenu des sections et pièces jointes d'un dossier jugé : Supprimés 1 an après la décision finale "
            "du jury.") in text
    assert "Code de commerce, art. L123-22" in text


def test_the_pdf_opens_and_names_every_purpose(app, runner, people, tmp_path):
    target = tmp_path / "registre.pdf"
    result = runner.invoke(args=["privacy", "register", "--format", "pdf", "--output", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    check = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "Registre des activités de traitement" in info
    assert "Tagged:          yes" in info  # a tagged PDF (PDF/UA), as every document of the platform
    text = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(target), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    for name, purposes in _activities(app):
        assert name in text, name
        for purpose in purposes:
            assert purpose in text, purpose
    assert "Simplon Registre" in text and "Supprimés 1 an après la décision finale du jury" in text


def test_pdf_needs_a_file(runner):
    result = runner.invoke(args=["privacy", "register", "--format", "pdf"])
    assert result.exit_code == 2 and "--output" in result.output
