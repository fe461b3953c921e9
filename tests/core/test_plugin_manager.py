"""The plugin contract: loading, checks, errors naming the plugin, throwaway plugins."""
import html

import pytest

from core import create_app
from core.hookspecs import hookimpl
from core.plugins import PluginLoadError, make_plugin_manager
from core.testing import CertificationPlugin, make_certification


def test_default_plugins_are_registered_and_checked():
    pm = make_plugin_manager(load_entry_points=False)
    names = [name for name, _ in pm.list_name_plugin()]
    assert "core.default_plugins.mail" in names and "core.default_plugins.jobs" in names


def test_misspelt_hook_stops_start_up_naming_the_plugin(app_config):
    class Typo:
        @hookimpl
        def livret_certificatons(self):  # misspelt on purpose
            return []

    typo = Typo()
    typo.__name__ = "typo_plugin"
    with pytest.raises(PluginLoadError) as info:
        create_app(dict(app_config, EXTRA_PLUGINS=[typo]))
    assert "typo_plugin" in str(info.value)
    assert "livret_certificatons" in str(info.value)


class ExtraArgument(CertificationPlugin):
    @hookimpl
    def livret_jury_decision(self, certification, consolidation, jury):
        return None


class DefaultValue(CertificationPlugin):
    @hookimpl
    def livret_jury_decision(self, certification, consolidation=None):  # pluggy would never pass it
        return None


class Keywords(CertificationPlugin):
    @hookimpl
    def livret_dossier_problems(self, certification, **kwargs):  # pluggy would pass nothing
        return None


@pytest.mark.parametrize("cls, fragment", [
    (ExtraArgument, "argument 'jury' is not an argument of the hook"),
    (DefaultValue, "argument 'consolidation' has a default value, so pluggy never passes it"),
    (Keywords, "**kwargs receives nothing"),
])
def test_wrong_hook_signature_stops_start_up_naming_plugin_file_line_and_expected(app_config, cls, fragment):
    import inspect

    plugin = cls(make_certification("SIG1"))
    plugin.__name__ = "wrong_signature"
    with pytest.raises(PluginLoadError) as info:
        create_app(dict(app_config, EXTRA_PLUGINS=[plugin]))
    message = str(info.value)
    hook = next(name for name in vars(cls) if name.startswith("livret_"))
    line = inspect.getsourcelines(getattr(cls, hook))[1]
    assert message.startswith("Plugin 'wrong_signature' implements a hook wrongly: ")
    assert f"{__file__}:{line}" in message and fragment in message
    expected = {"livret_jury_decision": "livret_jury_decision(certification, consolidation)",
                "livret_dossier_problems": "livret_dossier_problems(certification, dossier, sections)"}[hook]
    assert f"expected any of the arguments {expected}" in message


