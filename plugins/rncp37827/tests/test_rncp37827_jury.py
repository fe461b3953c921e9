"""RNCP37827's jury-composition rules (``livret_jury_problems``), rule by rule."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from livret_rncp37827.descriptor import JURY_RULES

RULE_TEXT = {r.key: r.text for r in JURY_RULES}


@pytest.fixture
def session_with(app, create_user, create_admissible_dossier, create_jury_session):
    """``session_with(jurors=[{...}], candidates=1, declare=True, days_ahead=30)`` -> session id."""
    from core.extensions import db
    from core.jury.models import JurorDeclaration, JurySession

    def make(jurors, candidates=1, declare=True, days_ahead=30, **dossier_fields):
        users = [create_user("juror", first_name=f"Juré{i}", last_name=spec.get("name", "Test"))
                 for i, spec in enumerate(jurors)]
        dossiers = [create_admissible_dossier("RNCP37827", first_name="Camille", last_name=f"Candidat{i}",
                                              **dossier_fields) for i in range(candidates)]
        session_id = create_jury_session("RNCP37827", jurors=users, dossiers=dossiers, days_ahead=days_ahead)
        with app.app_context():
            session = db.session.get(JurySession, session_id)
            for juror, spec in zip(session.jurors, jurors):
                for key in ("professional", "experience_years", "external"):
                    if key in spec:
                        setattr(juror, key, spec[key])
                if declare:
                    for candidate in session.candidates:
                        candidate.declarations.append(JurorDeclaration(
                            juror_id=juror.user_id, no_link=spec.get("no_link", True),
                            no_training=spec.get("no_training", True)))
            db.session.commit()
        return session_id

    return make


def problems(app, session_id):
    from core.extensions import db
    from core.jury.models import JurySession
    from core.jury.services import jury_problems

    with app.test_request_context():
        return [(p.rule, p.blocking, p.message) for p in jury_problems(db.session.get(JurySession, session_id))]


def rules(found, blocking=True):
    return sorted(r for r, b, _m in found if b is blocking)


def test_a_valid_jury_has_no_problem(app, session_with):
    assert problems(app, session_with([{}, {}])) == []


def test_min_professionals(app, session_with):
    found = problems(app, session_with([{"experience_years": 5}, {"experience_years": 1},
                                        {"professional": False, "experience_years": 9}]))
    assert rules(found) == ["min_professionals"]
    message = found[0][2]
    assert f"« {RULE_TEXT['min_professionals']} »" in message
    assert "1 juré(s) sur 3" in message and "il en faut au moins 2" in message
    assert problems(app, session_with([{"experience_years": 2}, {"experience_years": 2}])) == []


def test_external_ratio(app, session_with):
    found = problems(app, session_with([{"external": True}, {"external": False}, {"external": False}]))
    assert rules(found) == ["external_ratio"]
    assert RULE_TEXT["external_ratio"] in found[0][2] and "1 juré(s) extérieur(s) sur 3" in found[0][2]
    assert "50 %" in found[0][2]
    assert problems(app, session_with([{"external": True}, {"external": False}])) == []  # exactly 50 %


def test_declarations_missing_link_and_training(app, session_with):
    found = problems(app, session_with([{}, {}], declare=False))
    assert rules(found) == ["no_link", "no_link"]
    assert all("n'a pas encore fait sa déclaration pour Camille Candidat0" in m for _r, _b, m in found)
    assert all(RULE_TEXT["no_link"] in m for _r, _b, m in found)

    found = problems(app, session_with([{"name": "Lié", "no_link": False},
                                        {"name": "Formateur", "no_training": False}]))
    assert rules(found) == ["no_link", "no_training"]
    messages = " ".join(m for _r, _b, m in found)
    assert "Juré0 Lié déclare un lien professionnel ou personnel avec Camille Candidat0" in messages
    assert "Juré1 Formateur déclare avoir participé à la formation ou à la préparation de Camille Candidat0" in messages


def messages_of(found, rule):
    return [m for r, _b, m in found if r == rule]


def test_deliverables_less_than_5_days_before_block(app, session_with):
    # submitted yesterday, the session in 3 days: 4 days before it (and less than a week: the règlement rule too)
    found = problems(app, session_with([{}, {}], days_ahead=3, submitted_days_ago=1))
    assert rules(found) == ["deliverables_5_days", "regulation_one_week"] and rules(found, blocking=False) == []
    late = messages_of(found, "deliverables_5_days")[0]
    assert RULE_TEXT["deliverables_5_days"] in late and "Camille Candidat0" in late
    assert "des livrables ont été transmis le" in late and "Déplacez la session au" in late
    assert rules(problems(app, session_with([{}, {}], days_ahead=3, submitted_days_ago=10))) == [
        "regulation_one_week"]
    # not submitted, the session in 3 days
    found = problems(app, session_with([{}, {}], days_ahead=3, status="corrections_requested"))
    assert rules(found) == ["deliverables_5_days", "regulation_one_week"]
    missing = messages_of(found, "deliverables_5_days")[0]
    assert "Camille Candidat0 : le dossier n'est pas déposé" in missing
    assert "les livrables devaient être transmis au jury au plus tard le" in missing
    # not submitted, the session far away: nothing yet
    assert problems(app, session_with([{}, {}], days_ahead=30, status="draft", submitted_days_ago=40)) == []


def test_external_status_must_be_answered(app, session_with):
    found = problems(app, session_with([{"external": True}, {"name": "Indécis", "external": None}]))
    assert rules(found) == ["external_ratio"]
    assert RULE_TEXT["external_ratio"] in found[0][2]
    assert "indiquez si Juré1 Indécis est extérieur ou extérieure" in found[0][2]
    assert "réponse manquante" in found[0][2]
    # every answer missing: one problem per juror, none counted as external or not
    found = problems(app, session_with([{"external": None}, {"external": None}]))
    assert rules(found) == ["external_ratio", "external_ratio"]
    assert not any("juré(s) extérieur(s) sur" in m for _r, _b, m in found)


def test_regulation_reaches_the_jury_a_week_before(app, session_with):
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    found = problems(app, session_with([{}, {}], days_ahead=6))
    assert rules(found) == ["regulation_one_week"]
    message = found[0][2]
    assert ("Règle « Cette partie doit être partagée par le/la responsable de session : Aux jury de certification, "
            "au plus tard une semaine avant la session. »") in message
    assert "« Les épreuves certificatives »" in message and "Déplacez la session au" in message
    assert problems(app, session_with([{}, {}], days_ahead=8)) == []
    # once open, the règlement went with the convocations: the rule no longer applies
    session_id = session_with([{}, {}], days_ahead=6)
    with app.app_context():
        db.session.get(JurySession, session_id).status = SessionStatus.OPEN
        db.session.commit()
    assert problems(app, session_id) == []


def test_the_regulation_for_the_jury_is_section_2_of_the_reglement(app):
    from livret_rncp37827.regulation import regulation

    def texts(section):
        out = [section.title]
        for item in section.content:
            out.extend([item] if isinstance(item, str) else item)
        for sub in section.sections:
            out.extend(texts(sub))
        return out

    with app.test_request_context():
        document = regulation()
    assert document.title == "Les épreuves certificatives"
    assert document.content[0] == "Cette partie doit être partagée par le/la responsable de session :"
    assert "Aux jury de certification, au plus tard une semaine avant la session." in document.content[1]
    assert [s.title for s in document.sections] == [
        "1. Le jury", "2. Les cas pratiques", "3. Les mises en situation professionnelle",
        "4. Soutenance orale du candidat(e)", "5. Grille d'évaluation individuelle", "6. Procès verbal de jury"]
    everything = [t for s in document.sections for t in texts(s)]
    assert RULE_TEXT["deliverables_5_days"] in everything and RULE_TEXT["external_ratio"] in everything
    assert [s.title for s in document.sections[1].sections] == ["Cas pratique 1 (E2)", "Cas pratique 2 (E5)"]
    assert [s.title for s in document.sections[2].sections] == [
        "Mise en situation 1 (E1)", "Mise en situation 2 (E3)", "Mise en situation 3 (E4)"]
    assert "Présenter son dispositif de veille." in everything
    assert "Compétence(s) visée(s) : C20, C21." in everything
    assert "Questions du jury (10 min max)" in everything
    assert ("La grille complétée et signée est transmise par le responsable de session au Comité de Contrôle et de "
            "Conformité Qualité (certification@simplon.co) avec le procès-verbal de jury.") in everything


def test_a_late_annex_counts_as_a_deliverable(app, session_with):
    from core.dossiers.models import Annex, ScanState
    from core.extensions import db
    from core.jury.models import JurySession

    session_id = session_with([{}, {}], days_ahead=4, submitted_days_ago=30)
    assert rules(problems(app, session_id)) == ["regulation_one_week"]  # less than a week: the règlement rule
    with app.app_context():
        dossier = db.session.get(JurySession, session_id).candidates[0].dossier
        db.session.add(Annex(dossier_id=dossier.id, number=1, title="Rapport", filename="r.pdf",
                             media_type="application/pdf", size=1, sha256="1" * 64, storage_key=f"a/{dossier.id}/1",
                             scan_state=ScanState.CLEAN, uploaded_by_id=dossier.candidate_id,
                             created_at=datetime.now(timezone.utc) - timedelta(hours=1)))
        db.session.commit()
    assert rules(problems(app, session_id)) == ["deliverables_5_days", "regulation_one_week"]


def test_other_certifications_are_not_checked(app):
    """Core asks these rules for RNCP37827 sessions only: the plugin does not filter on the code."""
    from core.certifications.services import get_certification
    from core.plugins import certification_hook
    from livret_rncp37827 import plugin

    def asked(code):
        caller = certification_hook(get_certification(code), "livret_jury_problems")
        return [impl.plugin for impl in caller.get_hookimpls()]

    with app.app_context():
        assert plugin in asked("RNCP37827")
        assert plugin not in asked("RS6776")
