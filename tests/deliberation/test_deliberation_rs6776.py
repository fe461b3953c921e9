"""RS6776 deliberation through the pages: marks side by side with the jurors' mean per competency,
decisions refused with the rule named, the retake window, absences."""
from __future__ import annotations

import re
from datetime import date, timedelta

from tests.deliberation.deliberation_support import add_grid, decisions, page, rs_grid, set_attendance, text


def _url(s, cid):
    return f"/sessions/{s.id}/candidats/{cid}/deliberation"


def _marks(c3="3,5", oral="10", outcome="acquise"):
    data = {f"mark_C{n}": "4" for n in range(1, 7)}
    data.update({"mark_C3": c3, "score_ORAL": oral, "outcome": outcome})
    return data


def test_marks_means_and_disagreements(app, jury_session, signed_in):
    s = jury_session("RS6776")
    cid = s.candidates[0]
    add_grid(app, cid, s.jurors[0], rs_grid(marks={"C3": 4.0}, oral=12.0))
    add_grid(app, cid, s.jurors[1], rs_grid(marks={"C3": 3.0}, oral=8.0))
    response = signed_in(s.jurors[0]).get(_url(s, cid))
    markup = page(response)
    row = re.search(r'<tr id="ligne-mark-C3"[^>]*>(.*?)</tr>', markup, re.S).group(1)
    assert "4 / 5" in row and "3 / 5" in row and "<strong>3,5</strong> / 5" in row and "Désaccord" in row
    assert "Désaccord" not in re.search(r'<tr id="ligne-mark-C1"[^>]*>(.*?)</tr>', markup, re.S).group(1)
    oral = re.search(r'<tr id="ligne-score-ORAL"[^>]*>(.*?)</tr>', markup, re.S).group(1)
    assert "12 / 20" in oral and "8 / 20" in oral and "Désaccord" in oral  # one eliminatory, one not
    seen = text(response)
    assert "aucune moyenne n'est faite entre les compétences" in seen
    assert "Décision calculée Certification obtenue" in seen
    # the agreed marks are pre-filled with the jurors' mean, competency by competency
    assert re.search(r'id="mark_C3" name="mark_C3" type="text" value="3,5"', markup)
    assert re.search(r'id="score_ORAL" name="score_ORAL" type="text" value="10"', markup)


def test_decisions_against_the_rules_are_refused_then_success_is_recorded(app, jury_session, signed_in):
    s = jury_session("RS6776")
    cid = s.candidates[0]
    for juror in s.jurors:
        add_grid(app, cid, juror, rs_grid())
    client = signed_in(s.jurors[1])
    response = client.post(_url(s, cid), data=_marks(c3="3", outcome="acquise"))
    assert response.status_code == 422
    markup = page(response)
    assert re.search(r'id="mark_C3-error"[^>]*>.*?C3 a 3 / 5, en dessous de 3,5 / 5\. « Toute compétence non '
                     r'validée entraîne la non-validation de la certification\. »', markup, re.S)
    assert 'value="3"' in markup  # the typed mark is kept
    response = client.post(_url(s, cid), data=_marks(oral="9,5", outcome="acquise"))
    assert response.status_code == 422
    assert "« Une note inférieure à 10/20 est éliminatoire. »" in page(response)
    response = client.post(_url(s, cid), data=_marks(outcome="non_acquise"))
    assert response.status_code == 422
    assert "« Certification non obtenue » contredit les règles" in page(response)
    response = client.post(_url(s, cid), data=_marks(c3="4,5x"))
    assert response.status_code == 422
    assert re.search(r'id="mark_C3-error"[^>]*>.*?« 4,5x » n\'est pas une note', page(response), re.S)
    response = client.post(_url(s, cid), data=_marks(c3="7"))
    assert response.status_code == 422
    assert "C3 : la note doit être comprise entre 0 et 5." in page(response)
    assert decisions(app, cid) == []

    assert client.post(_url(s, cid), data=_marks()).status_code == 302
    [d] = decisions(app, cid)
    assert d["outcome"] == "acquise" and d["validated_blocks"] == ["RS6776"]
    assert d["marks"]["C3"] == 3.5 and d["scores"] == {"ORAL": 10.0}
    assert d["acquired"] == [f"C{n}" for n in range(1, 7)]
    assert d["retake_until"] is None


def test_a_failure_opens_the_retake_window_only_for_a_first_attempt(app, jury_session, signed_in):
    from core.extensions import db
    from core.jury.models import SessionCandidate

    s = jury_session("RS6776", candidates=2)
    with app.app_context():
        db.session.get(SessionCandidate, s.candidates[1]).attempt = 2  # already a retake
        db.session.commit()
    for cid in s.candidates:
        for juror in s.jurors:
            add_grid(app, cid, juror, rs_grid(marks={"C2": 2.0}, proposal="non_acquise"))
    client = signed_in(s.jurors[0])
    for cid in s.candidates:
        assert client.post(_url(s, cid), data={**_marks(c3="4", outcome="non_acquise"), "mark_C2": "2"}
                           ).status_code == 302
    first, retake = decisions(app, s.candidates[0])[0], decisions(app, s.candidates[1])[0]
    assert first["outcome"] == "non_acquise" and first["validated_blocks"] == []
    assert "C2" not in first["acquired"]
    assert date.today() + timedelta(days=364) <= first["retake_until"] <= date.today() + timedelta(days=366)
    assert retake["retake_until"] is None  # « Un seul rattrapage est autorisé. »


def test_absent_candidate_one_click(app, jury_session, signed_in):
    s = jury_session("RS6776", candidates=2)
    absent, present = s.candidates
    set_attendance(app, absent, "absent")
    client = signed_in(s.jurors[0])
    seen = text(client.get(_url(s, absent)))
    assert "la seule décision possible est « Absent ou absente »" in seen
    assert "Enregistrer l'absence" in seen  # no grid needed for an absent candidate
    response = client.post(f"/sessions/{s.id}/candidats/{absent}/absence")
    assert response.status_code == 302
    [d] = decisions(app, absent)
    assert d["outcome"] == "absent" and d["retake_until"] is None and d["acquired"] == []
    # a present candidate cannot be recorded absent
    for juror in s.jurors:
        add_grid(app, present, juror, rs_grid())
    response = client.post(f"/sessions/{s.id}/candidats/{present}/absence")
    assert response.status_code == 422
    assert "est présent ou présente : la décision ne peut pas être « Absent ou absente »" in text(response)
    assert decisions(app, present) == []
    overview = text(client.get(f"/sessions/{s.id}/deliberation"))
    assert "Camille1 Candidate" in overview and "Absent ou absente" in overview
    assert "2 sur 2" in overview and "à enregistrer" in overview
    assert "1 candidat sans décision enregistrée." in overview
