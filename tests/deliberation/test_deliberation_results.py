"""After deliberation: the candidate sees nothing before the PV is sealed and the result after;
a correction supersedes a sealed decision; the certifier's results dashboard."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from tests.deliberation.deliberation_support import (
    add_grid,
    decisions,
    rncp_grid,
    rs_grid,
    seal_decisions,
    text,
)


def _candidate_client(app, signed_in, s, index=0):
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        user = db.session.get(User, s.dossiers[index].candidate_id)
        db.session.expunge(user)
    return signed_in(user)


def _record(client, s, cid, data):
    response = client.post(f"/sessions/{s.id}/candidats/{cid}/deliberation", data=data)
    assert response.status_code == 302, text(response)


def test_rs6776_candidate_sees_nothing_before_sealing_then_the_failure_and_the_retake(app, jury_session, signed_in):
    s = jury_session("RS6776")
    cid = s.candidates[0]
    for juror in s.jurors:
        add_grid(app, cid, juror, rs_grid(oral=8.0, proposal="non_acquise"))
    marks = {f"mark_C{n}": "4" for n in range(1, 7)}
    _record(signed_in(s.jurors[0]), s, cid, {**marks, "score_ORAL": "8", "outcome": "non_acquise",
                                            "comment": "Oral insuffisant."})
    candidate = _candidate_client(app, signed_in, s)
    url = f"/dossiers/{s.dossiers[0].id}"
    before = text(candidate.get(url))
    assert "Résultat de la certification" not in before
    assert "Certification non obtenue" not in before and "Oral insuffisant" not in before and "rattrapage" not in before

    seal_decisions(app, [cid])
    after = text(candidate.get(url))
    assert "Résultat de la certification Décision du jury Certification non obtenue" in after
    assert "Oral insuffisant." in after
    until = decisions(app, cid)[0]["retake_until"]
    assert abs((until - date.today()).days - 365) <= 1  # one year after the deliberation
    assert (f"Vous pouvez vous présenter à une session de rattrapage jusqu'au {until.strftime('%d/%m/%Y')} "
            "(un seul rattrapage, sans frais de certification).") in after
    assert "Blocs de compétences validés" not in after  # RS6776 has no blocks of its own


def test_rncp_candidate_sees_validated_blocks_and_what_remains(app, jury_session, signed_in):
    s = jury_session("RNCP37827")
    cid = s.candidates[0]
    for juror in s.jurors:
        add_grid(app, cid, juror, rncp_grid(validated=("BC02",), proposal="admission_partielle", comment="BC2"))
    _record(signed_in(s.jurors[0]), s, cid, {
        "outcome": "admission_partielle", "validated_blocks": ["BC02"], "vae_outcome": "validation_totale_blocs",
        "remaining": "Les blocs 1 et 3 restent à présenter.", "comment": "Bloc 2 validé à l'unanimité."})
    candidate = _candidate_client(app, signed_in, s)
    assert "Admission partielle" not in text(candidate.get(f"/dossiers/{s.dossiers[0].id}"))
    seal_decisions(app, [cid])
    seen = text(candidate.get(f"/dossiers/{s.dossiers[0].id}"))
    assert "Décision du jury Admission partielle" in seen
    assert "BC02 – Intégrer des modèles et des services d'intelligence artificielle (RNCP37827BC02)" in seen
    assert "BC01 –" not in seen.split("Résultat de la certification", 1)[1].split("Progression", 1)[0]
    assert "Validation totale des compétences pour l'obtention d'un ou de plusieurs blocs" in seen
    assert "Les blocs 1 et 3 restent à présenter." in seen and "Bloc 2 validé à l'unanimité." in seen
    assert "rattrapage" not in seen  # no retake rule in RNCP37827


def test_a_correction_supersedes_the_sealed_decision(app, jury_session, signed_in):
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    s = jury_session("RNCP37827")
    cid = s.candidates[0]
    for juror in s.jurors:
        add_grid(app, cid, juror, rncp_grid())
    client = signed_in(s.jurors[0])
    admis = {"outcome": "admis", "validated_blocks": ["BC01", "BC02", "BC03"],
             "vae_outcome": "validation_totale_titre"}
    _record(client, s, cid, admis)
    seal_decisions(app, [cid])
    with app.app_context():
        db.session.get(JurySession, s.id).status = SessionStatus.CLOSED
        db.session.commit()
    url = f"/sessions/{s.id}/candidats/{cid}/deliberation"
    response = client.post(url, data={**admis, "comment": "Erreur de saisie"})
    assert response.status_code == 409 and "procès-verbal rectificatif" in text(response)
    with app.app_context():
        session = db.session.get(JurySession, s.id)
        session.correction_started_at = datetime.now(timezone.utc)
        session.correction_reason = "Erreur matérielle sur le bloc 3."
        db.session.commit()
    _record(client, s, cid, {"outcome": "admission_partielle", "validated_blocks": ["BC01", "BC02"],
                             "vae_outcome": "validation_totale_blocs", "comment": "BC03 non démontré."})
    old, new = decisions(app, cid)
    assert old["sealed"] and old["superseded"] and old["outcome"] == "admis"  # kept: it belongs to the old PV
    assert not new["sealed"] and not new["superseded"] and new["outcome"] == "admission_partielle"
    # until the corrective PV is sealed, the candidate still sees the sealed result
    seen = text(_candidate_client(app, signed_in, s).get(f"/dossiers/{s.dossiers[0].id}"))
    assert "Décision du jury Admis" in seen


def test_results_dashboard_counts_sealed_current_decisions(app, jury_session, signed_in, create_user):
    from core.auth.models import Organisation
    from core.deliberation.results import results_by_certification
    from core.extensions import db
    from core.jury.models import JuryDecision

    s = jury_session("RNCP37827", candidates=4)
    client = signed_in(s.jurors[0])
    admitted, partial, absent, open_ = s.candidates
    for cid in (admitted, partial, open_):
        for juror in s.jurors:
            add_grid(app, cid, juror, rncp_grid())
    from tests.deliberation.deliberation_support import set_attendance

    set_attendance(app, absent, "absent")
    admis = {"outcome": "admis", "validated_blocks": ["BC01", "BC02", "BC03"],
             "vae_outcome": "validation_totale_titre"}
    _record(client, s, admitted, admis)
    _record(client, s, partial, admis)  # superseded below: not counted
    _record(client, s, partial, {"outcome": "admission_partielle", "validated_blocks": ["BC01"],
                                 "vae_outcome": "validation_totale_blocs", "comment": "BC02, BC03 à revoir."})
    assert client.post(f"/sessions/{s.id}/candidats/{absent}/absence").status_code == 302
    _record(client, s, open_, admis)  # never sealed: not counted
    seal_decisions(app, [admitted, partial, absent])

    with app.app_context():
        [result] = results_by_certification(db.session.get(Organisation, s.org.id))
        assert db.session.query(JuryDecision).count() == 5
    assert result.code == "RNCP37827" and result.decisions == 3
    assert {b.label: b.value for b in result.outcome_bars} == {
        "Admis": 1, "Admission partielle": 1, "Non admis": 0, "Absent ou absente": 1}
    blocks = {r.code: (r.validated, r.assessed) for r in result.blocks}
    assert blocks == {"BC01": (2, 2), "BC02": (1, 2), "BC03": (1, 2)}
    comps = {r.code: (r.validated, r.assessed) for r in result.competencies}
    assert comps["C1"] == (2, 2) and comps["C21"] == (2, 2)  # every criterion met: acquired by the grids

    staff = create_user("certifier_staff", organisation=s.org)
    response = signed_in(staff).get("/certificateur/tableau-de-bord")
    assert response.status_code == 200
    seen = text(response)
    assert "Résultats des jurys" in seen and "3 décisions scellées." in seen
    markup = response.get_data(as_text=True)
    assert 'id="chart-results-RNCP37827"' in markup and 'id="chart-blocks-RNCP37827"' in markup
    table = re.search(r'id="chart-blocks-RNCP37827".*?<tbody>(.*?)</tbody>', markup, re.S).group(1)
    assert re.search(r"BC02</th><td>1</td>", table)
    assert re.search(r'BC02<span class="visually-hidden">[^<]*</span></th>\s*<td>1</td><td>2</td>\s*<td>50 %</td>',
                     markup)
