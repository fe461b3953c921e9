"""``livret plugin check``: the reference plugins pass, a broken plugin is reported in French with exit 1."""
from __future__ import annotations

import pytest

from core.certifications.descriptor import (Block, Competency, Consolidation, Criterion, DecisionProposal, Evaluation,
                                            EvaluationScheme, Grid, GridScore, Outcome)
from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.testing import CertificationPlugin, make_certification
from forms.base import Section
from forms.sections.common import text

EXAMPLES = ["--examples", "50"]  # a small hypothesis budget keeps the test fast


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["plugin", "check", *args])


@pytest.mark.parametrize("code", ["RNCP37827", "RS6776"])
def test_the_reference_plugins_pass(app, code):
    result = run(app, code, *EXAMPLES)
    assert result.exit_code == 0, result.output
    assert f"Certification {code}" in result.output
    assert "[ERREUR]" not in result.output
    assert "1 certification(s) vérifiée(s) : 0 erreur(s)" in result.output
    assert "Conforme au contrat des greffons." in result.output
    assert "Pas de données d'exemple" not in result.output  # the example dossier was checked and printed


def test_an_untagged_livret2_is_an_error(app, monkeypatch):
    import io

    import pikepdf

    def untagged(*args, **kwargs):
        buffer = io.BytesIO()
        with pikepdf.new() as pdf:
            pdf.add_blank_page()
            pdf.save(buffer)
        return buffer.getvalue()

    monkeypatch.setattr("core.documents.services.render_livret2", untagged)
    result = run(app, "RS6776", *EXAMPLES)
    assert result.exit_code == 1, result.output
    assert "Le Livret 2 n'est pas un PDF balisé : pas d'arbre de structure (/StructTreeRoot)." in result.output
    assert "Le Livret 2 n'est pas un PDF balisé : /MarkInfo << /Marked true >> manque." in result.output


def test_all_checks_every_installed_certification_without_documents(app):
    result = run(app, "--all", "--no-documents", *EXAMPLES)
    assert result.exit_code == 0, result.output
    assert "Certification RNCP37827" in result.output and "Certification RS6776" in result.output
    assert "Greffons : rncp37827, rs6776" in result.output


def test_an_unknown_code_or_no_code_is_refused(app):
    result = run(app, "NOPE42")
    assert result.exit_code == 1
    assert "Certification inconnue : NOPE42." in result.output
    assert run(app).exit_code == 2  # neither codes nor --all


# ---------------------------------------------------------------------------
# a broken plugin
# ---------------------------------------------------------------------------

BROKEN = make_certification(
    "BROKEN1", title="Certification cassée",
    blocks=(Block("BC01", "Bloc unique", (
        Competency("C1", "Rédiger", (Criterion("C1.1", "Le texte est clair."),), ("E1",)),
        Competency("C2", "Compétence sans critère", (), ("E1",)),
    ), evaluations=("E1", "E9")),),
    scheme=EvaluationScheme("Un oral.", (Evaluation("E1", "Oral", "Soutenance", ("C1", "C2")),)),
)


class BadSchemaSection(Section):
    key = "motivation"
    title = "Motivation"
    lettre = text("Lettre")

    @classmethod
    def json_schema(cls, certification=None, partial: bool = False):
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "texte"}


class BrokenPlugin(CertificationPlugin):
    @hookimpl
    def livret_evaluation_grid(self, certification):
        return Grid(mode="criteria", outcomes=(Outcome("ok", "Acquise"), Outcome("ko", "Non acquise")),
                    scores=(GridScore("QCM", "Questionnaire", 20.0),))

    @hookimpl
    def livret_jury_decision(self, certification, consolidation: Consolidation):
        if consolidation.criteria.get("C1.1", {}).get("not_met", 0) >= 2:
            raise ValueError("cas non prévu")
        return DecisionProposal(outcome="ok" if consolidation.present else "absent")

    @hookimpl
    def livret_dossier_sections(self, certification):
        return [SectionSpec("motivation", "Motivation", form=BadSchemaSection)]

    def livret_jury_problem(self, certification, session):  # neither a hook nor marked
        return []


