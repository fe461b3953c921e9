"""The jury in a real browser: the session manager and the two demo jurors, each in their own context.

RS6776 (Inkréa), end to end: planning (dates, place, schedule, candidates, jurors), a refused opening, the
jurors' declarations, the opening, each juror reading the Livret 2 and an annex then filling their grid,
deliberation (a decision contradicting the rules refused first), attendance, the PV signed in turn and
sealed, the certificate e-mail to the successful candidate.

RNCP37827 (Simplon), lighter: a juror fills a few of the 142 criteria of the grid with the keyboard and
saves a draft; the deliberation page and its « Désaccords seulement » filter.

The demo's dossiers have no Livret 2 PDF nor annexes: the candidates' admissible dossiers are prepared
in set-up, through the models and the storage, as a submission would have left them.
"""
from __future__ import annotations

import io
import re
import subprocess
import uuid
from datetime import date, datetime, timedelta, timezone

from playwright.sync_api import expect
from core.testing import organisation_id_for

MANAGER_RS = ("responsable.inkrea@demo.livret.fr", "demo-responsable2-2026")
MANAGER_RNCP = ("responsable@demo.livret.fr", "demo-responsable-2026")
JURORS = (("jure@demo.livret.fr", "demo-jure-2026"), ("jure2@demo.livret.fr", "demo-jure2-2026"))
SEALING_MS = 180_000  # generating or signing several sealed documents with the local TSA

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


# ---------------------------------------------------------------------------
# set-up: admissible dossiers as a submission leaves them (version, sealed Livret 2, annexes)
# ---------------------------------------------------------------------------

def _pdf(title: str, text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"""<html lang="fr"><head><title>{title}</title></head><body><h1>{title}</h1>
        <p>{text}</p></body></html>""").write_pdf()


def _store(app, dossier_id: int, content: bytes, media_type: str):
    from storage import new_key

    return app.extensions["livret"].storage.put(new_key("annexes", dossier_id), io.BytesIO(content),
                                                content_type=media_type)


def prepare_dossier(app, code: str, first: str, last: str, competencies: list[str]) -> dict:
    """An admissible dossier of a new candidate: version 1 submitted 20 days ago, its Livret 2 PDF and two annexes
    (a PDF linked to every competency, a PNG linked to the first) listed in its manifest."""
    from core.auth.services import create_user
    from core.demo_data import _content
    from core.dossiers.models import Annex, AnnexCompetency, Document, Dossier, DossierStatus, DossierVersion, \
        ScanState
    from core.dossiers.services import active_annexes, manifest_of
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        user = create_user(email=f"{first.lower()}.{uuid.uuid4().hex[:8]}@example.org",
                           password=uuid.uuid4().hex, role="candidate", verified=True,
                           first_name=first, last_name=last)
        db.session.flush()
        submitted = datetime.now(timezone.utc) - timedelta(days=20)
        dossier = Dossier(candidate_id=user.id, certification_code=code, status=DossierStatus.ADMISSIBLE,
                          submitted_at=submitted, organisation_id=organisation_id_for(code))
        db.session.add(dossier)
        db.session.flush()
        dossier.reference = f"{code}-{submitted.year}-{dossier.id:06d}"
        version = DossierVersion(dossier_id=dossier.id, number=1, content=_content(user, submitted), manifest=[],
                                 submitted_at=submitted, submitted_by_id=user.id)
        db.session.add(version)
        db.session.flush()
        annexes = [
            (1, "Évaluation écrite : les six cas pratiques", "cas-pratiques.pdf", "application/pdf",
             _pdf("Évaluation écrite", f"Les six cas pratiques de {first} {last}."), competencies),
            (2, "Capture d'écran d'un visuel produit", "visuel.png", "image/png", PNG, competencies[:1]),
        ]
        for number, title, filename, media_type, content, codes in annexes:
            stored = _store(app, dossier.id, content, media_type)
            db.session.add(Annex(dossier_id=dossier.id, number=number, title=title, filename=filename,
                                 media_type=media_type, size=stored.size, sha256=stored.sha256,
                                 storage_key=stored.key, scan_state=ScanState.CLEAN, uploaded_by_id=user.id,
                                 competencies=[AnnexCompetency(competency_code=c) for c in codes]))
        db.session.flush()
        db.session.refresh(dossier)
        version.manifest = manifest_of(active_annexes(dossier))
        livret = _pdf(f"Livret 2 – {first} {last}", f"Dossier {dossier.reference} déposé par {first} {last}.")
        stored = app.extensions["livret"].storage.put(new_key("documents", dossier.id), io.BytesIO(livret),
                                                      content_type="application/pdf")
        db.session.add(Document(dossier_id=dossier.id, version_id=version.id, kind="livret2", title="Livret 2",
                                filename=f"livret2-{dossier.reference}-v1.pdf", size=stored.size,
                                sha256=stored.sha256, storage_key=stored.key))
        db.session.commit()
        return {"email": user.email, "name": f"{first} {last}", "reference": dossier.reference,
                "dossier_id": dossier.id, "label": f"{last.upper()} {first}"}


