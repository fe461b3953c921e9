"""``livret plugin check`` checks what a plugin declares about personal data."""
from __future__ import annotations

from core.hookspecs import hookimpl
from core.testing import CertificationPlugin, make_certification


class SloppyPrivacy(CertificationPlugin):
    @hookimpl
    def livret_retention_rules(self, certification):
        from core.privacy.declarations import DELETE, KEEP, RetentionRule

        return [RetentionRule("brouillons", "Brouillons", 6, DELETE, "la création", "Parce que."),
                RetentionRule("draft", "Brouillons", 48, DELETE, "la création", "Parce que.", 1, 24),
                RetentionRule("decision_records", "Décisions", 12, KEEP, "la décision", ""),
                RetentionRule("login_records", "Sessions", 6, "archive", "la connexion", "Sécurité.")]

    @hookimpl
    def livret_processing_activities(self):
        from core.privacy.declarations import ProcessingActivity

        return [ProcessingActivity("prv02:x", "Traitement du module", ("Finalité",), "Intérêt légitime", (), ("Nom",),
                                   ("Jury",), retention=("photos",), certification="PRV02")]


def test_unknown_kinds_actions_and_periods_are_errors(app, register_plugin):
    register_plugin(SloppyPrivacy(make_certification("PRV02", "Certification négligente")), "prv02")
    result = app.test_cli_runner().invoke(args=["plugin", "check", "PRV02", "--no-documents", "--examples", "5"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "[ERREUR] privacy — retention brouillons : Type de données inconnu « brouillons »" in out
    assert "[ERREUR] privacy — retention draft : La durée de 48 mois sort des bornes de la règle (1 à 24)." in out
    assert "[ERREUR] privacy — retention decision_records : Une donnée conservée sans limite (keep)" in out
    assert "[ATTENTION] privacy — retention decision_records : Le texte « basis » est vide" in out
    assert "[ERREUR] privacy — retention login_records : Action inconnue « archive »" in out
    assert "[ERREUR] privacy — activity prv02:x : Le traitement nomme un type de données inconnu « photos »" in out
    assert "[ATTENTION] privacy — activity prv02:x : Le champ « data_subjects » est vide" in out


def test_the_reference_plugins_declare_usable_rules(app):
    from core.certifications.check import ERROR
    from core.privacy.check import check_privacy

    with app.app_context():
        state = app.extensions["livret"]
        for code in ("RNCP37827", "RS6776"):
            findings = check_privacy(state.certifications[code], state.pm)
            assert not [f for f in findings if f.severity == ERROR], findings