def test_a_broken_plugin_is_reported_in_french_with_exit_1(app, register_plugin):
    register_plugin(BrokenPlugin(BROKEN), "broken_plugin")
    result = run(app, "BROKEN1", *EXAMPLES)
    out = result.output
    assert result.exit_code == 1, out
    assert "La compétence C2 n'a aucun critère d'évaluation." in out
    assert "Le bloc BC01 renvoie à l'épreuve E9, qui n'existe pas." in out
    assert ("La note « Questionnaire » (QCM) de la grille ne correspond à aucune épreuve de la certification : "
            "elle n'est rattachée à aucune compétence.") in out
    # hypothesis finds the combination that makes the rule raise, and prints it
    assert "livret_jury_decision lève ValueError: cas non prévu pour cette consolidation des grilles" in out
    assert '"not_met": 2' in out
    assert "Le schéma JSON de la section motivation n'est pas un JSON Schema 2020-12 valide" in out
    assert "Vouliez-vous dire livret_jury_problems ?" in out
    assert "[ERREUR]" in out and "Non conforme : corrigez les erreurs." in out


def test_signature_problems_pluggy_lets_through(app):
    from core.certifications.check import check_hooks

    class Plugin:
        @hookimpl
        def livret_jury_decision(self, certification, consolidation=None):
            return None

        @hookimpl
        def livret_dossier_problems(self, certification, **kwargs):
            return None

        @hookimpl
        def livret_decision_problems(self, certification, consolidation, decison=None):  # misspelt: never passed
            return []

        @hookimpl
        def livret_jury_decisions(self, certification):
            return None

        def livret_settings(self):
            return {}

    with app.app_context():
        pm = app.extensions["livret"].pm
        messages = {f.message for f in check_hooks(Plugin(), "sample", pm)}
    assert ("L'argument « consolidation » de livret_jury_decision a une valeur par défaut : pluggy ne le transmet "
            "pas, il garde toujours sa valeur par défaut.") in messages
    assert any(m.startswith("livret_dossier_problems accepte *kwargs") for m in messages)
    assert ("livret_decision_problems a un argument « decison » que le hook ne connaît pas ; arguments documentés : "
            "certification, consolidation, decision.") in messages
    assert ("livret_jury_decisions ne correspond à aucun hook de Livret (core/hookspecs.py). Vouliez-vous dire "
            "livret_jury_decision ?") in messages
    assert "livret_settings n'est pas décorée par @hookimpl : Livret ne l'appelle jamais." in messages


def test_the_example_data_must_pass_the_schema(app, register_plugin):
    class Plugin(CertificationPlugin):
        @hookimpl
        def livret_dossier_sections(self, certification):
            from forms.sections import LettreMotivationSection

            return [SectionSpec("lettre_motivation", "Lettre", form=LettreMotivationSection)]

        def example_sections(self, certification):
            return {"lettre_motivation": {"lettre": ""}}

    register_plugin(Plugin(make_certification("EXEMPLE1")), "example_plugin")
    result = run(app, "EXEMPLE1", "--no-documents", *EXAMPLES)
    assert result.exit_code == 1, result.output
    assert "Les données d'exemple de la section lettre_motivation sont refusées par le formulaire" in result.output


def test_a_template_that_does_not_compile_is_an_error_with_its_line(app, register_plugin, tmp_path):
    folder = tmp_path / "templates"
    (folder / "gabarits").mkdir(parents=True)
    (folder / "gabarits" / "about.html").write_text("<p>{{ certification.title }}</p>\n", encoding="utf-8")
    (folder / "gabarits" / "broken.html").write_text("<p>\n{% if certification %}\n<p>fin</p>\n", encoding="utf-8")
    (folder / "stray.html").write_text("<p>hors du dossier du greffon</p>\n", encoding="utf-8")

    class Plugin(CertificationPlugin):
        @hookimpl
        def livret_template_dirs(self):
            return [folder]

    register_plugin(Plugin(make_certification("GABARIT1")), "gabarits")
    result = run(app, "GABARIT1", "--no-documents", *EXAMPLES)
    out = result.output
    assert result.exit_code == 1, out
    assert "[ERREUR] templates — gabarits/broken.html:" in out  # the file and the line
    assert "Le gabarit gabarits/broken.html ne se compile pas : TemplateSyntaxError" in out
    assert "gabarits/about.html" not in out  # a good template is not reported
    assert "Le gabarit stray.html n'est pas rangé dans le dossier « gabarits/ »" in out
