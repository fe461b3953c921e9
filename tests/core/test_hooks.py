"""Every hook is documented (docs/plugins.md) and exercised by a plugin in this module."""
import html
import inspect
import re
from pathlib import Path

import pytest

from core import create_app, hookspecs
from core.hookspecs import hookimpl
from core.mail import send_mail
from core.testing import make_certification

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def hook_names():
    return sorted(name for name, obj in inspect.getmembers(hookspecs, inspect.isfunction)
                  if name.startswith("livret_"))


class RecordingMailer:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


class RecordingQueue:
    def __init__(self):
        self.calls = []

    def enqueue(self, func_path, **kwargs):
        from core.jobs import resolve

        self.calls.append(func_path)
        resolve(func_path)(**kwargs)
        return f"job-{len(self.calls)}"


class CardProvider:
    """An online provider, as a card-payment plugin would ship one."""

    key = "allhooks_card"
    label = "Carte bancaire (test)"

    def available_for(self, fee_request):
        return True

    def instructions(self, fee_request):
        return {"Paiement sécurisé": "par le prestataire de test"}

    def start(self, fee_request, return_url):
        return f"https://pay.example/checkout?ref={fee_request.transfer_reference}"


class AllHooksPlugin:
    """Implements every hook of core/hookspecs.py.

    The per-certification hooks do not look at ``certification.code``: core
    calls them for ALLH1 only, the certification this plugin declares."""

    __name__ = "allhooks"

    def __init__(self, template_dir):
        self.template_dir = template_dir
        self.mailer = RecordingMailer()
        self.queue = RecordingQueue()
        self.signed_for: list[int] = []

    @hookimpl
    def livret_certifications(self):
        return [make_certification("ALLH1", "Certification de tous les crochets")]

    @hookimpl
    def livret_dossier_sections(self, certification):
        from core.dossiers.sections import SectionSpec
        from forms.sections import get

        return [SectionSpec("lettre_motivation", "Lettre de motivation", form=get("lettre_motivation"))]

    @hookimpl
    def livret_dossier_problems(self, certification, dossier, sections):
        from core.dossiers.sections import Problem

        if "Bonjour" not in str(sections.get("lettre_motivation")):
            return [Problem("La lettre doit commencer par « Bonjour ».", "lettre_motivation", code="allhooks")]
        return None

    @hookimpl
    def livret_payment_providers(self, certification):  # cross-cutting: asked for every certification
        return [CardProvider()] if certification.code == "ALLH1" else None

    @hookimpl
    def livret_jury_problems(self, certification, session):
        from core.certifications.descriptor import JuryProblem

        if len(session.jurors) < 3:
            return [JuryProblem("allhooks_three", "Règle du module : il faut trois jurés.")]
        return None

    @hookimpl
    def livret_jury_regulation(self, certification):
        from core.certifications.descriptor import JuryRegulation, RegulationSection

        return JuryRegulation("Règlement du module", filename="module.pdf", content=("Préambule du module.",),
                              sections=(RegulationSection("1. Le jury", (("Trois jurés au moins.",),)),))

    @hookimpl
    def livret_evaluation_grid(self, certification):
        from core.certifications.descriptor import Grid, GridScore, Outcome

        return Grid(mode="marks", outcomes=(Outcome("reussi", "Réussi"), Outcome("echec", "Échec")),
                    scale=10, threshold=6, scores=(GridScore("PITCH", "Pitch", 10, eliminatory_below=4),))

    @hookimpl
    def livret_jury_decision(self, certification, consolidation):
        from core.certifications.descriptor import DecisionProposal

        ok = all(min(marks) >= 6 for marks in consolidation.marks.values())
        return DecisionProposal("reussi" if ok else "echec", reasons=("Règle du module : chaque note ≥ 6.",))

    @hookimpl
    def livret_decision_problems(self, certification, consolidation, decision):
        if decision.outcome == "reussi" and not decision.comment:
            return ["Règle du module : une réussite se commente."]
        return None

    @hookimpl
    def livret_retention_rules(self, certification):
        from core.privacy.declarations import DELETE, RetentionRule

        return [RetentionRule("draft", "Brouillons du module", 3, DELETE, "la dernière modification",
                              "Règle du module : trois mois suffisent.", 1, 6)]

    @hookimpl
    def livret_processing_activities(self):
        from core.privacy.declarations import ProcessingActivity

        return [ProcessingActivity(
            key="allhooks:proctoring", name="Surveillance de l'épreuve du module",
            purposes=("Vérifier que le candidat compose seul",), legal_basis="Intérêt légitime (RGPD art. 6-1-f)",
            data_subjects=("Candidats et candidates",), categories=("Images de la webcam",),
            recipients=("Le prestataire de surveillance",), retention=("draft",), certification="ALLH1")]

    @hookimpl
    def livret_template_dirs(self):
        return [self.template_dir]

    @hookimpl
    def livret_settings(self):
        return {"ALLHOOKS_GREETING": "bonjour", "ALLHOOKS_ROUNDS": 3, "ALLHOOKS_STRICT": False}

    @hookimpl
    def livret_mailer(self, config):
        return self.mailer

    @hookimpl
    def livret_job_queue(self, config):
        return self.queue

    @hookimpl
    def livret_person_signer(self, user, config, days):
        """A stand-in for a remote signing service: a certificate naming the service (from the dev PKI)."""
        self.signed_for.append(user.id)
        return config.dev().issue_person_certificate(f"{user.full_name} (service distant)", user.email, days=days)


