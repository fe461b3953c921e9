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
