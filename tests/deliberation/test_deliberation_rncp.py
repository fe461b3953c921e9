"""RNCP37827 deliberation through the pages: grids side by side, disagreements, a decision refused
with the rule named, then recorded, amended and audited."""
from __future__ import annotations

import re

from tests.deliberation.deliberation_support import (
    add_grid,
    decisions,
    dossier_status,
    page,
    rncp_grid,
    text,
)


def _url(s, cid=None):
    return f"/sessions/{s.id}/candidats/{cid or s.candidates[0]}/deliberation"


def _two_grids(app, s):
    alice, bruno = s.jurors
    add_grid(app, s.candidates[0], alice, rncp_grid(comment="Très bon dossier."))
    add_grid(app, s.candidates[0], bruno, rncp_grid(validated=("BC02", "BC03"), not_met=("C1.1",),
                                                    proposal="admission_partielle", comment="BC01 insuffisant."))


def test_grids_side_by_side_with_disagreements_and_the_computed_decision(app, jury_session, signed_in):
    s = jury_session("RNCP37827")
    _two_grids(app, s)
    response = signed_in(s.jurors[0]).get(_url(s))
    assert response.status_code == 200
    markup, seen = page(response), text(response)
    assert "Alice Jurée" in seen and "Bruno Juré" in seen  # one column per juror
    # criterion C1.1: met for Alice, not met for Bruno -> a disagreement, in words
    row = re.search(r'<tr id="ligne-criterion-C1\.1"[^>]*>(.*?)</tr>', markup, re.S).group(1)
    assert "Acquis" in row and "Non acquis" in row and "Désaccord" in row
    agreed = re.search(r'<tr id="ligne-criterion-C1\.2"[^>]*>(.*?)</tr>', markup, re.S).group(1)
    assert "Désaccord" not in agreed and "Accord" in agreed
    block = re.search(r'<tr id="ligne-block-BC01"[^>]*>(.*?)</tr>', markup, re.S).group(1)
    assert "Validé" in block and "Non validé" in block and "Désaccord" in block
    assert "3 désaccords entre les jurés" in seen  # C1.1, BC01 and the proposals
    # the rules: BC01 is a tie (1 of 2) -> not validated; partial admission, VAE outcome 2
    proposal = seen.split("Décision selon les règles de la certification", 1)[1]
    assert "Décision calculée Admission partielle" in proposal
    assert "Blocs validés BC02, BC03" in proposal
    assert "Validation totale des compétences pour l'obtention d'un ou de plusieurs blocs" in proposal
    assert "BC01 non validé : proposé par 1 juré(s) sur 2" in proposal
    # the form is pre-filled with that proposal
    assert re.search(r'<input[^>]*checked[^>]*value="admission_partielle"|<input[^>]*value="admission_partielle"'
                     r'[^>]*checked', markup)
    assert re.search(r'value="BC02" checked', markup) and not re.search(r'value="BC01" checked', markup)


def test_a_decision_contradicting_the_rules_is_refused_with_the_rule_named(app, jury_session, signed_in):
    s = jury_session("RNCP37827")
    _two_grids(app, s)
    client = signed_in(s.jurors[0])
    response = client.post(_url(s), data={"outcome": "admis", "validated_blocks": ["BC02", "BC03"],
                                          "vae_outcome": "validation_totale_titre",
                                          "comment": "Commentaire tapé par le jury"})
    assert response.status_code == 422
    markup = page(response)
    assert "La décision n'a pas été enregistrée" in markup
    assert ("« Admis » exige la validation des trois blocs de compétences : « Pour obtenir le titre, le candidat "
            "doit valider les trois (3) blocs de compétences. »") in markup
    # tied to the blocks' fieldset, and nothing typed is lost
    assert re.search(r'id="validated_blocks-error"[^>]*>.*?exige la validation des trois blocs', markup, re.S)
    assert 'aria-describedby="validated_blocks-error"' in markup
    assert "Commentaire tapé par le jury" in markup
    assert re.search(r'value="BC03" checked', markup)
    assert decisions(app, s.candidates[0]) == []

    # partial admission without comment nor VAE outcome: both asked for at once, each on its field
    response = client.post(_url(s), data={"outcome": "admission_partielle", "validated_blocks": ["BC02", "BC03"]})
    assert response.status_code == 422
    markup = page(response)
    assert re.search(r'id="vae_outcome-error"[^>]*>.*?Choisissez l\'issue de l\'entretien VAE', markup, re.S)
    assert re.search(r'id="comment-error"[^>]*>.*?les commentaires sont obligatoires \(Annexe 3', markup, re.S)
    # core's generic « les commentaires sont obligatoires. » is not repeated beside the plugin's rule
    assert markup.count("les commentaires sont obligatoires") == 2  # the summary and the field
    assert 'href="#comment"' in markup and 'href="#vae_outcome-0"' in markup