@pytest.fixture
def allhooks(tmp_path):
    folder = tmp_path / "plugin_templates"
    (folder / "allhooks").mkdir(parents=True)
    (folder / "allhooks" / "certification_about.html").write_text(
        "<section><h2>Mot du module</h2><p>{{ config.ALLHOOKS_GREETING }} x{{ config.ALLHOOKS_ROUNDS }}</p></section>")
    return AllHooksPlugin(folder)


@pytest.fixture
def hooked_app(app_config, allhooks, monkeypatch):
    monkeypatch.setenv("LIVRET_ALLHOOKS_ROUNDS", "5")
    monkeypatch.setenv("LIVRET_ALLHOOKS_STRICT", "oui")
    application = create_app(dict(app_config, EXTRA_PLUGINS=[allhooks]))
    return application


def test_the_plugin_implements_every_hook():
    implemented = {name for name in dir(AllHooksPlugin) if name.startswith("livret_")}
    assert implemented == set(hook_names())


def test_every_hook_has_a_docstring_and_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for name in hook_names():
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
        assert re.search(rf"^#+ `?{name}", text, re.M), f"{name} is not documented in docs/plugins.md"


def test_the_docs_say_which_hooks_are_per_certification():
    """Each hook's section in docs/plugins.md opens with « *Per certification.* » exactly when it is one."""
    text = DOCS.read_text(encoding="utf-8")
    for name in hook_names():
        section = re.search(rf"^#+ `{name}\(.*?$(.*?)(?=^#+ |\Z)", text, re.M | re.S).group(1)
        assert ("*Per certification.*" in section) == (name in hookspecs.PER_CERTIFICATION), name


def test_certifications_and_template_dirs_and_settings(hooked_app):
    client = hooked_app.test_client()
    page = html.unescape(client.get("/certifications/ALLH1").get_data(as_text=True))
    assert "Certification de tous les crochets" in page
    # template folder from livret_template_dirs, settings from livret_settings + LIVRET_* override
    assert "Mot du module" in page and "bonjour x5" in page
    assert hooked_app.config["ALLHOOKS_ROUNDS"] == 5
    assert hooked_app.config["ALLHOOKS_STRICT"] is True


def test_wrong_plugin_setting_value_is_named(app_config, allhooks, monkeypatch):
    from core.config import ConfigError

    monkeypatch.setenv("LIVRET_ALLHOOKS_ROUNDS", "beaucoup")
    with pytest.raises(ConfigError, match="ALLHOOKS_ROUNDS"):
        create_app(dict(app_config, EXTRA_PLUGINS=[allhooks]))


def test_setting_without_plugin_prefix_is_refused(app_config):
    from core.plugins import PluginLoadError

    class Sloppy:
        __name__ = "sloppy"

        @hookimpl
        def livret_settings(self):
            return {"TIMEOUT": 3}

    with pytest.raises(PluginLoadError, match="SLOPPY_"):
        create_app(dict(app_config, EXTRA_PLUGINS=[Sloppy()]))


