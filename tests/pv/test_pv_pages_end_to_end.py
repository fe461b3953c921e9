"""The whole jury through the web pages only, as new users click through them.

The session manager, the two jurors and the candidates each use their own signed-in browser (a test
client). Every step starts from a page the user is on: links are followed by their text, forms are
found by the label of their submit button and posted with the fields the page rendered (hidden fields,
checked radios and boxes, selected options, typed text), changed only where the user types or clicks.
A field or an option the page did not render cannot be posted (the helper fails), so the test breaks
when a template and its view drift apart.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.pv.conftest import attachment_pdf, check_with_pdfsig, pdf_text, read_pdf

pytestmark = pytest.mark.usefixtures("signing_env")


# ---------------------------------------------------------------------------
# reading pages as a browser does
# ---------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Control:
    kind: str  # the input's type, "textarea" or "select"
    name: str
    value: str = ""
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # (value, label, selected)


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)

    def names(self, kind: str, prefix: str = "") -> list[str]:
        """The distinct names of the enabled controls of ``kind`` (in page order)."""
        found = []
        for c in self.controls:
            if c.kind == kind and not c.disabled and c.name.startswith(prefix) and c.name not in found:
                found.append(c.name)
        return found

    def option(self, name: str, label: str) -> str:
        """The value of the option of select ``name`` whose label contains ``label``."""
        for c in self.controls:
            if c.name == name and c.kind == "select":
                matches = [v for v, text, _s in c.options if label in text]
                assert len(matches) == 1, f"option « {label} » of {name}: {c.options}"
                return matches[0]
        raise AssertionError(f"no select named {name}")

    def values(self) -> dict[str, list[str]]:
        """What the browser sends without any change."""
        data: dict[str, list[str]] = {}
        for c in self.controls:
            if c.disabled or not c.name:
                continue
            if c.kind in ("radio", "checkbox"):
                if c.checked:
                    data.setdefault(c.name, []).append(c.value)
            elif c.kind == "select":
                chosen = [v for v, _t, s in c.options if s]
                if not chosen and c.options and not c.multiple:
                    chosen = [c.options[0][0]]
                data.setdefault(c.name, []).extend(chosen)
            elif c.kind not in ("submit", "button", "reset", "image", "file"):
                data.setdefault(c.name, []).append(c.value)
        return data

    def _check(self, name: str, values: list[str]) -> None:
        rendered = [c for c in self.controls if c.name == name and not c.disabled]
        assert rendered, f"the form {self.action} renders no field named {name!r}"
        kinds = {c.kind for c in rendered}
        if kinds & {"radio", "checkbox"}:
            offered = {c.value for c in rendered}
        elif "select" in kinds:
            offered = {v for c in rendered for v, _t, _s in c.options}
        else:
            return
        assert set(values) <= offered, f"{name}: {values} not among the rendered choices {sorted(offered)}"

    def fill(self, changes: dict | None = None, button: str | None = None) -> dict[str, list[str]]:
        data = self.values()
        for name, value in (changes or {}).items():
            values = [] if value is None else [value] if isinstance(value, str) else list(value)
            self._check(name, values)
            data[name] = values
        if button is not None:
            pressed = next(b for b in self.buttons if button in b[2])
            if pressed[0]:
                data[pressed[0]] = [pressed[1]]
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self.headings: list[str] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._open: list[tuple[str, dict, list[str]]] = []  # tags whose text is being read

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((a.get("name", ""), a.get("value", ""), a.get("value", "")))
            else:
                default = "on" if kind in ("checkbox", "radio") else ""
                self._form.controls.append(Control(kind, a.get("name", ""), a.get("value", default),
                                                   checked="checked" in a, disabled="disabled" in a))
        elif tag == "select" and self._form is not None:
            self._select = Control("select", a.get("name", ""), disabled="disabled" in a, multiple="multiple" in a)
            self._form.controls.append(self._select)
        if tag in ("a", "button", "h1", "textarea", "option"):
            self._open.append((tag, a, []))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        for _tag, _attrs, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag):
        if tag in ("a", "button", "h1", "textarea", "option"):
            index = max(i for i, (t, _a, _p) in enumerate(self._open) if t == tag)
            _tag, a, parts = self._open.pop(index)
            self._closed(tag, a, "".join(parts))
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def _closed(self, tag, a, text):
        if tag == "a" and "href" in a:
            self.links.append((a["href"], _norm(text)))
        elif tag == "h1":
            self.headings.append(_norm(text))
        elif tag == "button" and self._form is not None and a.get("type", "submit") == "submit" \
                and "aria-hidden" not in a:
            self._form.buttons.append((a.get("name", ""), a.get("value", ""), _norm(text)))
        elif tag == "textarea" and self._form is not None:
            self._form.controls.append(Control("textarea", a.get("name", ""), re.sub(r"^\r?\n", "", text),
                                               disabled="disabled" in a))
        elif tag == "option" and self._select is not None:
            self._select.options.append((a.get("value", text), _norm(text), "selected" in a))


class Browser:
    """One user's browser: the page they are on, links they follow, forms they submit."""

    def __init__(self, client):
        self.client = client
        self.url = ""
        self.body = ""
        self.parsed: _Parser | None = None

    @property
    def text(self) -> str:
        """What the user reads on the page (tags removed)."""
        return _norm(html.unescape(re.sub(r"<[^>]+>", " ", self.body)))

    def _land(self, response, heading: str, status: int = 200):
        assert response.status_code == status, (response.status_code, self.url, response.get_data(as_text=True)[:3000])
        self.body = response.get_data(as_text=True)
        self.parsed = _Parser()
        self.parsed.feed(self.body)
        assert any(heading in h for h in self.parsed.headings), (heading, self.parsed.headings, self.url)
        return self

    def open(self, url: str, heading: str):
        self.url = urlsplit(url)._replace(fragment="").geturl()
        return self._land(self.client.get(self.url), heading)

    def href(self, text: str, to: str = "") -> str:
        """The first link whose text contains ``text`` (and whose address contains ``to``)."""
        for href, label in self.parsed.links:
            if text in label and to in href:
                return href
        raise AssertionError(f"no link « {text} » on {self.url}: {[label for _h, label in self.parsed.links]}")

    def click(self, text: str, heading: str, to: str = ""):
        return self.open(self.href(text, to), heading)

    def form(self, button: str) -> Form:
        found = [f for f in self.parsed.forms if any(button in b[2] for b in f.buttons)]
        assert found, f"no form with a button « {button} » on {self.url}"
        return found[0]

    def submit(self, button: str, changes: dict | None = None, *, heading: str, status: int = 302):
        """Click ``button`` after typing ``changes``; land on the redirect's page (or the re-rendered one)."""
        form = self.form(button)
        assert form.method == "post"
        action = urlsplit(form.action)._replace(fragment="").geturl() or self.url
        response = self.client.post(action, data=form.fill(changes, button))
        if status == 302:
            assert response.status_code in (302, 303), (response.status_code, response.get_data(as_text=True)[:3000])
            return self.open(response.headers["Location"], heading)
        self.url = action
        return self._land(response, heading, status)


