"""Journey of a candidate's rights over their data (issue 18): Léa opens a dossier, types her letter and uploads a
piece of evidence, downloads « Mes données » from her account page and finds in the ZIP what she typed and the
very file she uploaded (each hash in SHA256SUMS); then « Supprimer mon compte »: she reads what goes and what
stays, types a wrong password (refused, nothing erased), then the right one; her account is gone, signing in is
refused, and a last e-mail confirms it.

The account is created for this journey (the demo's accounts stay as they are for the other journeys of the
worker). Every page is checked (axe-core, ids, names, CSRF) and photographed.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from pathlib import Path

from candidate_steps import flash, make_pdf, open_annexes, open_section, press, type_text, upload_annexes

PASSWORD = "lea-roux-mot-de-passe-2026"
LETTER = "Je conçois des modèles de prévision pour une coopérative agricole depuis six ans."


def _account(app) -> str:
    from core.auth.services import create_user
    from core.extensions import db

    email = f"lea.roux.{uuid.uuid4().hex[:8]}@exemple.org"
    with app.test_request_context("/"):
        create_user(email=email, password=PASSWORD, role="candidate", first_name="Léa", last_name="Roux",
                    verified=True)
        db.session.commit()
    return email


def test_a_candidate_downloads_her_data_then_erases_her_account(people, tmp_path):
    email = _account(people.app)
    lea = people.open_as(email, PASSWORD, "lea")
    page = lea.page

    # -- a draft: a section typed, a file uploaded ---------------------------------------------------------
    lea.goto("/espace/", "mon espace")
    press(lea, re.compile(r"^Ouvrir mon dossier\s+RNCP37827$"), "dossier ouvert", expect_url=r"/dossiers/\d+$")
    overview = page.url
    open_section(lea, "Votre lettre de motivation", "lettre de motivation")
    page.locator("#lettre").fill(LETTER)
    press(lea, "Enregistrer le brouillon", "brouillon enregistré")
    flash(lea, "Brouillon enregistré.")
    evidence = make_pdf(tmp_path / "attestation-cooperative.pdf", "Attestation de la coopérative",
                        ["Léa Roux conçoit nos modèles de prévision depuis 2020."])
    lea.goto(overview, "retour au dossier")
    open_annexes(lea)
    upload_annexes(lea, [{"path": evidence, "title": "Attestation de la coopérative"}])

    # -- « Télécharger mes données » ----------------------------------------------------------------------------
    lea.goto("/compte", "mon compte")
    assert page.get_by_role("heading", name="Mes données personnelles").is_visible()
    button = page.get_by_role("button", name="Télécharger mes données")
    with page.expect_download() as info:
        button.focus()
        page.keyboard.press("Enter")
    download = info.value
    assert re.fullmatch(r"livret-mes-donnees-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    sums = {path: digest for digest, path in (line.split("  ", 1) for line in
                                              archive.read("SHA256SUMS").decode().splitlines())}
    for path, digest in sums.items():
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest, path
    data = json.loads(archive.read("donnees.json"))
    assert data["account"]["email"] == email
    [dossier] = data["dossiers"]
    letters = [s["data"].get("lettre") for s in dossier["sections"] if s["key"] == "lettre_motivation"]
    assert letters == [LETTER]  # every section she typed
    [annex] = dossier["annexes"]
    assert archive.read(annex["file"]) == evidence.read_bytes()  # the very file she uploaded
    lea.check("mon compte après le téléchargement")

    # -- « Supprimer mon compte »: what goes, what stays ----------------------------------------------------------
    lea.follow(re.compile(r"^Voir ce qui serait supprimé"), "supprimer mon compte", exact=False)
    assert page.get_by_role("heading", level=1).inner_text() == "Supprimer mon compte"
    for heading in ("Ce qui sera supprimé", "Ce qui sera conservé, pourquoi et jusqu'à quand",
                    "Ce qui change pour vous"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert "Brouillon « Développeur en intelligence artificielle »" in page.locator("main").inner_text()

    understood = page.get_by_label(re.compile(r"^J'ai lu ce qui sera supprimé"))
    understood.focus()
    page.keyboard.press("Space")
    type_text(lea, "#password", "pas-le-bon-mot-de-passe")
    press(lea, "Supprimer définitivement mon compte", "mot de passe erroné")
    error = page.locator("#password-error").inner_text()
    assert "Mot de passe incorrect : votre compte n'a pas été supprimé." in error
    assert page.get_by_label(re.compile(r"^Mot de passe")).get_attribute("aria-invalid") == "true"

    if not page.get_by_label(re.compile(r"^J'ai lu ce qui sera supprimé")).is_checked():
        page.get_by_label(re.compile(r"^J'ai lu ce qui sera supprimé")).focus()
        page.keyboard.press("Space")
    type_text(lea, "#password", PASSWORD)
    press(lea, "Supprimer définitivement mon compte", "compte supprimé")
    assert page.get_by_role("heading", level=1).inner_text() == "Votre compte est supprimé"
    assert "1 brouillon supprimé" in page.locator("main").inner_text()

    # -- signed out, and signing in is refused ----------------------------------------------------------------
    lea.goto("/connexion", "connexion après la suppression")
    page.get_by_label(re.compile(r"^Adresse électronique")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    lea.check("connexion refusée")
    assert "/connexion" in page.url

    last = [m for m in people.emails() if m["To"] == email][-1]
    assert "supprimé" in last["Subject"]