def test_mailer_and_job_queue_replace_the_defaults(hooked_app, allhooks):
    with hooked_app.app_context():
        send_mail("a@example.org", "Objet", "Corps du message")
    assert allhooks.queue.calls == ["core.mail.deliver"]
    assert len(allhooks.mailer.sent) == 1
    assert allhooks.mailer.sent[0]["Subject"] == "Objet"


def _deliver(code: str) -> None:
    """An organisation delivering ``code`` (dossiers are opened with it), inside an app context."""
    from core.auth.models import Organisation, OrganisationCertification
    from core.extensions import db

    db.session.add(Organisation(name="Certificateur ALLH", slug=f"certificateur-{code.lower()}",
                                certifications=[OrganisationCertification(certification_code=code)]))
    db.session.commit()


def test_dossier_sections_and_problems(hooked_app, create_user, login):
    from html import unescape

    client = hooked_app.test_client()
    with hooked_app.app_context():
        from core.extensions import db

        db.create_all()
        _deliver("ALLH1")
    user = create_user("candidate")
    login(user, test_client=client)
    response = client.post("/dossiers/nouveau", data={"certification": "ALLH1"})
    assert response.status_code == 302
    overview = client.get(response.headers["Location"])
    page = unescape(overview.get_data(as_text=True))
    assert "Lettre de motivation" in page
    assert "La lettre doit commencer par « Bonjour »." in page


def test_payment_providers_are_offered_on_the_fee_page(hooked_app, create_user, login):
    from html import unescape

    client = hooked_app.test_client()
    with hooked_app.app_context():
        from core.extensions import db

        db.create_all()
        _deliver("ALLH1")
    user = create_user("candidate")
    login(user, test_client=client)
    created = client.post("/dossiers/nouveau", data={"certification": "ALLH1"})
    dossier_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    page = unescape(client.get(f"/dossiers/{dossier_id}/frais").get_data(as_text=True))
    # the plugin's provider beside the shipped bank transfer (the candidate pays: individual financing)
    assert "Carte bancaire (test)" in page and "par le prestataire de test" in page
    assert "Virement bancaire" in page and "Facture à un financeur" not in page
    start = f"/dossiers/{dossier_id}/frais/payer/allhooks_card"
    assert f'action="{start}"' in page
    response = client.post(start)
    assert response.status_code == 302 and response.headers["Location"].startswith("https://pay.example/checkout")


def test_jury_hooks_grid_decision_and_problems(hooked_app, create_user):
    """A plugin replaces the grid and the decision, and adds composition and decision checks."""
    from datetime import datetime, timezone

    from core.certifications.descriptor import Consolidation, RecordedDecision
    from core.certifications.services import get_certification
    from core.extensions import db
    from core.jury import services as jury
    from core.jury.models import JurySession, SessionJuror

    with hooked_app.app_context():
        db.create_all()
        cert = get_certification("ALLH1")
        grid = jury.grid_of(cert)
        assert grid.mode == "marks" and grid.scale == 10 and grid.scores[0].key == "PITCH"

        good = Consolidation(present=True, jurors=2, marks={"C1": (7.0, 8.0), "C2": (6.0, 9.0)})
        bad = Consolidation(present=True, jurors=2, marks={"C1": (7.0, 5.0), "C2": (6.0, 9.0)})
        assert jury.compute_decision(cert, good).outcome == "reussi"
        assert jury.compute_decision(cert, bad).outcome == "echec"
        # another plugin's certification is not asked to this plugin: its own rules or core's default apply
        other = next(c for code, c in hooked_app.extensions["livret"].certifications.items() if code != "ALLH1")
        assert all(score.key != "PITCH" for score in jury.grid_of(other).scores)
        assert jury.compute_decision(other, Consolidation(present=False)).outcome == "absent"
        assert "Règle du module : une réussite se commente." not in jury.decision_problems(
            other, good, RecordedDecision(outcome="reussi"))

        problems = jury.decision_problems(cert, good, RecordedDecision(outcome="reussi"))
        assert "Règle du module : une réussite se commente." in problems
        problems = jury.decision_problems(cert, good, RecordedDecision(outcome="inconnue"))
        assert any("Décision inconnue" in p for p in problems)
        assert jury.decision_problems(cert, good, RecordedDecision(outcome="reussi", comment="Bravo")) == []

        manager = create_user("session_manager")
        juror = create_user("juror")
        session = JurySession(organisation_id=None, certification_code="ALLH1", title="Session",
                              starts_at=datetime(2027, 1, 5, 9, tzinfo=timezone.utc), manager_id=manager.id)
        session.jurors.append(SessionJuror(user_id=juror.id, external=True))
        rules = {p.rule for p in jury.jury_problems(session)}
        assert "allhooks_three" in rules and "candidates" in rules and "jurors" not in rules


