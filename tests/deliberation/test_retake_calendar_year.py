"""The retake window of RS6776 is « un an » (règlement, section 7): a calendar year, not 365 days.

Read as French law counts a délai in years (code de procédure civile, art. 641): the window ends on the
same day of the next year, or on the month's last day when that year has no such day. A failure
deliberated on 29/02/2028 may be retaken until 28/02/2029 (365 days would also give 28/02/2029, but a
failure on 01/01/2028 gives 01/01/2029 where 365 days, 2028 being a leap year, stop on 31/12/2028)."""
from __future__ import annotations

from datetime import date

import pytest

from core.utils import add_months
from tests.deliberation.deliberation_support import add_grid, decisions, rs_grid, seal_decisions, text


@pytest.mark.parametrize("day, months, expected", [
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2028, 1, 1), 12, date(2029, 1, 1)),
    (date(2027, 3, 1), 12, date(2028, 3, 1)),
    (date(2029, 2, 28), 12, date(2030, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # the month has no 31st: its last day
    (date(2028, 12, 15), 1, date(2029, 1, 15)),
])
def test_add_months_counts_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("deliberated, until", [(date(2028, 2, 29), "28/02/2029"), (date(2028, 1, 1), "01/01/2029")])
def test_rs6776_failure_gives_a_retake_until_the_same_day_next_year(app, jury_session, signed_in, monkeypatch,
                                                                    deliberated, until):
    import core.deliberation.services as services
    from core.auth.models import User
    from core.extensions import db

    monkeypatch.setattr(services, "today", lambda: deliberated)
    s = jury_session("RS6776")
    cid = s.candidates[0]
    for juror in s.jurors:
        add_grid(app, cid, juror, rs_grid(oral=8.0, proposal="non_acquise"))
    marks = {f"mark_C{n}": "4" for n in range(1, 7)}
    response = signed_in(s.jurors[0]).post(f"/sessions/{s.id}/candidats/{cid}/deliberation", data={
        **marks, "score_ORAL": "8", "outcome": "non_acquise", "comment": "Oral insuffisant."})
    assert response.status_code == 302, text(response)
    seal_decisions(app, [cid])
    assert decisions(app, cid)[0]["retake_until"].strftime("%d/%m/%Y") == until

    with app.app_context():
        user = db.session.get(User, s.dossiers[0].candidate_id)
        db.session.expunge(user)
    page = text(signed_in(user).get(f"/dossiers/{s.dossiers[0].id}"))
    assert (f"Vous pouvez vous présenter à une session de rattrapage jusqu'au {until} (un seul rattrapage, "
            "sans frais de certification).") in page


def test_the_api_gives_the_window_in_calendar_months(client):
    rules = client.get("/api/v1/certifications/RS6776").get_json()["rules"]
    assert (rules["retake_within_months"], rules["retake_within_days"]) == (12, None)