def test_record_then_amend_supersedes_and_audits(app, jury_session, signed_in):
    from core.audit.models import AuditEvent
    from core.extensions import db

    s = jury_session("RNCP37827")
    _two_grids(app, s)
    client = signed_in(s.jurors[1])
    response = client.post(_url(s), data={"outcome": "admission_partielle", "validated_blocks": ["BC02", "BC03"],
                                          "vae_outcome": "validation_totale_blocs",
                                          "comment": "BC01 : la collecte de données reste à démontrer."})
    assert response.status_code == 302
    shown = text(client.get(response.headers["Location"]))
    assert "Décision enregistrée pour Camille1 Candidate : « Admission partielle »." in shown
    assert "par Bruno Juré" in shown
    [first] = decisions(app, s.candidates[0])
    assert first["outcome"] == "admission_partielle" and first["validated_blocks"] == ["BC02", "BC03"]
    assert first["computed"] == "admission_partielle" and first["vae_outcome"] == "validation_totale_blocs"
    assert "C8" in first["acquired"] and "C1" not in first["acquired"]
    assert first["consolidation"]["blocks"]["BC01"] == {"validated": 1, "not_validated": 1}
    assert first["retake_until"] is None  # RNCP37827 has no retake rule
    assert dossier_status(app, s.dossiers[0].id) == "evaluated"

    # the jury amends (sovereign): the three blocks, admitted; the first decision is kept, superseded
    response = client.post(_url(s), data={"outcome": "admis", "validated_blocks": ["BC01", "BC02", "BC03"],
                                          "vae_outcome": "validation_totale_titre"})
    assert response.status_code == 302
    old, new = decisions(app, s.candidates[0])
    assert old["superseded"] and not new["superseded"] and new["outcome"] == "admis"
    shown = text(client.get(_url(s)))
    assert "1 décision remplacée" in shown and "les règles proposaient « Admission partielle »" in shown
    with app.app_context():
        events = [e for e in db.session.query(AuditEvent).filter_by(action="jury.decision_recorded")]
        assert [e.payload["outcome"] for e in events] == ["admission_partielle", "admis"]
        assert events[1].payload["supersedes"] == old["id"] and events[1].actor_id == s.jurors[1].id


def test_recording_waits_for_every_grid(app, jury_session, signed_in):
    s = jury_session("RNCP37827")
    add_grid(app, s.candidates[0], s.jurors[0], rncp_grid())
    add_grid(app, s.candidates[0], s.jurors[1], rncp_grid(), completed=False)  # a draft does not count
    client = signed_in(s.jurors[0])
    seen = text(client.get(_url(s)))
    assert "Grilles non terminées (1 sur 2) : Bruno Juré" in seen
    assert "la grille de Bruno Juré n'est pas terminée" in seen
    assert "Provisoire : calculée sur les grilles terminées seulement." in seen
    response = client.post(_url(s), data={"outcome": "admis", "validated_blocks": ["BC01", "BC02", "BC03"],
                                          "vae_outcome": "validation_totale_titre"})
    assert response.status_code == 409
    assert "la grille de Bruno Juré n'est pas terminée" in text(response)
    assert decisions(app, s.candidates[0]) == []