def full_name(app, email: str) -> str:
    from sqlalchemy import select

    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email)).full_name


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def flash(person, text: str) -> None:
    """The page shows ``text`` (a flashed message, a status)."""
    expect(person.page.locator("main")).to_contain_text(text)


# ---------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------

def plan_session(mgr, code: str, title: str, day: date) -> int:
    page = mgr.page
    mgr.goto("/sessions", "sessions de jury")
    mgr.follow("Planifier une session", "planifier une session")
    page.get_by_label("Certification", exact=True).select_option(code)
    page.get_by_label("Intitulé de la session").fill(title)
    page.get_by_label("Date de début de la session").fill(day.isoformat())
    page.get_by_label(re.compile(r"^Heure de passage du premier candidat")).fill("09:30")
    page.get_by_label("Centre organisateur de la session").fill("Inkréa Certifications – Lyon")
    page.get_by_label("Adresse du lieu de la session").fill("12 rue de la Certification\n69002 Lyon")
    page.get_by_label(re.compile(r"^Votre fonction")).fill("Responsable des certifications")
    mgr.submit("Créer la session", "session créée", expect_url=r"/sessions/\d+$")
    flash(mgr, f"La session « {title} » est créée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("En préparation")
    return int(re.search(r"/sessions/(\d+)$", page.url).group(1))


def edit_schedule(mgr) -> None:
    """Rename the first step, shorten it, add a deliberation step without the candidate."""
    page = mgr.page
    mgr.follow("Modifier le déroulé", "déroulé")
    page.get_by_label("Durée (minutes) (étape 1)").fill("25")
    rows = page.locator("tbody tr")
    empty = next(i for i in range(rows.count())
                 if not rows.nth(i).get_by_role("textbox").first.input_value())
    n = empty + 1
    page.get_by_label(f"Intitulé de l'étape (étape {n})").fill("Délibération du jury")
    page.get_by_label(f"Durée (minutes) (étape {n})").fill("10")
    mgr.submit("Enregistrer le déroulé", "déroulé enregistré", expect_url=r"/sessions/\d+")
    flash(mgr, "Le déroulé est enregistré")
    expect(page.get_by_role("table", name=re.compile(r"^Étapes du passage"))).to_contain_text("Délibération du jury")


def add_candidates(mgr, candidates: list[dict]) -> None:
    page = mgr.page
    for c in candidates:
        select = page.get_by_label("Dossier à ajouter")
        value = select.locator("option", has_text=c["label"]).get_attribute("value")
        select.select_option(value)
        mgr.submit("Ajouter à la session", f"candidat {c['name']} ajouté")
        flash(mgr, f"{c['name']} est ajouté")


def add_juror(mgr, email: str, position: str, company: str, years: int) -> None:
    page = mgr.page
    mgr.follow("Ajouter un juré", "ajouter un juré")
    page.get_by_label("Adresse électronique du juré").fill(email)
    page.get_by_label("Poste occupé").fill(position)
    page.get_by_label("Entreprise").fill(company)
    page.get_by_label(re.compile(r"^Années d'expérience")).fill(str(years))
    # « extérieur » has no default: the manager answers it
    page.get_by_role("group", name=re.compile(r"^Extérieur ou extérieure")).get_by_label("Oui").check()
    mgr.submit("Ajouter au jury", f"juré {email} ajouté")
    flash(mgr, "fait partie du jury.")


def declare(juror, sid: int, title: str, count: int) -> None:
    """The juror declares, for each candidate, no link and no part in the training (with the keyboard)."""
    page = juror.page
    juror.goto("/espace/", "mon espace")
    juror.follow(title, "session du juré")
    juror.follow(re.compile(r"^Mes déclarations"), "mes déclarations", exact=False)
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(2 * count)
    for i in range(2 * count):
        boxes.nth(i).focus()
        page.keyboard.press("Space")
        expect(boxes.nth(i)).to_be_checked()
    juror.submit("Enregistrer mes déclarations", "déclarations enregistrées")
    flash(juror, "Vos déclarations sont enregistrées.")
    expect(page.get_by_text("aucun lien, aucune participation")).to_have_count(count)


def read_dossier(juror, sid: int, name: str) -> None:
    """The juror reads the candidate's Livret 2 (PDF inline on the page) and opens an annex in the browser."""
    page = juror.page
    juror.goto(f"/jury/sessions/{sid}", "session du juré")
    juror.follow(f"Lire le dossier – {name}", f"dossier de {name}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier de {name}")
    frame = page.locator(f"iframe[title$='de {name} (PDF)']")  # « Livret 2 VAE de … », « Évaluation écrite de … »
    expect(frame).to_have_count(1)
    livret = page.context.request.get(frame.get_attribute("src"))
    assert livret.status == 200 and livret.headers["content-type"] == "application/pdf"
    assert livret.headers["content-disposition"].startswith("inline")
    assert f"Livret 2 – {name}" in pdf_text(livret.body())
    # the annex by competency, opened in the browser's own viewer (an image: no page of ours to check)
    with page.expect_navigation():
        page.get_by_role("link", name="Ouvrir l'annexe n° 2 dans le navigateur").first.click()
    expect(page.locator("img")).to_have_count(1)
    pdf_annex = page.context.request.get(page.url.replace("/annexes/2", "/annexes/1"))
    assert pdf_annex.status == 200 and pdf_annex.headers["content-type"] == "application/pdf"
    assert "Les six cas pratiques" in pdf_text(pdf_annex.body())
    page.go_back()
    page.wait_for_load_state("load")
    juror.check(f"retour au dossier de {name}")


def fill_rs_grid(juror, sid: int, name: str, marks: list[str], oral: str, proposal: str, comment: str) -> None:
    page = juror.page
    juror.goto(f"/jury/sessions/{sid}", "session du juré")
    juror.follow(f"Remplir ma grille – {name}", f"grille de {name}")
    for i, mark in enumerate(marks, start=1):
        page.get_by_label(f"Note de la compétence C{i}, sur 5").fill(mark)
    page.get_by_label(re.compile(r", note sur 20$")).fill(oral)
    page.get_by_role("radio", name=proposal, exact=True).check()
    page.get_by_label("Commentaire général").fill(comment)
    expect(page.locator("[data-grid-progress]")).to_contain_text(f"{len(marks) + 1} / {len(marks) + 1}")
    juror.submit("Enregistrer le brouillon", f"brouillon de la grille de {name}")
    flash(juror, "Brouillon de votre grille enregistré.")
    expect(page.get_by_label("Note de la compétence C1, sur 5")).to_have_value(marks[0])
    juror.submit("Terminer ma grille", f"grille de {name} terminée")
    flash(juror, f"Votre grille pour {name} est terminée.")


# ---------------------------------------------------------------------------
# RS6776, end to end
# ---------------------------------------------------------------------------

def test_rs6776_jury_from_planning_to_the_certificate(people):
    app = people.app
    winner = prepare_dossier(app, "RS6776", "Chloé", "Lumière", [f"C{i}" for i in range(1, 7)])
    loser = prepare_dossier(app, "RS6776", "Denis", "Orage", [f"C{i}" for i in range(1, 7)])
    juror_names = [full_name(app, email) for email, _pw in JURORS]
    title = f"Session RS6776 d'automne {uuid.uuid4().hex[:4]}"
    before = len(people.emails())

    # planning
    mgr = people.open_as(*MANAGER_RS, "responsable")
    sid = plan_session(mgr, "RS6776", title, date.today() + timedelta(days=12))
    edit_schedule(mgr)
    add_candidates(mgr, [winner, loser])

    # a refused opening: the jury has no member yet
    mgr.submit("Ouvrir la session", "ouverture refusée")
    refusal = mgr.page.get_by_role("alert").filter(has_text="La session n'a pas été ouverte")
    expect(refusal).to_contain_text("La session n'a pas été ouverte")
    expect(refusal).to_contain_text("Le jury ne compte aucun membre : ajoutez au moins un juré.")
    expect(mgr.page.get_by_role("heading", level=1)).to_contain_text("En préparation")

    add_juror(mgr, JURORS[0][0], "Ingénieure en IA", "Data Conseil", 6)
    add_juror(mgr, JURORS[1][0], "Rédacteur en chef", "Éditions du Rhône", 9)
    jury_table = mgr.page.get_by_role("table", name="Membres du jury et leurs déclarations")
    expect(jury_table).to_contain_text("0 sur 2")

    # the declarations, each juror in their own browser
    jurors = [people.open_as(email, password, f"juré {i + 1}") for i, (email, password) in enumerate(JURORS)]
    for juror in jurors:
        declare(juror, sid, title, count=2)

    mgr.goto(f"/sessions/{sid}", "session avant ouverture")
    jury_table = mgr.page.get_by_role("table", name="Membres du jury et leurs déclarations")
    expect(jury_table).not_to_contain_text("0 sur 2")
    expect(jury_table).to_contain_text("2 sur 2")
    mgr.submit("Ouvrir la session", "session ouverte")
    flash(mgr, "La session est ouverte")
    expect(mgr.page.get_by_role("heading", level=1)).to_contain_text("Ouverte")

    # reading and grids
    count = 6
    loser_marks = ["4"] * count
    for juror in jurors:
        read_dossier(juror, sid, winner["name"])
        fill_rs_grid(juror, sid, winner["name"], ["4,5"] * count, "15", "Certification obtenue",
                     "Cas pratiques solides, soutenance claire.")
        fill_rs_grid(juror, sid, loser["name"], loser_marks, "8", "Certification non obtenue",
                     "Soutenance en dessous de 10 / 20.")

    # attendance (before the decisions, which fix it) and the observations of the PV
    mgr.goto(f"/sessions/{sid}", "session ouverte")
    for c in (winner, loser):
        group = mgr.page.get_by_role("group", name=re.compile(re.escape(c["name"])))
        group.get_by_role("radio").first.focus()
        mgr.page.keyboard.press("Space")
        expect(group.get_by_role("radio").first).to_be_checked()
    mgr.submit("Enregistrer les présences", "présences enregistrées")
    flash(mgr, "Présences enregistrées (2 modification(s)).")

    mgr.page.get_by_label("Observations sur le déroulement de la session d'évaluation").fill(
        "Session sans incident ; les deux candidats étaient à l'heure.")
    mgr.submit("Enregistrer les observations", "observations enregistrées")
    flash(mgr, "Vos observations sont enregistrées.")

    # deliberation: a decision contradicting the rules first
    j1 = jurors[0]
    j1.goto(f"/jury/sessions/{sid}", "session du juré")
    j1.follow(f"Délibération – {loser['name']}", f"délibération de {loser['name']}")
    page = j1.page
    page.get_by_role("radio", name="Certification obtenue", exact=True).check()
    page.get_by_label("Commentaires", exact=True).fill("Le jury souhaite l'admettre.")
    response = j1.submit("Enregistrer la décision", "décision refusée")
    assert response.status == 422
    summary = page.get_by_role("alert").filter(has_text="La décision n'a pas été enregistrée")
    expect(summary).to_contain_text("La décision n'a pas été enregistrée")
    expect(summary).to_contain_text("« Une note inférieure à 10/20 est éliminatoire. »")
    expect(page.get_by_label("Commentaires", exact=True)).to_have_value("Le jury souhaite l'admettre.")
    page.get_by_role("radio", name="Certification non obtenue", exact=True).check()
    page.get_by_label("Commentaires", exact=True).fill("Épreuve orale éliminatoire (8 / 20).")
    j1.submit("Enregistrer la décision", "décision enregistrée")
    flash(j1, f"Décision enregistrée pour {loser['name']} : « Certification non obtenue ».")

    j2 = jurors[1]
    j2.goto(f"/jury/sessions/{sid}", "session du juré")
    j2.follow(f"Délibération – {winner['name']}", f"délibération de {winner['name']}")
    expect(j2.page.get_by_role("radio", name="Certification obtenue", exact=True)).to_be_checked()
    j2.submit("Enregistrer la décision", "décision enregistrée")
    flash(j2, f"Décision enregistrée pour {winner['name']} : « Certification obtenue ».")

    # the PV: generated, signed by each juror, then the session manager
    mgr.follow("Délibération", "délibération de la session")
    expect(mgr.page.locator("table")).to_contain_text("Certification obtenue")
    expect(mgr.page.locator("table")).to_contain_text("Certification non obtenue")
    mgr.follow("Procès-verbal", "procès-verbal")
    mgr.submit("Générer le procès-verbal et les grilles", "procès-verbal généré", timeout=SEALING_MS)
    flash(mgr, "Le procès-verbal n° 1 et 2 grille(s) d'évaluation ont été générés et certifiés.")

    for juror, (_email, password) in zip(jurors, JURORS):
        juror.goto(f"/jury/sessions/{sid}", "session du juré")
        juror.follow("Documents à signer (grilles, procès-verbal)", "documents à signer")
        expect(juror.page.locator("table tbody tr")).to_have_count(3)
        juror.page.get_by_label("Mot de passe de votre compte").fill(password)
        juror.submit("Signer les 3 documents", "documents signés", timeout=SEALING_MS)
        flash(juror, "Documents signés :")

    mgr.goto(f"/sessions/{sid}/pv", "procès-verbal à signer")
    flash(mgr, "1 document attend votre signature.")
    mgr.follow("Signer les documents", "documents à signer")
    mgr.page.get_by_label("Mot de passe de votre compte").fill(MANAGER_RS[1])
    mgr.submit("Signer le document", "procès-verbal scellé", timeout=SEALING_MS)
    flash(mgr, "Documents signés : Procès-verbal n° 1.")
    expect(mgr.page.locator("dl.facts")).to_contain_text("Close")
    pv_row = mgr.page.get_by_role("table", name="Procès-verbaux de la session").locator("tbody tr").first
    expect(pv_row).to_contain_text("Signé et scellé")
    expect(pv_row).to_contain_text("scellé le")
    for name in juror_names:
        expect(pv_row).to_contain_text(f"{name} (membre du jury) : a signé le")
    expect(mgr.page.locator(".badge", has_text="Signé et scellé")).to_have_count(3)  # the PV and both grids
    pv = mgr.page.context.request.get(
        mgr.page.get_by_role("link", name="Télécharger le PDF scellé : Procès-verbal n° 1").get_attribute("href"))
    assert pv.status == 200 and pv.headers["content-type"] == "application/pdf"
    text = pdf_text(pv.body())
    assert "Session sans incident" in text and winner["name"].split()[1].upper() in text.upper()

    # the certificate e-mail to the successful candidate only
    sent = people.emails()[before:]
    to_winner = [m for m in sent if winner["email"] in m["To"]]
    certificates = [m for m in to_winner if "Certification obtenue" in m["Subject"]]
    assert len(certificates) == 1, [m["Subject"] for m in to_winner]
    body = certificates[0].get_body(preferencelist=("plain",)).get_content()
    assert f"Bonjour {winner['name']}," in body and "Félicitations" in body and people.url in body
    attachment = next(p for p in certificates[0].iter_attachments() if p.get_content_type() == "application/pdf")
    certificate = attachment.get_payload(decode=True)
    assert certificate.startswith(b"%PDF") and b"/ByteRange" in certificate  # sealed
    assert winner["name"] in pdf_text(certificate)
    assert not [m for m in sent if loser["email"] in m["To"] and "Certification obtenue" in m["Subject"]]


# ---------------------------------------------------------------------------
# RNCP37827, lighter: the 142-criteria grid with the keyboard, the deliberation filter
# ---------------------------------------------------------------------------

def _open_rncp_session(app, candidates: list[dict], title: str) -> tuple[int, list[int]]:
    """An open session of the Simplon session manager with the two demo jurors (set-up through the models)."""
    from sqlalchemy import select

    from core.auth.models import User
    from core.certifications.services import get_certification
    from core.dossiers.models import DossierStatus, Dossier
    from core.extensions import db
    from core.jury.models import Attendance, JurySession, SessionCandidate, SessionJuror, SessionStatus

    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == MANAGER_RNCP[0]))
        jurors = [db.session.scalar(select(User).where(User.email == email)) for email, _pw in JURORS]
        cert = get_certification("RNCP37827")
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        session = JurySession(organisation_id=manager.organisation_id, certification_code="RNCP37827", title=title,
                              starts_at=now - timedelta(hours=2), ends_on=now.date(), centre="Simplon.co Lyon",
                              address="12 rue de la Certification, 69002 Lyon", manager_id=manager.id,
                              manager_position="Responsable de session", status=SessionStatus.OPEN, opened_at=now,
                              schedule=[{"title": s.title, "minutes": s.duration_minutes,
                                         "with_candidate": s.with_candidate} for s in cert.scheme.schedule])
        db.session.add(session)
        for i, juror in enumerate(jurors):
            session.jurors.append(SessionJuror(user_id=juror.id, position="Ingénieur·e IA", company=f"Entreprise {i}",
                                               professional=True, experience_years=5, external=True))
        for i, c in enumerate(candidates):
            db.session.get(Dossier, c["dossier_id"]).status = DossierStatus.SCHEDULED
            session.candidates.append(SessionCandidate(dossier_id=c["dossier_id"], position=i,
                                                       attendance=Attendance.PRESENT,
                                                       starts_at=now + timedelta(minutes=90 * i)))
        db.session.commit()
        return session.id, [c.id for c in session.candidates]


