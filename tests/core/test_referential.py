"""The referential file: one TOML file per certification, validated by the JSON Schema shipped with Livret."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import jsonschema
import pytest

from core import create_app
from core.certifications.descriptor import Certification, Outcome, validate
from core.certifications.referential import SCHEMA_PATH, ReferentialError, load_referential, schema
from core.plugins import PluginLoadError

ROOT = Path(__file__).resolve().parents[2]
RNCP_REFERENTIAL = ROOT / "plugins/rncp37827/livret_rncp37827/referential.toml"
FROZEN_RNCP = ROOT / "plugins/rncp37827/tests/frozen_descriptor.json"
RS_REFERENTIAL = ROOT / "plugins/rs6776/livret_rs6776/referential.toml"
FROZEN_RS = ROOT / "plugins/rs6776/tests/frozen_descriptor.json"

MINIMAL = textwrap.dedent('''\
    code = "TEST1"
    title = "Certification d'essai"
    certifier = "Organisme d'essai"
    registry = "RS"

    [[blocks]]
    code = "B1"
    title = "Bloc unique"

      [[blocks.competencies]]
      code = "C1"
      title = "Compétence une"
      criteria = ["Premier critère", {code = "C1.X", text = "Critère codé"}]
    ''')


def typed(obj, path="$"):
    """A JSON form of a descriptor keeping the dataclass names; lists are refused (descriptors hold tuples).
    ``plugin`` and ``provider`` are left out: core sets them when an application loads the plugin."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__type__": type(obj).__name__,
                **{f.name: typed(getattr(obj, f.name), f"{path}.{f.name}")
                   for f in dataclasses.fields(obj) if f.name not in ("provider", "plugin")}}
    assert not isinstance(obj, list), f"list at {path}: descriptors hold tuples"
    if isinstance(obj, tuple):
        return [typed(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        return {k: typed(v, f"{path}.{k}") for k, v in obj.items()}
    return obj


def write(tmp_path, text, name="referential.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path, text) -> ReferentialError:
    path = write(tmp_path, text)
    with pytest.raises(ReferentialError) as info:
        load_referential(path)
    assert str(path) in str(info.value)
    return info.value


def line_of(text, fragment):
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


# --- the schema and the reference plugins -----------------------------------------------------------------------

def test_schema_is_a_valid_json_schema_shipped_beside_the_loader():
    assert SCHEMA_PATH.name == "referential.schema.json" and SCHEMA_PATH.parent.name == "certifications"
    jsonschema.Draft202012Validator.check_schema(schema())
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"core.certifications" = ["*.schema.json"' in pyproject
    assert '"jsonschema' in pyproject.split("[project.optional-dependencies]")[0]


def test_reference_referentials_validate():
    cert = load_referential(RNCP_REFERENTIAL)
    assert isinstance(cert, Certification) and validate(cert) == []
    assert len(cert.competencies) == 21
    assert sum(len(c.criteria) for c in cert.competencies) == 142
    cert = load_referential(RS_REFERENTIAL)
    assert validate(cert) == [] and [c.code for c in cert.competencies] == ["C1", "C2", "C3", "C4", "C5", "C6"]


def test_rncp37827_from_toml_equals_the_frozen_descriptor():
    """The descriptor loaded from referential.toml is the one descriptor.py built in Python (frozen JSON)."""
    from livret_rncp37827.descriptor import CERTIFICATION

    frozen = json.loads(FROZEN_RNCP.read_text(encoding="utf-8"))
    assert frozen.pop("plugin") == ""
    assert json.loads(json.dumps(typed(load_referential(RNCP_REFERENTIAL)))) == frozen
    assert json.loads(json.dumps(typed(CERTIFICATION))) == frozen
    assert all(isinstance(o, Outcome) for o in CERTIFICATION.extra["vae_outcomes"])


def test_rs6776_from_toml_equals_the_frozen_descriptor():
    """RS6776's descriptor (referential.toml + the note added while a title is provisional) is unchanged;
    only ``extra["competencies_file"]`` now names referential.toml."""
    from livret_rs6776.descriptor import CERTIFICATION

    frozen = json.loads(FROZEN_RS.read_text(encoding="utf-8"))
    assert frozen.pop("plugin") == ""
    assert json.loads(json.dumps(typed(CERTIFICATION))) == frozen


def test_minimal_file_builds_defaults_and_criteria_codes(tmp_path):
    cert = load_referential(write(tmp_path, MINIMAL))
    assert validate(cert) == []
    assert [(c.code, c.text) for c in cert.competencies[0].criteria] == [
        ("C1.1", "Premier critère"), ("C1.X", "Critère codé")]
    assert cert.scheme is None and cert.rules is None and cert.fee is None
    assert cert.jury_rules == () and cert.deadlines == () and cert.extra == {}


def test_every_field_of_the_descriptor_is_expressible(tmp_path):
    text = MINIMAL.replace('registry = "RS"', textwrap.dedent('''\
        registry = "RS"
        referential_version = 1
        level = "Niveau 5"
        summary = "Résumé"
        access_routes = ["VAE"]
        notes = ["Une note"]''')) + textwrap.dedent('''\
      evaluations = ["E1"]
      expected = "Attendu"
      editable = true

    [scheme]
    summary = "Épreuves"
    total_minutes = 30
      [[scheme.evaluations]]
      code = "E1"
      kind = "Oral"
      title = "Oral"
      competencies = ["C1"]
      duration_minutes = 30
      deliverable = "Rapport"
      assessment = "Soutenance"
      candidate_tasks = ["Présenter"]
      max_score = 20
      eliminatory_below = 10
      [[scheme.schedule]]
      title = "Oral"
      duration_minutes = 30
      with_candidate = true

    [rules]
    summary = ["Règle"]
    block_validation = true
    competency_scale = 5
    competency_threshold = 3.5
    averaging = false
    retakes = 1
    retake_within_days = 365
    retake_free = true
    notify_success = "Bravo"
    notify_failure = "Dommage"
      [[rules.outcomes]]
      code = "admis"
      label = "Admis"
      description = "Obtenue"
      comment_required = false

    [[jury_rules]]
    key = "two_jurors"
    text = "Deux jurés"

    [fee]
    amount_cents = 1000
    currency = "EUR"
    label = "Frais"
    covers = "Étude"
    refundable = true

    [[deadlines]]
    key = "written"
    label = "Écrit"
    days = 10
    after = "après la formation"

    [extra]
    anything = [1, [2, 3]]
    [extra.jury]
    min_jurors = 2
    [[extra.vae_outcomes]]
    code = "validation_totale"
    label = "Validation totale"
    ''')
    cert = load_referential(write(tmp_path, text))
    assert validate(cert) == []
    comp = cert.competencies[0]
    assert (comp.evaluations, comp.expected, comp.editable) == (("E1",), "Attendu", True)
    ev = cert.scheme.evaluations[0]
    assert (ev.duration_minutes, ev.max_score, ev.eliminatory_below, ev.candidate_tasks) == (30, 20, 10, ("Présenter",))
    assert cert.scheme.schedule[0].with_candidate is True and cert.scheme.total_minutes == 30
    rules = cert.rules
    assert (rules.competency_scale, rules.competency_threshold, rules.averaging, rules.retakes,
            rules.retake_within_days, rules.retake_free) == (5, 3.5, False, 1, 365, True)
    assert rules.outcomes == (Outcome("admis", "Admis", "Obtenue", False),)
    assert cert.jury_rules[0].key == "two_jurors" and cert.fee.refundable and cert.deadlines[0].days == 10
    assert cert.extra["anything"] == (1, (2, 3)) and cert.extra["jury"] == {"min_jurors": 2}
    assert cert.extra["vae_outcomes"] == (Outcome("validation_totale", "Validation totale"),)
    typed(cert)  # no list left anywhere
    # every field of every dataclass of the referential is named in the schema
    defs = schema()["$defs"]
    for cls, name in ((Certification, None), (Outcome, "outcome")):
        keys = set(schema()["properties"] if name is None else defs[name]["properties"])
        assert {f.name for f in dataclasses.fields(cls)} - {"plugin", "provider"} <= keys | {"referential_version"}


# --- malformed files: the file, the line, what is expected ---------------------------------------------------------

def test_toml_syntax_error_gives_the_line(tmp_path):
    text = MINIMAL.replace('title = "Bloc unique"', 'title = "Bloc unique')
    error = error_of(tmp_path, text)
    assert error.line == line_of(text, 'title = "Bloc unique')
    assert f"line {error.line}" in str(error) and "invalid TOML" in str(error)


def test_missing_required_key_gives_the_table_line(tmp_path):
    text = MINIMAL.replace('  title = "Compétence une"\n', "")
    error = error_of(tmp_path, text)
    assert error.line == line_of(text, "[[blocks.competencies]]")
    assert "'title' is a required property" in str(error) and "blocks[0].competencies[0]" in str(error)


def test_missing_top_level_key(tmp_path):
    error = error_of(tmp_path, MINIMAL.replace('certifier = "Organisme d\'essai"\n', ""))
    assert "'certifier' is a required property" in str(error)


def test_wrong_type_gives_the_key_line_and_the_expected_type(tmp_path):
    text = MINIMAL + '\n[fee]\namount_cents = "300 €"\n'
    error = error_of(tmp_path, text)
    assert error.line == line_of(text, "amount_cents")
    assert "fee.amount_cents" in str(error) and "is not of type 'integer'" in str(error)
    assert "whole number of cents" in str(error)


def test_wrong_type_in_a_second_block(tmp_path):
    text = MINIMAL + textwrap.dedent('''\

        [[blocks]]
        code = "B2"
        title = "Deuxième bloc"

          [[blocks.competencies]]
          code = "C2"
          title = 12
        ''')
    error = error_of(tmp_path, text)
    assert error.line == line_of(text, "title = 12")
    assert "blocks[1].competencies[0].title" in str(error)


def test_unknown_key_is_named_with_its_line_and_the_allowed_keys(tmp_path):
    text = MINIMAL.replace('  code = "C1"\n', '  code = "C1"\n  critera = ["faute de frappe"]\n')
    error = error_of(tmp_path, text)
    assert error.line == line_of(text, "critera")
    assert "unknown key 'critera'" in str(error) and "criteria" in str(error)


def test_bad_criterion_says_what_a_criterion_is(tmp_path):
    text = MINIMAL.replace('"Premier critère", ', "")
    text = text.replace('{code = "C1.X", text = "Critère codé"}', "42")
    error = error_of(tmp_path, text)
    assert "competencies[0].criteria[0]" in str(error) and "a criterion" in str(error)


def test_unreadable_file_is_named(tmp_path):
    with pytest.raises(ReferentialError, match="absent.toml"):
        load_referential(tmp_path / "absent.toml")


# --- start-up stops with the plugin, the file and the line -------------------------------------------------------

def _broken_plugin(tmp_path) -> tuple[Path, EntryPoint]:
    package = tmp_path / "livret_brokenref"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "referential.toml").write_text(MINIMAL.replace('registry = "RS"', 'registry = "RSS"'), encoding="utf-8")
    (package / "plugin.py").write_text(textwrap.dedent('''\
        from pathlib import Path
        from core.certifications.referential import load_referential
        from core.hookspecs import hookimpl

        CERTIFICATION = load_referential(Path(__file__).with_name("referential.toml"))

        @hookimpl
        def livret_certifications():
            return [CERTIFICATION]
        '''))
    return package / "referential.toml", EntryPoint(name="brokenref", value="livret_brokenref.plugin",
                                                    group="livret.plugins")


def test_start_up_stops_naming_plugin_file_and_line(tmp_path, monkeypatch, app_config):
    referential, entry_point = _broken_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("core.plugins.entry_points", lambda group: [entry_point])
    with pytest.raises(PluginLoadError) as info:
        create_app(dict(app_config))
    message = str(info.value)
    assert "'brokenref'" in message and str(referential) in message
    assert "line 4" in message and "registry" in message and "'RNCP', 'RS'" in message
    sys.modules.pop("livret_brokenref.plugin", None)
    sys.modules.pop("livret_brokenref", None)


def test_livret_plugins_command_stops_with_the_message(tmp_path):
    referential, _ = _broken_plugin(tmp_path)
    code = ("import sys; sys.path.insert(0, sys.argv.pop(1)); import core.plugins as p; "
            "from importlib.metadata import EntryPoint; "
            "p.entry_points = lambda group: [EntryPoint('brokenref', 'livret_brokenref.plugin', 'livret.plugins')]; "
            "from core.cli import main; main()")
    env = {"LIVRET_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path), "plugins"],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode != 0
    assert "brokenref" in result.stderr and str(referential) in result.stderr and "line 4" in result.stderr
    assert "Traceback" not in result.stderr


def test_documented_example_is_a_valid_referential(tmp_path):
    doc = (ROOT / "docs/plugins.md").read_text(encoding="utf-8").split("## Referential file", 1)[1]
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    cert = load_referential(write(tmp_path, example))
    assert validate(cert) == [] and cert.competencies[0].criteria[0].code == "C1.1"


@pytest.mark.parametrize("change, fragment, message", [
    (lambda t: t + '\n[scheme]\nsummary = "x"\n  [[scheme.evaluations]]\n  code = "E1"\n  kind = "Oral"\n'
               '  title = "Oral"\n  competencies = ["C1", "C99"]\n',
     'competencies = ["C1", "C99"]', "evaluation E1 names unknown competency C99"),
    (lambda t: t + '\n  [[blocks.competencies]]\n  code = "C1"\n  title = "Encore"\n',
     'title = "Encore"', "competency C1 declared twice"),
])
def test_inconsistent_referential_gives_the_line_of_the_code(tmp_path, change, fragment, message):
    text = change(MINIMAL)
    error = error_of(tmp_path, text)
    assert message in str(error)
    assert error.line in (line_of(text, fragment), line_of(text, fragment) - 1)