@pytest.fixture
def browser(clients):
    return lambda user: Browser(clients(user))


# ---------------------------------------------------------------------------
# steps shared by both certifications
# ---------------------------------------------------------------------------

ADDRESS = "12 rue de la Certification, 69002 Lyon"


def _plan(mgr: Browser, code: str, title: str) -> int:
    """The session manager plans a session from their space; returns its id."""
    from datetime import date, timedelta

    mgr.open("/espace/", "Bonjour")
    mgr.click("Planifier une session", "Planifier une session")
    day = date.today() + timedelta(days=10)
    mgr.submit("Créer la session", {"certification": code, "title": title, "day": day.isoformat(),
                                    "clock": "09:00", "address": ADDRESS,
                                    "manager_position": "Responsable de session"}, heading=title)
    assert f"La session « {title} » est créée" in mgr.text
    assert "En préparation" in mgr.text and ADDRESS in mgr.text
    return int(re.search(r"/sessions/(\d+)$", mgr.url).group(1))


def _add_candidates(mgr: Browser, title: str, people) -> None:
    for person in people:
        value = mgr.form("Ajouter à la session").option("dossier_id", f"{person.last_name.upper()} {person.first_name}")
        mgr.submit("Ajouter à la session", {"dossier_id": value}, heading=title)
        assert f"{person.full_name} est ajouté ou ajoutée à la session" in mgr.text