def test_jury_regulation_is_rendered_for_the_jurors_convocation(hooked_app, create_user):
    """The plugin's règlement for the jury becomes the PDF attached to the jurors' convocations."""
    from datetime import datetime, timezone

    from core.certifications.services import get_certification
    from core.extensions import db
    from core.jury.models import JurySession
    from core.sessions.regulation import regulation_of, render_regulation

    with hooked_app.app_context():
        db.create_all()
        manager = create_user("session_manager")
        session = JurySession(organisation_id=None, certification_code="ALLH1", title="Session du module",
                              starts_at=datetime(2027, 1, 5, 9, tzinfo=timezone.utc), manager_id=manager.id)
        assert regulation_of(get_certification("ALLH1")).title == "Règlement du module"
        document = render_regulation(session)
        assert document.filename == "module.pdf" and document.data.startswith(b"%PDF-")
        assert document.attachment == ("module.pdf", "application/pdf", document.data)
        # another plugin's certification: not this plugin's document
        other = next(code for code in hooked_app.extensions["livret"].certifications if code not in ("ALLH1",
                                                                                                     "RNCP37827"))
        assert regulation_of(get_certification(other)) is None


def test_retention_rules_and_processing_activities(hooked_app):
    """A plugin's retention rule wins over core's for its own certification (and only there); its processing
    activity reaches the record of processing activities and its certification's privacy notice."""
    from core.certifications.services import get_certification
    from core.privacy.declarations import certification_rules, processing_activities
    from core.privacy.records import build_record, record_markdown

    with hooked_app.app_context():
        from core.extensions import db

        db.create_all()
        rules = certification_rules(get_certification("ALLH1"))
        assert rules["draft"].months == 3 and str(rules["draft"].label) == "Brouillons du module"
        assert rules["dossier_after_decision"].months == 12  # a kind the plugin leaves to core
        other = next(code for code in hooked_app.extensions["livret"].certifications if code != "ALLH1")
        assert certification_rules(get_certification(other))["draft"].months != 3
        activity = next(a for a in processing_activities() if a.key == "allhooks:proctoring")
        assert activity.certification == "ALLH1"
        assert "Surveillance de l'épreuve du module" in record_markdown(build_record())
    page = html.unescape(hooked_app.test_client().get("/certifications/ALLH1/donnees").get_data(as_text=True))
    assert "Surveillance de l'épreuve du module" in page and "Supprimés 3 mois après la dernière modification" in page


def test_a_person_signer_plugin_signs_for_the_person(app_config, allhooks, create_user, tmp_path_factory):
    """``livret_person_signer``: the plugin's signer signs (its name is in the signature), not the default."""
    from core.sealing.testing import signing_env

    server = signing_env.__wrapped__(tmp_path_factory)  # the shared fixture's TSA and PKI, stopped below
    try:
        _signed_by_the_plugin(create_app(dict(app_config, **next(server), EXTRA_PLUGINS=[allhooks])),
                              allhooks, create_user)
    finally:
        server.close()


def _signed_by_the_plugin(application, allhooks, create_user):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from weasyprint import HTML

    from core.sealing.services import reauthenticate, sign_as_person

    with application.app_context():
        from core.extensions import db

        db.create_all()
    user = create_user("juror", first_name="Inès", last_name="Petit", password="mot de passe du juré")
    pdf = HTML(string="<html lang='fr'><body><p>Grille</p></body></html>").write_pdf()
    with application.test_request_context():
        from core.auth.models import User
        from core.extensions import db

        person = db.session.get(User, user.id)
        reauthenticate(person, "mot de passe du juré")
        signed = sign_as_person(pdf, person, reason="Grille d'évaluation", level="B-B")
    [signature] = PdfFileReader(BytesIO(signed), strict=False).embedded_regular_signatures
    assert signature.signer_cert.subject.native["common_name"] == "Inès Petit (service distant)"
    assert allhooks.signed_for == [user.id]