def _complete_grids(app, candidate_id: int) -> None:
    """Both jurors' grids completed, disagreeing on the first block."""
    from sqlalchemy import select

    from core.auth.models import User
    from core.certifications.services import get_certification
    from core.extensions import db
    from core.jury.models import EvaluationGrid, GridStatus

    with app.app_context():
        cert = get_certification("RNCP37827")
        first = cert.blocks[0].code
        for n, (email, _pw) in enumerate(JURORS):
            juror = db.session.scalar(select(User).where(User.email == email))
            criteria, blocks = {}, {}
            for block in cert.blocks:
                ok = block.code != first or n == 0  # the second juror does not validate the first block
                blocks[block.code] = "validated" if ok else "not_validated"
                for comp in block.competencies:
                    for crit in comp.criteria:
                        criteria[crit.code] = "met" if ok else "not_met"
            db.session.add(EvaluationGrid(candidate_id=candidate_id, juror_id=juror.id, status=GridStatus.COMPLETED,
                                          data={"criteria": criteria, "competencies": {}, "blocks": blocks,
                                                "proposal": "admis" if n == 0 else "admission_partielle",
                                                "comment": ""}))
        db.session.commit()


def test_rncp37827_grid_with_the_keyboard_and_the_deliberation_filter(people):
    app = people.app
    first = prepare_dossier(app, "RNCP37827", "Inès", "Clavier", ["C1", "C2"])
    second = prepare_dossier(app, "RNCP37827", "Hugo", "Désaccord", ["C1"])
    title = f"Session RNCP37827 {uuid.uuid4().hex[:4]}"
    sid, (first_id, second_id) = _open_rncp_session(app, [first, second], title)
    _complete_grids(app, second_id)

    juror = people.open_as(*JURORS[0], "juré 1")
    page = juror.page
    juror.goto(f"/jury/sessions/{sid}", "session du juré")
    juror.follow(f"Remplir ma grille – {first['name']}", "grille RNCP37827")
    radios = page.locator("input[type=radio][name^=crit_]")
    expect(radios).to_have_count(2 * 142)
    progress = page.locator("[data-grid-progress]")
    expect(progress).to_contain_text("0 / 142")

    # the keyboard: Space chooses « Acquis », Tab goes to the next criterion, an arrow key moves to « Non acquis »
    radios.first.focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    chosen = page.locator("input[type=radio][name^=crit_]:checked")
    expect(chosen).to_have_count(4)
    values = [chosen.nth(i).get_attribute("value") for i in range(4)]
    names = [chosen.nth(i).get_attribute("name") for i in range(4)]
    assert values == ["met", "met", "met", "not_met"], values
    assert len(set(names)) == 4, names
    expect(progress).to_contain_text("4 / 142")

    juror.submit("Enregistrer le brouillon", "brouillon enregistré")
    flash(juror, "Brouillon de votre grille enregistré.")
    for name, value in zip(names, values):
        expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()
    expect(page.locator("[data-grid-progress]")).to_contain_text("4 / 142")

    # the deliberation page of the second candidate: the jurors disagree on the first block
    juror.goto(f"/sessions/{sid}/candidats/{second_id}/deliberation", "délibération")
    tables = page.locator("table[data-split-table]")
    agreeing = page.locator("tr[data-agree]")
    expect(agreeing.first).to_be_visible()
    expect(page.get_by_role("button", name="Appliquer le filtre")).to_be_hidden()  # the script filters at once
    box = page.get_by_role("checkbox", name="Désaccords seulement")
    box.focus()
    page.keyboard.press("Space")
    expect(page.locator("[data-split-filter] [role=status]")).to_contain_text("Désaccords seulement")
    expect(agreeing.first).to_be_hidden()
    expect(page.locator("tr:not([data-agree])").filter(has_text="Désaccord").first).to_be_visible()
    assert tables.count() >= 1
    juror.check("délibération, désaccords seulement")
