"""Each juror's own grid: rows from the plugin, drafts that keep everything, completion, reopening."""
from __future__ import annotations

import re

from tests.evaluation.conftest import page


def _grid_row(app, candidate_id, juror_id):
    from sqlalchemy import select

    from core.extensions import db
    from core.jury.models import EvaluationGrid

    with app.app_context():
        row = db.session.scalar(select(EvaluationGrid).where(EvaluationGrid.candidate_id == candidate_id,
                                                             EvaluationGrid.juror_id == juror_id))
        if row is not None:
            db.session.expunge(row)
        return row


def _names(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf'name="({prefix}[^"]*)"', text))


def full_rncp_form(app, **overrides) -> dict[str, str]:
    """Every criterion met, every block validated, « Admis »."""
    from core.certifications.services import get_certification
    from core.evaluation.forms import block_name, criterion_name

    with app.app_context():
        cert = get_certification("RNCP37827")
        data = {criterion_name(c.code): "met" for comp in cert.competencies for c in comp.criteria}
        data.update({block_name(b.code): "validated" for b in cert.blocks})
    data.update(proposal="admis", comment="", revision="0", action="draft")
    data.update(overrides)
    return data


def test_rncp37827_grid_rows(make_jury, as_user):
    jury = make_jury("RNCP37827")
    text = page(as_user(jury.jurors[0]).get(jury.url("/grille")))
    assert "Ma grille d'évaluation – Camille Durand" in text
    assert len(_names(text, "crit_C1_")) == 7
    assert len(_names(text, "crit_")) == 142  # Annexe 3: C1–C21
    assert len(re.findall(r'id="competence-C\d+"', text)) == 21
    assert _names(text, "block_") == {"block_BC01", "block_BC02", "block_BC03"}
    assert "Bloc validé" in text and "Bloc non validé" in text
    assert text.count('value="met"') == 142 and "Acquis" in text and "Non acquis" in text
    assert "C1.1 – La présentation du projet et de son contexte est complète" in text
    assert text.count("<summary>Attendu</summary>") == 5  # once per evaluation (E1–E5), not per competency
    for outcome in ("Admis", "Admission partielle", "Non admis"):
        assert f"> {outcome}</label>" in text or f">{outcome}</label>" in text
    assert not _names(text, "mark_") and "Enregistrer le brouillon" in text and "Terminer ma grille" in text


def test_rs6776_grid_rows(make_jury, as_user):
    jury = make_jury("RS6776")
    text = page(as_user(jury.jurors[0]).get(jury.url("/grille")))
    assert _names(text, "mark_") == {f"mark_C{i}" for i in range(1, 7)}
    assert not _names(text, "crit_") and not _names(text, "block_")
    assert _names(text, "score_") == {"score_ORAL"}
    assert "Épreuve orale : Échange entre le candidat et le jury, note sur 20" in text
    assert "Éliminatoire en dessous de 10" in text and "acquise à partir de 3,5" in text
    assert 'inputmode="decimal"' in text
    assert "Certification obtenue" in text and "Certification non obtenue" in text
    assert "Moyenne" not in text and "moyenne :" not in text


def test_draft_keeps_invalid_marks_and_shows_errors(app, make_jury, as_user):
    jury = make_jury("RS6776")
    juror = jury.jurors[0]
    client = as_user(juror)
    response = client.post(jury.url("/grille"), data={
        "revision": "0", "action": "draft", "mark_C1": "4,5", "mark_C2": "quatre", "mark_C3": "7",
        "score_ORAL": "12.5", "comment_C1": "Cas pratique solide.", "comment": ""})
    assert response.status_code == 422
    text = page(response)
    assert "Brouillon enregistré. Certaines valeurs sont à corriger" in text
    assert "« quatre » n'est pas une note : saisissez un nombre entre 0 et 5" in text
    assert "La note doit être comprise entre 0 et 5 (saisie : 7)" in text
    assert 'value="quatre"' in text and 'aria-describedby="mark_C2-hint mark_C2-error"' in text
    assert 'aria-invalid="true"' in text and '<a href="#mark_C2">' in text

    row = _grid_row(app, jury.candidate_id, juror.id)
    assert row.revision == 1 and row.status.value == "draft"
    assert row.data["competencies"]["C1"] == {"mark": 4.5, "comment": "Cas pratique solide."}
    assert row.data["competencies"]["C3"]["mark"] == 7.0
    assert row.data["typed"] == {"competencies.C2.mark": "quatre"}
    assert row.data["scores"] == {"ORAL": 12.5}

    # reading it back: as typed, in French
    again = page(client.get(jury.url("/grille")))
    assert 'value="4,5"' in again and 'value="quatre"' in again and 'value="12,5"' in again
    assert "Cas pratique solide." in again and 'name="revision" type="hidden" value="1"' in again

    # a clean draft redirects
    response = client.post(jury.url("/grille"), data={"revision": "1", "action": "draft", "mark_C1": "4"})
    assert response.status_code == 302
    assert _grid_row(app, jury.candidate_id, juror.id).data["competencies"]["C1"]["mark"] == 4.0


