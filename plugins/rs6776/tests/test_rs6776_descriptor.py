"""The RS6776 descriptor holds the règlement's rules and leaves the unnamed competencies editable."""
from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from core.certifications.descriptor import validate
from livret_rs6776 import plugin
from core.certifications.referential import ReferentialError
from livret_rs6776.descriptor import REFERENTIAL, UNCONFIRMED_NOTE, load_certification
from livret_rs6776.descriptor import CERTIFICATION as CERT


def test_identity():
    assert validate(CERT) == []
    assert (CERT.code, CERT.registry, CERT.level) == ("RS6776", "RS", "")
    assert CERT.certifier == "Inkréa Certifications"
    assert CERT.title == ("Création de contenus rédactionnels et visuels par l'usage responsable de l'intelligence "
                          "artificielle générative")


def test_six_competencies_all_editable_until_the_certifier_names_them():
    comps = CERT.competencies
    assert [c.code for c in comps] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert all(c.editable for c in comps)
    assert comps[2].title == "Compétence 3 du référentiel (évaluée par le cas pratique 3)"
    assert UNCONFIRMED_NOTE in CERT.notes
    for comp in comps:
        assert comp.evaluations == ("ECRIT", "ORAL")
        [criterion] = comp.criteria
        assert criterion.code == f"{comp.code}.1"
        assert "mobiliser les usages responsables de l'intelligence artificielle générative" in criterion.text


def test_written_test_six_cases_marked_out_of_five():
    written = next(e for e in CERT.scheme.evaluations if e.code == "ECRIT")
    assert written.kind == "Épreuve écrite"
    assert written.competencies == ("C1", "C2", "C3", "C4", "C5", "C6")
    assert written.max_score == 5
    assert written.deliverable.startswith("Évaluation écrite complétée")
    assert CERT.extra["written_cases"] == 6


def test_oral_twenty_minutes_out_of_twenty_eliminatory_below_ten():
    oral = next(e for e in CERT.scheme.evaluations if e.code == "ORAL")
    assert oral.kind == "Épreuve orale"
    assert oral.duration_minutes == 20
    assert (oral.max_score, oral.eliminatory_below) == (20, 10)
    assert oral.candidate_tasks == (
        "justifie les réponses apportées lors de l'épreuve écrite",
        "explicite ses choix et démarches",
        "démontre la maîtrise des compétences visées par la certification",
    )


def test_decision_rules():
    rules = CERT.rules
    assert (rules.competency_scale, rules.competency_threshold) == (5, 3.5)
    assert rules.averaging is False
    assert rules.block_validation is False
    # « dans un délai maximal d'un an après l'échec »: a calendar year, not 365 days
    assert (rules.retakes, rules.retake_within_months, rules.retake_within_days, rules.retake_free) == (
        1, 12, None, True)
    assert "certificat nominatif" in rules.notify_success
    assert rules.notify_failure == (
        "Aucun courrier n'est adressé directement au candidat par le certificateur concernant l'échec.")
    assert "Il n'est pas appliqué de moyenne globale entre les compétences." in rules.summary
    assert [(o.code, o.label) for o in rules.outcomes] == [
        ("acquise", "Certification obtenue"), ("non_acquise", "Certification non obtenue")]


def test_deadlines_and_no_fee():
    deadlines = {d.key: d for d in CERT.deadlines}
    assert (deadlines["written_after_training"].days, deadlines["written_after_training"].after) == (
        10, "après la fin de la formation")
    assert "retake_after_failure" not in deadlines  # the retake window is a rule (a calendar year), not days
    assert CERT.fee is None
    assert any("second passage" in note for note in CERT.notes)


def _write(tmp_path, text: str):
    path = tmp_path / "referential.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _competencies(text: str) -> str:
    """The shipped referential with its competency tables replaced by ``text`` (the [scheme] follows them)."""
    shipped = REFERENTIAL.read_text(encoding="utf-8")
    head, tail = shipped.split("  [[blocks.competencies]]", 1)
    return head + text + "\n[scheme]" + tail.split("\n[scheme]", 1)[1]


def test_confirmed_titles_replace_the_provisional_ones(tmp_path):
    tables = "".join(
        f'  [[blocks.competencies]]\n  code = "C{n}"\n  title = "Intitulé officiel {n}"\n'
        + ('  criteria = ["Critère A", "Critère B"]\n' if n == 1 else "") + "\n"
        for n in range(1, 7))
    cert = load_certification(_write(tmp_path, _competencies(tables)))
    assert [c.title for c in cert.competencies] == [f"Intitulé officiel {n}" for n in range(1, 7)]
    assert not any(c.editable for c in cert.competencies)
    assert UNCONFIRMED_NOTE not in cert.notes and any("second passage" in note for note in cert.notes)
    assert [(cr.code, cr.text) for cr in cert.competency("C1").criteria] == [("C1.1", "Critère A"), ("C1.2", "Critère B")]
    assert validate(cert) == []


def test_the_shipped_file_is_the_descriptor():
    import dataclasses

    loaded = dataclasses.replace(load_certification(REFERENTIAL), plugin=CERT.plugin)  # ``plugin``: set by core
    assert loaded == CERT and loaded.extra == CERT.extra
    assert CERT.extra["competencies_file"] == "referential.toml"


@pytest.mark.parametrize("tables, message", [
    ('  [[blocks.competencies]]\n  code = "C1"\n  title = "x"\n', r"line \d+: evaluation ECRIT names unknown competency C2"),
    ("".join(f'  [[blocks.competencies]]\n  code = "C{n}"\n  title = "x"\n' for n in (2, 1, 3, 4, 5, 6)),
     "expected the competencies C1, C2, C3, C4, C5, C6 in this order, found C2, C1"),
    ("".join(f'  [[blocks.competencies]]\n  code = "C{n}"\n  title = "{"" if n == 4 else "x"}"\n' for n in range(1, 7)),
     r"line \d+: at blocks\[0\]\.competencies\[3\]\.title: '' should be non-empty"),
    ("  [[blocks.competencies]\n", r"line \d+: invalid TOML"),
])
def test_a_wrong_data_file_is_refused_with_a_clear_message(tmp_path, tables, message):
    path = _write(tmp_path, _competencies(tables))
    with pytest.raises(ReferentialError, match=message) as info:
        load_certification(path)
    assert str(path) in str(info.value)


def test_registered_through_the_entry_point():
    [ep] = [ep for ep in entry_points(group="livret.plugins") if ep.name == "rs6776"]
    assert ep.value == "livret_rs6776.plugin"
    assert ep.load() is plugin
    assert plugin.livret_certifications() == [CERT]
    [templates] = plugin.livret_template_dirs()
    assert (templates / "rs6776" / "certification_about.html").is_file()