def _add_jurors(mgr: Browser, title: str, jurors, years) -> None:
    for i, (juror, experience) in enumerate(zip(jurors, years)):
        mgr.click("Ajouter un juré", "Ajouter un juré")
        mgr.submit("Ajouter au jury", {"email": juror.email, "position": "Ingénieure IA",
                                       "company": f"Entreprise {i + 1}", "professional": "1",
                                       "experience_years": str(experience), "external": "1"}, heading=title)
        assert f"{juror.full_name} fait partie du jury." in mgr.text


def _juror_session(jb: Browser, title: str) -> Browser:
    """A juror goes from their space to the session's page."""
    jb.open("/espace/", "Bonjour")
    return jb.click(title, title, to="/jury/")


def _declare(jb: Browser, title: str, candidates: int) -> None:
    _juror_session(jb, title)
    jb.click("Mes déclarations", "Mes déclarations pour la session")
    boxes = jb.form("Enregistrer mes déclarations").names("checkbox")
    assert len(boxes) == 2 * candidates  # no link, no part in the training: one pair per candidate
    jb.submit("Enregistrer mes déclarations", dict.fromkeys(boxes, "y"), heading="Mes déclarations")
    assert "Vos déclarations sont enregistrées." in jb.text


def _open(mgr: Browser, sid: int, title: str) -> None:
    mgr.open(f"/sessions/{sid}", title)
    mgr.submit("Ouvrir la session", heading=title)
    assert "La session est ouverte" in mgr.text and "Ouverte" in mgr.parsed.headings[0]


def _attendance(mgr: Browser, title: str, count: int) -> None:
    radios = mgr.form("Enregistrer les présences").names("radio", "attendance-")
    assert len(radios) == count
    mgr.submit("Enregistrer les présences", dict.fromkeys(radios, "present"), heading=title)
    assert f"Présences enregistrées ({count} modification(s))." in mgr.text


def _grade(jb: Browser, title: str, name: str, choose) -> None:
    """A juror reads the dossier, saves a draft of their grid, checks nothing was lost, completes it."""
    _juror_session(jb, title)
    jb.click(f"Lire le dossier – {name}", f"Dossier de {name}")
    jb.click(f"Remplir ma grille pour {name}", f"Ma grille d'évaluation – {name}")
    changes = choose(jb.form("Terminer ma grille"))
    jb.submit("Enregistrer le brouillon", changes, heading=f"Ma grille d'évaluation – {name}")
    assert "Brouillon de votre grille enregistré." in jb.text
    kept = jb.form("Terminer ma grille").values()
    assert {k: kept.get(k) for k in changes} == {k: [v] for k, v in changes.items()}
    jb.submit("Terminer ma grille", heading=title)
    assert f"Votre grille pour {name} est terminée." in jb.text


def _deliberation(jb: Browser, title: str, name: str) -> Browser:
    _juror_session(jb, title)
    return jb.click(f"Délibération – {name}", f"Délibération – {name}")


def _generate_pv(mgr: Browser, sid: int, title: str, grids: int, outcomes: list[str]) -> None:
    """The session manager reviews the decisions, then generates the PV from its page."""
    mgr.open(f"/sessions/{sid}", title)
    mgr.click("Délibération", f"Délibération – {title}")
    assert all(outcome in mgr.text for outcome in outcomes)
    mgr.click("Procès-verbal", "Procès-verbal et signatures")
    mgr.submit("Générer le procès-verbal et les grilles", heading="Procès-verbal et signatures")
    assert (f"Le procès-verbal n° 1 et {grids} grille(s) d'évaluation ont été générés et certifiés"
            in mgr.text)


def _sign(jb: Browser, title: str, password: str, documents: int, mistype: bool = False) -> None:
    """A juror signs every document waiting for them, from the « Documents à signer » page."""
    jb.open("/espace/", "Bonjour")
    assert f"{documents} documents attendent votre signature" in jb.text
    jb.click(title, "Documents à signer", to="/signatures")
    if mistype:
        jb.submit(f"Signer les {documents} documents", {"password": "pas le bon"}, heading="Documents à signer",
                  status=422)
        assert "Mot de passe incorrect : votre identité n'a pas pu être confirmée, rien n'a été signé." in jb.text
        assert jb.text.count("Lire dans le navigateur") == documents  # still waiting, nothing signed
    jb.submit(f"Signer les {documents} documents", {"password": password}, heading="Procès-verbal et signatures")
    assert "Documents signés :" in jb.text