def test_stale_revision_refused_and_typed_data_kept(app, make_jury, as_user):
    jury = make_jury("RS6776")
    juror = jury.jurors[0]
    client = as_user(juror)
    assert client.post(jury.url("/grille"), data={"revision": "0", "action": "draft",
                                                   "mark_C1": "3"}).status_code == 302
    response = client.post(jury.url("/grille"), data={"revision": "0", "action": "draft", "mark_C1": "5",
                                                       "comment": "Écrit dans un autre onglet"})
    assert response.status_code == 409
    text = page(response)
    assert "modifiée ailleurs" in text and "Écrit dans un autre onglet" in text and 'value="5"' in text
    assert 'name="revision" type="hidden" value="1"' in text  # saving again replaces, knowingly
    row = _grid_row(app, jury.candidate_id, juror.id)
    assert row.revision == 1 and row.data["competencies"]["C1"]["mark"] == 3.0
    # the other juror's grid is their own
    other = as_user(jury.jurors[1])
    assert 'value="3"' not in page(other.get(jury.url("/grille")))


def test_completion_validates_then_completes_and_reopens(app, make_jury, as_user, change):
    from core.jury.models import JuryDecision

    jury = make_jury("RNCP37827")
    juror = jury.jurors[0]
    client = as_user(juror)
    partial = full_rncp_form(app, action="complete", crit_C1_3="", block_BC02="", proposal="")
    response = client.post(jury.url("/grille"), data=partial)
    assert response.status_code == 422
    text = page(response)
    assert "Brouillon enregistré. Votre grille n'est pas complète : 3 point(s)" in text and 'id="error-summary"' in text
    assert "Indiquez si le critère C1.3 est acquis ou non acquis." in text
    assert "Indiquez votre proposition pour le bloc BC02" in text
    assert "Choisissez votre proposition de décision." in text
    assert '<a href="#crit_C1_3-0">' in text and 'aria-describedby="crit_C1_3-error"' in text
    row = _grid_row(app, jury.candidate_id, juror.id)
    assert row.status.value == "draft" and row.data["criteria"]["C1.1"] == "met"  # nothing lost

    response = client.post(jury.url("/grille"), data=full_rncp_form(
        app, action="complete", revision=str(row.revision), proposal="admission_partielle", block_BC03="not_validated"))
    assert response.status_code == 422
    assert "« Admission partielle » : le commentaire général est obligatoire." in page(response)

    row = _grid_row(app, jury.candidate_id, juror.id)
    response = client.post(jury.url("/grille"), data=full_rncp_form(
        app, action="complete", revision=str(row.revision), proposal="admission_partielle",
        block_BC03="not_validated", comment="Le bloc 3 reste à acquérir : pas de livraison continue."))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/jury/sessions/{jury.session_id}")
    row = _grid_row(app, jury.candidate_id, juror.id)
    assert row.status.value == "completed" and row.completed_at is not None
    assert row.data["blocks"]["BC03"] == "not_validated" and row.data["proposal"] == "admission_partielle"
    assert "Terminée" in page(client.get(f"/jury/sessions/{jury.session_id}"))

    text = page(client.get(jury.url("/grille")))
    assert "Rouvrir ma grille" in text and 'value="complete"' not in text and "disabled" in text
    response = client.post(jury.url("/grille"), data=full_rncp_form(app, revision=str(row.revision)))
    assert response.status_code == 409 and "rouvrez-la pour la modifier" in page(response)

    assert client.post(jury.url("/grille/rouvrir")).status_code == 302
    assert _grid_row(app, jury.candidate_id, juror.id).status.value == "draft"
    response = client.post(jury.url("/grille"), data=full_rncp_form(
        app, action="complete", revision=str(row.revision + 1), proposal="admis"))
    assert response.status_code == 302

    # once the jury has recorded its decision, the grid no longer changes
    with app.app_context():
        from core.extensions import db

        db.session.add(JuryDecision(candidate_id=jury.candidate_id, outcome="admis",
                                    validated_blocks=["BC01", "BC02", "BC03"], recorded_by_id=juror.id))
        db.session.commit()
    response = client.post(jury.url("/grille/rouvrir"), follow_redirects=True)
    assert "La décision du jury est enregistrée" in page(response)
    assert _grid_row(app, jury.candidate_id, juror.id).status.value == "completed"

    events = _events(app)
    assert events.count("evaluation.grid_completed") == 2 and events.count("evaluation.grid_reopened") == 1
    assert "evaluation.grid_saved" in events


def _events(app):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_absent_candidate_and_draft_session_refused(app, make_jury, as_user, change):
    from core.jury.models import Attendance, SessionCandidate

    jury = make_jury("RS6776")
    client = as_user(jury.jurors[0])
    change(SessionCandidate, jury.candidate_id, attendance=Attendance.ABSENT)
    text = page(client.get(jury.url("/grille")))
    assert "Camille Durand est absent ou absente" in text and 'value="complete"' not in text
    response = client.post(jury.url("/grille"), data={"revision": "0", "action": "draft", "mark_C1": "4"})
    assert response.status_code == 409 and "absent ou absente" in page(response)
    assert _grid_row(app, jury.candidate_id, jury.jurors[0].id) is None

    draft = make_jury("RS6776", status="draft")
    client = as_user(draft.jurors[0])
    refused = client.get(draft.url("/grille"))  # a planned session opens nothing of its candidates
    assert refused.status_code == 409 and "à l'ouverture de la session" in page(refused)
    response = client.post(draft.url("/grille"), data={"revision": "0", "action": "draft", "mark_C1": "4"})
    assert response.status_code == 409
