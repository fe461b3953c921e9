"""The register of rights requests, as the certifier admin uses it: record, follow the deadline, close."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, timezone

from tests.privacy.register_support import people  # noqa: F401 - fixtures
from tests.privacy.register_support import add_request, events

URL = "/donnees-personnelles/demandes"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _paris_today() -> date:
    from core.templating import PARIS

    return datetime.now(PARIS).date()


def _row(app, request_id):
    from core.extensions import db
    from core.privacy.models import PrivacyRequest

    with app.app_context():
        row = db.session.get(PrivacyRequest, request_id)
        db.session.expunge(row)
        return row


def test_the_admin_records_a_request_and_closes_it(app, client, login, people):
    login(people.admin_s)
    page = _text(client.get(URL))
    assert "<h1>Demandes relatives aux données personnelles</h1>" in page
    assert "Aucune demande n'est enregistrée." in page
    ten_days_ago = _paris_today() - timedelta(days=10)
    answer = client.post(URL, data={"kind": "access", "subject_email": "Camille.Martin@example.org",
                                    "channel": "letter", "received_on": ten_days_ago.strftime("%d/%m/%Y"),
                                    "details": "Copie de tout son dossier"})
    assert answer.status_code == 302, _text(answer)
    request_id = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    row = _row(app, request_id)
    assert row.organisation_id == people.org_s.id and row.subject_id == people.candidate.id
    assert row.subject_label == ""  # the account is enough: no name copied into the register
    from core.templating import to_paris
    from core.utils import add_months

    assert to_paris(row.received_at).date() == ten_days_ago
    assert to_paris(row.due_at).date() == add_months(ten_days_ago, 1)  # one calendar month (art. 12-3)

    detail = _text(client.get(answer.headers["Location"]))
    assert "Demande n° %d : accès" % request_id in detail
    assert "Camille Martin <camille.martin@example.org>" in detail and "courrier postal" in detail
    assert add_months(ten_days_ago, 1).strftime("%d/%m/%Y") in detail
    listed = _text(client.get(URL))
    assert "Camille Martin" in listed and "À traiter</span>" in listed and "state-empty" not in listed

    # the answer is required, the status too
    refused = client.post(answer.headers["Location"], data={"status": "done", "response": "  "})
    assert refused.status_code == 422
    assert re.search(r'id="response-error"[^>]*>.*obligatoire', _text(refused), re.S)
    assert re.search(r'<textarea[^>]*aria-describedby="[^"]*response-error', _text(refused))
    closed = client.post(answer.headers["Location"], data={"status": "done",
                                                           "response": "Archive envoyée par courrier le 3."})
    assert closed.status_code == 302 and closed.headers["Location"].endswith(URL)
    row = _row(app, request_id)
    assert row.status.value == "done" and row.handled_by_id == people.admin_s.id and row.handled_at is not None
    detail = _text(client.get(f"{URL}/{request_id}"))
    assert "Archive envoyée par courrier le 3." in detail and "Clore la demande" not in detail
    # audited, ids only: neither the person's name nor address, nor what was written
    audit = events(app)
    assert [(a, actor, obj) for a, actor, obj, _p in audit] == [
        ("privacy_request.recorded", people.admin_s.id, str(request_id)),
        ("privacy_request.handled", people.admin_s.id, str(request_id))]
    assert audit[0][3]["subject_id"] == people.candidate.id and audit[1][3] == {"status": "done", "kind": "access",
                                                                                 "late": False}
    assert "Camille" not in repr(audit) and "example.org" not in repr(audit) and "Archive" not in repr(audit)


def test_a_closed_request_cannot_be_closed_again(app, client, login, people):
    rid = add_request(app, organisation_id=people.org_s.id, status="done", subject_id=people.candidate.id)
    login(people.admin_s)
    page = _text(client.get(f"{URL}/{rid}"))
    assert "Depuis son compte" in page or "depuis son compte" in page
    assert f'action="{URL}/{rid}"' not in page  # no form on a closed request
    answer = client.post(f"{URL}/{rid}", data={"status": "refused", "response": "Non."})
    assert answer.status_code == 409 and "déjà close" in _text(answer)


def test_a_person_without_an_account_and_the_mistakes_shown_by_their_field(app, client, login, people):
    login(people.admin_s)
    empty = client.post(URL, data={})
    assert empty.status_code == 422
    text = _text(empty)
    for field in ("kind", "channel", "subject_email"):
        assert f'id="{field}-error"' in text and f'href="#{field}"' in text, field
    # a candidate of another organisation is not one of ours: refused, not revealed
    other = client.post(URL, data={"kind": "erasure", "subject_email": "sacha.bernard@example.org",
                                   "channel": "email"})
    assert other.status_code == 422 and "Aucun candidat de l'organisme" in _text(other)
    future = client.post(URL, data={"kind": "erasure", "subject_label": "Mme Durand", "channel": "email",
                                    "received_on": (_paris_today() + timedelta(days=2)).isoformat()})
    assert future.status_code == 422 and "dans le futur" in _text(future)
    assert 'value="Mme Durand"' in _text(future)  # nothing typed is lost
    ok = client.post(URL, data={"kind": "objection", "subject_label": "Mme  Durand, ancienne candidate",
                                "channel": "phone"})
    assert ok.status_code == 302
    row = _row(app, int(ok.headers["Location"].split("/")[-1]))
    assert row.subject_id is None and row.subject_label == "Mme Durand, ancienne candidate"
    assert row.channel == "phone" and row.kind.value == "objection"
    assert events(app)[0][3]["subject_id"] is None


def test_overdue_requests_are_flagged_and_filtered(app, client, login, people):
    late = add_request(app, organisation_id=people.org_s.id, kind="rectification", subject_label="M. Retard",
                       channel="letter", days_ago=40)
    fresh = add_request(app, organisation_id=people.org_s.id, kind="erasure", subject_label="Mme Récente",
                        channel="email", days_ago=1)
    done = add_request(app, organisation_id=people.org_s.id, kind="access", status="done",
                       subject_id=people.candidate.id, days_ago=3)
    add_request(app, organisation_id=people.org_i.id, subject_label="Chez Inkréa", channel="email")
    login(people.admin_s)
    page = _text(client.get(URL))
    assert "1 demande a dépassé son délai de réponse." in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\"><a href=\"[^\"]*/(\d+)\"", page)
    assert rows == [str(late), str(fresh), str(done)]  # open first, earliest deadline first; never Inkréa's
    assert "Chez Inkréa" not in page
    overdue = _text(client.get(URL + "?status=overdue"))
    assert "M. Retard" in overdue and "Mme Récente" not in overdue and "En retard" in overdue
    handled = _text(client.get(URL + "?status=done"))
    assert "Camille Martin" in handled and "M. Retard" not in handled
    assert client.get(URL + "?status=bientot").status_code == 422
    detail = _text(client.get(f"{URL}/{late}"))
    assert "Le délai de réponse d'un mois est dépassé" in detail
    closed = client.post(f"{URL}/{late}", data={"status": "refused", "response": "Donnée exacte : refus motivé."})
    assert closed.status_code == 302
    assert events(app)[-1][3] == {"status": "refused", "kind": "rectification", "late": True}


def test_who_reaches_the_register(app, client, login, people):
    mine = add_request(app, organisation_id=people.org_s.id, subject_label="Une personne")
    platform_row = add_request(app, organisation_id=None, subject_label="Sans organisme")
    for user, status in ((people.staff_s, 403), (people.candidate, 403), (people.juror, 403)):
        viewer = app.test_client()
        login(user, test_client=viewer)
        assert viewer.get(URL).status_code == status, user.role
        assert viewer.get(f"{URL}/{mine}").status_code == 404, user.role
    other_admin = app.test_client()
    login(people.admin_i, test_client=other_admin)
    assert other_admin.get(f"{URL}/{mine}").status_code == 404
    assert other_admin.post(f"{URL}/{mine}", data={"status": "done", "response": "x"}).status_code == 404
    assert "Une personne" not in _text(other_admin.get(URL))
    assert _row(app, mine).status.value == "open"
    # the platform admin keeps the requests of no organisation, and only those
    platform = app.test_client()
    login(people.platform, test_client=platform)
    page = _text(platform.get(URL))
    assert "Sans organisme" in page and "Une personne" not in page
    assert platform.get(f"{URL}/{mine}").status_code == 404
    assert platform.get(f"{URL}/{platform_row}").status_code == 200
    login(people.admin_s)
    assert client.get(f"{URL}/{platform_row}").status_code == 404
    assert client.get(f"{URL}/{2 ** 63 + 5}").status_code == 404
    anonymous = app.test_client().get(URL)
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]


def test_the_platform_admin_names_any_account(app, client, login, people):
    login(people.platform)
    answer = client.post(URL, data={"kind": "access", "subject_email": people.juror.email, "channel": "email"})
    assert answer.status_code == 302
    row = _row(app, int(answer.headers["Location"].split("/")[-1]))
    assert row.organisation_id is None and row.subject_id == people.juror.id


def test_the_register_is_linked_from_the_admins_space(app, client, login, people):
    login(people.admin_s)
    assert f'href="{URL}"' in client.get("/espace/").get_data(as_text=True)
    staff = app.test_client()
    login(people.staff_s, test_client=staff)
    assert f'href="{URL}"' not in staff.get("/espace/").get_data(as_text=True)


def test_an_erased_account_is_no_longer_named(app, client, login, people):
    from core.auth.models import User
    from core.extensions import db

    rid = add_request(app, organisation_id=people.org_s.id, kind="erasure", status="done",
                      subject_id=people.candidate.id)
    with app.app_context():
        db.session.get(User, people.candidate.id).erased_at = datetime.now(timezone.utc)
        db.session.commit()
    login(people.admin_s)
    page = _text(client.get(f"{URL}/{rid}"))
    assert f"Compte effacé n° {people.candidate.id}" in page and "Camille" not in page