def test_livret_plugins_command_stops_on_a_wrong_signature_or_an_unknown_hook(tmp_path):
    """``livret plugins`` (a real process, the plugin found through its entry point) stops with the plugin's name."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    package = tmp_path / "livret_wrongsig"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(textwrap.dedent('''\
        from core.hookspecs import hookimpl
        from core.testing import make_certification


        @hookimpl
        def livret_certifications():
            return [make_certification("SIG2")]


        @hookimpl
        def livret_jury_decision(certification, consolidation=None):
            return None
        '''))
    (package / "typo.py").write_text(textwrap.dedent('''\
        from core.hookspecs import hookimpl


        @hookimpl
        def livret_jury_decisions(certification, consolidation):
            return None
        '''))
    code = ("import sys; sys.path.insert(0, sys.argv.pop(1)); module = sys.argv.pop(1); import core.plugins as p; "
            "from importlib.metadata import EntryPoint; "
            "p.entry_points = lambda group: [EntryPoint('wrongsig', 'livret_wrongsig.' + module, 'livret.plugins')]; "
            "from core.cli import main; main()")
    env = {"LIVRET_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    for module, fragments in (
            ("plugin", [f"{package / 'plugin.py'}:10", "argument 'consolidation' has a default value",
                        "livret_jury_decision(certification, consolidation)"]),
            ("typo", ["implements an unknown hook", "livret_jury_decisions"])):
        result = subprocess.run([sys.executable, "-c", code, str(tmp_path), module, "plugins"],
                                capture_output=True, text=True, env=env, cwd=root)
        assert result.returncode != 0, result.stdout
        assert "Livret cannot start: Plugin 'wrongsig'" in result.stderr, result.stderr
        assert all(fragment in result.stderr for fragment in fragments), result.stderr
        assert "Traceback" not in result.stderr


def test_plugin_failing_to_import_is_named(monkeypatch, app_config):
    from importlib.metadata import EntryPoint

    broken = EntryPoint(name="broken", value="livret_no_such_module.plugin", group="livret.plugins")
    monkeypatch.setattr("core.plugins.entry_points", lambda group: [broken])
    with pytest.raises(PluginLoadError) as info:
        create_app(dict(app_config))
    assert "'broken'" in str(info.value) and "failed to load" in str(info.value)


def test_duplicate_certification_code_names_both_plugins(app_config):
    one = CertificationPlugin(make_certification("DUP1"))
    one.__name__ = "first"
    two = CertificationPlugin(make_certification("DUP1"))
    two.__name__ = "second"
    with pytest.raises(PluginLoadError) as info:
        create_app(dict(app_config, EXTRA_PLUGINS=[one, two]))
    assert "first" in str(info.value) and "second" in str(info.value)


def test_invalid_descriptor_is_refused_with_the_problem(app_config):
    from core.certifications.descriptor import Evaluation, EvaluationScheme

    bad = make_certification("BAD1", scheme=EvaluationScheme("x", (Evaluation("E9", "Oral", "x", ("C99",)),)))
    plugin = CertificationPlugin(bad)
    plugin.__name__ = "badplugin"
    with pytest.raises(PluginLoadError, match="C99"):
        create_app(dict(app_config, EXTRA_PLUGINS=[plugin]))


def test_throwaway_plugin_adds_a_certification_without_core_change(app, client, register_plugin):
    assert client.get("/certifications/ZZ42").status_code == 404
    register_plugin(CertificationPlugin(make_certification("ZZ42", "Soudure sous-marine")), "zz42")
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Soudure sous-marine" in page
    detail = html.unescape(client.get("/certifications/ZZ42").get_data(as_text=True))
    assert "Rédiger un cahier des charges" in detail
    assert "La synthèse est fidèle." in detail
    assert "123,45 €" in detail


def test_throwaway_plugin_is_gone_after_the_test(app, client):
    assert client.get("/certifications/ZZ42").status_code == 404
    assert app.extensions["livret"].pm.get_plugin("zz42") is None


# ---------------------------------------------------------------------------
# Per-certification hooks: called only on the plugin declaring the certification
# ---------------------------------------------------------------------------

class RulePlugin(CertificationPlugin):
    """Declares ``code`` and decides ``outcome`` for it, without looking at the code (the lean contract)."""

    def __init__(self, name, code, outcome):
        super().__init__(make_certification(code))
        self.__name__ = name
        self.outcome = outcome

    @hookimpl
    def livret_jury_decision(self, certification, consolidation):
        from core.certifications.descriptor import DecisionProposal

        return DecisionProposal(self.outcome, reasons=(f"Règle de {self.__name__}",))


class OldFormPlugin(CertificationPlugin):
    """The form of the previous release: it declares OLD1 and still filters on the code."""

    __name__ = "oldform"

    def __init__(self):
        super().__init__(make_certification("OLD1"))

    @hookimpl
    def livret_jury_decision(self, certification, consolidation):
        from core.certifications.descriptor import DecisionProposal

        if certification.code != "OLD1":
            return None
        return DecisionProposal("ancienne_forme")


class OverridePlugin:
    """Declares no certification but overrides the decision rule of ONE1, declared by another plugin."""

    __name__ = "override_rules"

    @hookimpl
    def livret_jury_decision(self, certification, consolidation):
        from core.certifications.descriptor import DecisionProposal

        if certification.code != "ONE1":
            return None
        return DecisionProposal("surcharge")


def _decide(app, code):
    from core.certifications.descriptor import Consolidation
    from core.certifications.services import get_certification
    from core.jury.services import compute_decision

    with app.app_context():
        return compute_decision(get_certification(code), Consolidation(present=True, jurors=1)).outcome


def _deprecations(caught):
    return [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_per_certification_hooks_are_marked():
    import inspect

    from core import hookspecs

    assert hookspecs.PER_CERTIFICATION == {
        "livret_dossier_sections", "livret_dossier_problems", "livret_jury_problems", "livret_jury_regulation",
        "livret_evaluation_grid", "livret_jury_decision", "livret_decision_problems", "livret_retention_rules"}
    for name in hookspecs.PER_CERTIFICATION:
        assert "certification" in inspect.signature(getattr(hookspecs, name)).parameters
    # cross-cutting hooks stay global, even the one that receives a certification
    assert "livret_payment_providers" not in hookspecs.PER_CERTIFICATION


def test_each_plugin_is_asked_only_about_its_own_certifications(app_config):
    import warnings

    one, two = RulePlugin("first", "ONE1", "premier"), RulePlugin("second", "TWO1", "second")
    plain = CertificationPlugin(make_certification("PLAIN1"))
    plain.__name__ = "plain"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app(dict(app_config, EXTRA_PLUGINS=[one, two, OldFormPlugin(), plain]))
    assert _deprecations(caught) == []
    assert app.extensions["livret"].certifications["ONE1"].provider is one
    # neither plugin filters on the code, yet each decides for its own certification only
    assert _decide(app, "ONE1") == "premier"
    assert _decide(app, "TWO1") == "second"
    # the old form (a code filter) keeps working
    assert _decide(app, "OLD1") == "ancienne_forme"
    # a certification whose plugin has no rule gets core's default, not another plugin's
    assert _decide(app, "PLAIN1") == "ok"  # core's default, from the descriptor's only outcome


def test_plugin_declaring_no_certification_is_still_called_with_a_deprecation_warning(app_config):
    with pytest.warns(DeprecationWarning, match=r"Plugin 'override_rules' implements livret_jury_decision "
                                                r"but declares no certification"):
        app = create_app(dict(app_config, EXTRA_PLUGINS=[RulePlugin("first", "ONE1", "premier"),
                                                         RulePlugin("second", "TWO1", "second"), OverridePlugin()]))
    assert _decide(app, "ONE1") == "surcharge"  # registered last, asked first (firstresult)
    assert _decide(app, "TWO1") == "second"


def test_registering_a_plugin_at_run_time_renews_the_callers(app, register_plugin):
    from core.certifications.services import get_certification
    from core.plugins import certification_hook

    register_plugin(RulePlugin("first", "ONE1", "premier"), "first")
    with app.app_context():
        before = certification_hook(get_certification("ONE1"), "livret_jury_decision")
        assert certification_hook(get_certification("ONE1"), "livret_jury_decision") is before  # cached
    assert _decide(app, "ONE1") == "premier"
    with pytest.warns(DeprecationWarning, match="override_rules"):
        register_plugin(OverridePlugin(), "override_rules")
    assert _decide(app, "ONE1") == "surcharge"


def test_certification_hook_refuses_a_cross_cutting_hook(app):
    from core.certifications.services import get_certification
    from core.plugins import certification_hook

    with app.app_context(), pytest.raises(ValueError, match="livret_payment_providers"):
        certification_hook(get_certification("RS6776"), "livret_payment_providers")