def _manager_signs(mgr: Browser, sid: int, title: str, password: str, documents: int) -> bytes:
    """The session manager signs the PV last; the PV page shows it sealed; returns the sealed PDF."""
    mgr.open(f"/sessions/{sid}", title)
    mgr.click("Procès-verbal et grilles signées", "Procès-verbal et signatures")
    assert "1 document attend votre signature." in mgr.text
    mgr.click("Signer les documents", "Documents à signer")
    mgr.submit("Signer le document", {"password": password}, heading="Procès-verbal et signatures")
    assert "Documents signés : Procès-verbal n° 1." in mgr.text
    assert "Statut de la session Close" in mgr.text  # sealed: the session is closed
    pv_row = re.search(r"<tr>\s*<th scope=\"row\">Procès-verbal n° 1.*?</tr>", html.unescape(mgr.body), re.S)
    assert pv_row and "Signé et scellé" in pv_row.group(0) and "scellé le" in pv_row.group(0)
    assert mgr.text.count("Signé et scellé") == documents  # the PV and every grid
    response = mgr.client.get(mgr.href("Télécharger le PDF scellé : Procès-verbal n° 1"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return read_pdf(response)


# ---------------------------------------------------------------------------
# RNCP37827
# ---------------------------------------------------------------------------

@pytest.fixture
def people(create_user, certifier_org):
    def make(code):
        org = certifier_org(code, name=f"Organisme {code}")
        manager = create_user("session_manager", organisation=org, first_name="Rosa", last_name="Responsable")
        jurors = [create_user("juror", first_name="Jeanne", last_name="Jurée"),
                  create_user("juror", first_name="Jean", last_name="Juré")]
        return manager, jurors

    return make


def _rncp_choices(cert, validated: set[str], proposal: str, comment: str = ""):
    """What a juror clicks on the RNCP37827 grid: every criterion of a validated block « Acquis », the others
    « Non acquis », each block's proposal, the decision proposal."""
    from core.evaluation.forms import block_name, criterion_name

    def choose(form: Form) -> dict:
        criteria = form.names("radio", "crit_")
        assert len(criteria) == 142  # Annexe 3: the 142 criteria of C1 to C21
        changes = {criterion_name(crit.code): "met" if block.code in validated else "not_met"
                   for block in cert.blocks for comp in block.competencies for crit in comp.criteria}
        assert sorted(changes) == sorted(criteria)
        blocks = form.names("radio", "block_")
        assert blocks == [block_name(b.code) for b in cert.blocks]
        changes.update({block_name(b.code): "validated" if b.code in validated else "not_validated"
                        for b in cert.blocks})
        changes.update(proposal=proposal, comment=comment)
        return changes

    return choose


def test_rncp37827_through_the_pages(app, browser, people, create_user, create_admissible_dossier, tmp_path):
    from core.certifications.services import get_certification

    manager, jurors = people("RNCP37827")
    ana = create_user("candidate", first_name="Ana", last_name="Lopez")
    ben = create_user("candidate", first_name="Ben", last_name="Martin")
    for person in (ana, ben):
        create_admissible_dossier("RNCP37827", candidate=person)
    with app.app_context():
        cert = get_certification("RNCP37827")
    first_block = cert.blocks[0].code
    mgr, j1, j2 = browser(manager), browser(jurors[0]), browser(jurors[1])
    title = "Session RNCP37827 de printemps"

    sid = _plan(mgr, "RNCP37827", title)
    _add_candidates(mgr, title, [ana, ben])
    # Jeanne has a single year of experience: the jury breaks « au moins 2 professionnels »
    _add_jurors(mgr, title, jurors, years=[1, 6])
    for jb in (j1, j2):
        _declare(jb, title, candidates=2)

    mgr.open(f"/sessions/{sid}", title)
    mgr.submit("Ouvrir la session", heading=title, status=409)
    refusal = mgr.text.split("La session n'a pas été ouverte", 1)[1]
    assert ("Règle « Composé d'au moins 2 professionnels avec à minima 2 années d'expérience dans le "
            "développement et l'IA. » : 1 juré(s) sur 2 sont des professionnels") in refusal
    assert "En préparation" in mgr.parsed.headings[0]
    mgr.click("Modifier Jeanne Jurée", "Modifier le juré Jeanne Jurée")
    mgr.submit("Enregistrer", {"experience_years": "4"}, heading=title)
    assert "Les informations de Jeanne Jurée sont enregistrées." in mgr.text
    assert "Aucun point bloquant" in mgr.text
    _open(mgr, sid, title)
    _attendance(mgr, title, 2)
    observations = "Session sans incident ; les deux candidats étaient à l'heure."
    mgr.submit("Enregistrer les observations", {"observations": observations}, heading=title)
    assert "Vos observations sont enregistrées." in mgr.text

    for jb in (j1, j2):
        _grade(jb, title, "Ana Lopez", _rncp_choices(cert, {b.code for b in cert.blocks}, "admis"))
        _grade(jb, title, "Ben Martin", _rncp_choices(cert, {first_block}, "admission_partielle",
                                                     "Blocs 2 et 3 à compléter."))

    # « Admis » with one block contradicts the règlement: refused, the rule named, what was typed kept
    _deliberation(j1, title, "Ben Martin")
    typed = "Le jury souhaite admettre le candidat."
    j1.submit("Enregistrer la décision", {"outcome": "admis", "validated_blocks": [first_block],
                                          "vae_outcome": "validation_totale_titre", "comment": typed},
              heading="Délibération – Ben Martin", status=422)
    assert "La décision n'a pas été enregistrée" in j1.text
    assert "Pour obtenir le titre, le candidat doit valider les trois (3) blocs de compétences." in j1.text
    kept = j1.form("Enregistrer la décision").values()
    assert (kept["outcome"], kept["validated_blocks"], kept["vae_outcome"], kept["comment"]) == (
        ["admis"], [first_block], ["validation_totale_titre"], [typed])
    j1.submit("Enregistrer la décision", {"outcome": "admission_partielle", "vae_outcome": "validation_totale_blocs",
                                          "comment": "Blocs 2 et 3 non validés : preuves insuffisantes."},
              heading="Délibération – Ben Martin")
    assert "Décision enregistrée pour Ben Martin : « Admission partielle »." in j1.text

    # Ana: the jury confirms the decision computed by the rules, as pre-filled
    _deliberation(j2, title, "Ana Lopez")
    proposed = j2.form("Enregistrer la décision").values()
    assert proposed["outcome"] == ["admis"] and proposed["validated_blocks"] == [b.code for b in cert.blocks]
    assert proposed["vae_outcome"] == ["validation_totale_titre"]
    j2.submit("Enregistrer la décision", heading="Délibération – Ana Lopez")
    assert "Décision enregistrée pour Ana Lopez : « Admis »." in j2.text

    _generate_pv(mgr, sid, title, grids=2, outcomes=["Admis", "Admission partielle"])
    mgr.open(f"/sessions/{sid}", title)
    mgr.click("Documents à signer", "Documents à signer")
    assert "Aucun document n'attend votre signature pour cette session." in mgr.text  # jurors sign first
    assert "en attente de Jeanne Jurée, Jean Juré" in mgr.text
    for jb, juror in ((j1, jurors[0]), (j2, jurors[1])):
        _sign(jb, title, juror.plain_password, documents=3, mistype=jb is j1)
    pdf = _manager_signs(mgr, sid, title, manager.plain_password, documents=3)

    text = pdf_text(pdf)
    assert "Nombre de candidats présents : 2" in text and "Nombre de candidats absents : 0" in text
    assert "Nombre de candidats admis totalement : 1" in text
    assert "Nombre de candidats admis partiellement : 1" in text and "Nombre de candidats refusés : 0" in text
    assert observations in text and "Responsable de session" in text
    assert all(word in text for word in ("Jeanne Jurée", "Jean Juré", "Ingénieure IA", "Entreprise 1", "Entreprise 2"))
    reports = check_with_pdfsig(app, tmp_path, pdf, "rncp-pages")
    assert len(reports) == 5  # certification seal, two jurors, the session manager, the final seal
    assert all(r["Signature Validation"] == "Signature is Valid." for r in reports), reports
    assert all(r["Certificate Validation"] == "Certificate is Trusted." for r in reports), reports


# ---------------------------------------------------------------------------
# RS6776
# ---------------------------------------------------------------------------

def _rs_choices(marks: list[str], oral: str, proposal: str, comment: str = ""):
    def choose(form: Form) -> dict:
        fields = form.names("text", "mark_")
        assert len(fields) == len(marks)
        changes = dict(zip(fields, marks))
        (oral_field,) = form.names("text", "score_")
        changes.update({oral_field: oral, "proposal": proposal, "comment": comment})
        return changes

    return choose


def test_rs6776_through_the_pages(app, browser, people, create_user, create_admissible_dossier, outbox):
    from datetime import timedelta

    from core.certifications.services import get_certification
    from core.deliberation.services import today
    from core.documents.filters import doc_date

    manager, jurors = people("RS6776")
    win = create_user("candidate", first_name="Chloé", last_name="Réussite")
    lose = create_user("candidate", first_name="Denis", last_name="Échec")
    dossiers = {p.id: create_admissible_dossier("RS6776", candidate=p) for p in (win, lose)}
    with app.app_context():
        count = len(get_certification("RS6776").competencies)
    mgr, j1, j2 = browser(manager), browser(jurors[0]), browser(jurors[1])
    title = "Session RS6776 de printemps"

    sid = _plan(mgr, "RS6776", title)
    _add_candidates(mgr, title, [win, lose])
    _add_jurors(mgr, title, jurors, years=[3, 6])
    for jb in (j1, j2):
        _declare(jb, title, candidates=2)
    _open(mgr, sid, title)
    _attendance(mgr, title, 2)

    lose_marks = ["4"] * count
    lose_marks[2] = "3"
    for jb in (j1, j2):
        _grade(jb, title, "Chloé Réussite", _rs_choices(["4,5"] * count, "15", "acquise"))
        _grade(jb, title, "Denis Échec", _rs_choices(lose_marks, "12", "non_acquise",
                                                    "Une compétence n'est pas acquise."))

    # « acquise » with a competency at 3/5: refused with the rule named, what was typed kept
    _deliberation(j2, title, "Denis Échec")
    typed = "Le jury hésite."
    j2.submit("Enregistrer la décision", {"outcome": "acquise", "comment": typed},
              heading="Délibération – Denis Échec", status=422)
    assert "La décision n'a pas été enregistrée" in j2.text and "Toute compétence non validée" in j2.text
    kept = j2.form("Enregistrer la décision").values()
    assert kept["outcome"] == ["acquise"] and kept["comment"] == [typed]
    assert sorted(v for k, v in kept.items() if k.startswith("mark_")) == sorted([["3"]] + [["4"]] * (count - 1))
    j2.submit("Enregistrer la décision", {"outcome": "non_acquise", "comment": "Une compétence sur trois n'est pas "
                                                                               "acquise (3/5)."},
              heading="Délibération – Denis Échec")
    assert "Décision enregistrée pour Denis Échec : « Certification non obtenue »." in j2.text
    _deliberation(j2, title, "Chloé Réussite")
    assert j2.form("Enregistrer la décision").values()["outcome"] == ["acquise"]
    j2.submit("Enregistrer la décision", heading="Délibération – Chloé Réussite")
    assert "Décision enregistrée pour Chloé Réussite : « Certification obtenue »." in j2.text

    before = len(outbox())
    _generate_pv(mgr, sid, title, grids=2, outcomes=["Certification obtenue", "Certification non obtenue"])
    for jb, juror in ((j1, jurors[0]), (j2, jurors[1])):
        _sign(jb, title, juror.plain_password, documents=3)
    _manager_signs(mgr, sid, title, manager.plain_password, documents=3)

    sent = outbox()[before:]
    to_win = [m for m in sent if win.email in m["To"]]
    assert len(to_win) == 1 and "Certification obtenue" in to_win[0]["Subject"]
    certificate = attachment_pdf(to_win[0])
    assert certificate is not None and certificate.startswith(b"%PDF")
    assert not [m for m in sent if lose.email in m["To"]]  # the seed: no letter on failure

    # the failing candidate reads their result and the retake option in their space
    with app.app_context():
        until = doc_date(today() + timedelta(days=365))
    cand = browser(lose)
    cand.open("/espace/", "Bonjour Denis")
    reference = dossiers[lose.id].reference
    cand.click(reference, f"Dossier {reference}")
    result = cand.text.split("Résultat de la certification", 1)[1]
    assert "Décision du jury Certification non obtenue" in result
    assert (f"Vous pouvez vous présenter à une session de rattrapage jusqu'au {until} (un seul rattrapage, "
            "sans frais de certification).") in result
    winner = browser(win)
    winner.open("/espace/", "Bonjour Chloé")
    winner.click(dossiers[win.id].reference, f"Dossier {dossiers[win.id].reference}")
    assert "Décision du jury Certification obtenue" in winner.text and "rattrapage" not in winner.text
