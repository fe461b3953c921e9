"""Rules that block the opening, not warn (RNCP37827 règlement, section 2): deliverables 5 days before the
session, every juror's « extérieur » status answered (no default), the part « Les épreuves certificatives »
sent to the jury with the convocation at least a week before the session; and the juror form naming the
certification's field of practice (the plugin's words, not core's)."""
import re
import subprocess
from datetime import datetime, timedelta, timezone

from tests.sessions.conftest import page, session_of, text

PRO = {"position": "Ingénieur IA", "company": "DataCorp", "professional": "1", "experience_years": "5"}
EXTERNAL_RULE = "Au moins 50% des jurés sont extérieurs à l'organisme certificateur et à l'organisme évaluateur."
WEEK_RULE = ("Règle « Cette partie doit être partagée par le/la responsable de session : Aux jury de certification, "
             "au plus tard une semaine avant la session. »")


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _declared_session(app, create_jury_session, manager, jurors, dossiers, code="RNCP37827", days_ahead=30):
    from tests.sessions.conftest import declare_all

    session_id = create_jury_session(code, manager=manager, jurors=jurors, dossiers=dossiers, days_ahead=days_ahead)
    for juror in jurors:
        declare_all(app, session_id, juror)
    return session_id


def _set_juror(app, session_id, **values):
    from core.extensions import db
    from core.jury.models import JurySession

    with app.app_context():
        juror = db.session.get(JurySession, session_id).jurors[-1]
        for name, value in values.items():
            setattr(juror, name, value)
        db.session.commit()
        return juror.id


def _in_days(days: int, clock: str = "09:00") -> str:
    day = (datetime.now(timezone.utc) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{clock}:00+02:00"


def _moved(days: int) -> dict:
    """The API body moving a session ``days`` ahead (one day long: its end follows)."""
    return {"starts_at": _in_days(days), "ends_on": None}


def _radios(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)


# ---------------------------------------------------------------------------
# 1. deliverables 5 days before the session: blocking (API), cleared by moving the session
# ---------------------------------------------------------------------------

def test_late_deliverables_refuse_the_opening_through_the_api_until_the_session_moves(
        app, client, manager, jurors, create_admissible_dossier, create_jury_session, api_headers):
    # submitted yesterday, the session in 3 days: 4 days only (and less than a week: the règlement's rule too)
    late = create_admissible_dossier("RNCP37827", first_name="Lina", last_name="Tardive", submitted_days_ago=1)
    session_id = _declared_session(app, create_jury_session, manager, jurors, [late], days_ahead=3)
    h = api_headers(manager)
    base = f"/api/v1/sessions/{session_id}"

    problems = client.get(f"{base}/problems", headers=h).json
    assert [p["rule"] for p in problems["blocking"]] == ["deliverables_5_days", "regulation_one_week"]
    assert problems["blocking"][0]["dossier_id"] == late.id and problems["warnings"] == []
    response = client.post(f"{base}/open", headers=h)
    assert response.status_code == 409 and response.json["error"]["code"] == "jury_rules_not_met"
    message = response.json["error"]["message"]
    submitted = (datetime.now(timezone.utc) - timedelta(days=1)).astimezone(_paris()).strftime("%d/%m/%Y")
    assert f"Lina Tardive : des livrables ont été transmis le {submitted}, moins de 5 jours avant la session" in message
    assert "« L'ensemble des livrables est transmis au jury au plus tard 5 jours avant la date de session. »" in message
    assert session_of(app, session_id).status.value == "draft"

    # the session moves 12 days ahead: the deliverables arrived in time for it
    response = client.patch(base, headers=h, json=_moved(12))
    assert response.status_code == 200 and response.json["problems"] == {"blocking": [], "warnings": []}
    response = client.post(f"{base}/open", headers=h)
    assert response.status_code == 200 and response.json["status"] == "open"


def test_a_dossier_not_submitted_blocks_when_fewer_than_5_days_remain(
        app, client, manager, jurors, create_admissible_dossier, create_jury_session, api_headers):
    draft = create_admissible_dossier("RNCP37827", first_name="Noé", last_name="Brouillon", status="draft")
    h = api_headers(manager)
    far = _declared_session(app, create_jury_session, manager, jurors, [draft], days_ahead=30)
    assert client.get(f"/api/v1/sessions/{far}/problems", headers=h).json["blocking"] == []
    response = client.patch(f"/api/v1/sessions/{far}", headers=h, json=_moved(3))
    blocking = response.json["problems"]["blocking"]
    late = next(p for p in blocking if p["rule"] == "deliverables_5_days")
    limit = (datetime.now(timezone.utc) + timedelta(days=3)).date() - timedelta(days=5)
    assert late["message"].startswith("Noé Brouillon : le dossier n'est pas déposé et la session commence dans "
                                      "moins de 5 jours")
    assert f"au plus tard le {limit.strftime('%d/%m/%Y')}" in late["message"]
    assert client.post(f"/api/v1/sessions/{far}/open", headers=h).status_code == 409


# ---------------------------------------------------------------------------
# 2. the « extérieur » status: a required answer, no default
# ---------------------------------------------------------------------------

def test_the_juror_form_has_no_default_for_external_and_requires_an_answer(app, manager_client, manager, jurors,
                                                                          dossiers, create_jury_session):
    session_id = create_jury_session("RNCP37827", manager=manager, dossiers=dossiers)
    url = f"/sessions/{session_id}/jures/ajouter"
    form = page(manager_client.get(url))
    radios = _radios(form, "external")
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    assert any("checked" in r for r in _radios(form, "professional"))  # the other answers keep their default

    response = manager_client.post(url, data={**PRO, "email": jurors[0].email})
    assert response.status_code == 422
    body = page(response)
    message = ("Indiquez si ce juré est extérieur ou extérieure à l'organisme certificateur et à l'organisme "
               "évaluateur : répondez par oui ou par non (il n'y a pas de réponse par défaut).")
    assert f'<p class="error" id="external-error"><span class="visually-hidden">Erreur : </span>{message}</p>' in body
    assert re.search(r'<fieldset id="external"[^>]*aria-describedby="external-error"', body)
    assert '<a href="#external">Extérieur ou extérieure au certificateur et à l\'organisme évaluateur' in body
    assert not any("checked" in r for r in _radios(body, "external"))  # still unanswered, nothing invented
    assert session_of(app, session_id).jurors == []

    assert manager_client.post(url, data={**PRO, "email": jurors[0].email, "external": "0"}).status_code == 302
    assert [j.external for j in session_of(app, session_id).jurors] == [False]


def test_the_api_requires_external_when_adding_a_juror(app, client, manager, jurors, dossiers, create_jury_session,
                                                       api_headers):
    session_id = create_jury_session("RNCP37827", manager=manager, dossiers=dossiers)
    h = api_headers(manager)
    body = {"email": jurors[0].email, "position": "CTO", "company": "IA&Co", "experience_years": 6}
    response = client.post(f"/api/v1/sessions/{session_id}/jurors", headers=h, json=body)
    assert response.status_code == 422
    assert response.json["error"]["details"]["external"] == ["Ce champ est obligatoire."]
    assert session_of(app, session_id).jurors == []
    response = client.post(f"/api/v1/sessions/{session_id}/jurors", headers=h, json={**body, "external": False})
    assert response.status_code == 201 and response.json["external"] is False
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["SessionJurorCreate"]
    assert "external" in schema["required"] and "default" not in schema["properties"]["external"]


def test_an_unanswered_external_status_blocks_the_opening_naming_the_juror(
        app, client, manager_client, manager, jurors, dossiers, create_jury_session, api_headers):
    session_id = _declared_session(app, create_jury_session, manager, jurors, dossiers)
    juror_id = _set_juror(app, session_id, external=None)  # a row recorded before the answer was required
    h = api_headers(manager)

    detail = client.get(f"/api/v1/sessions/{session_id}", headers=h).json
    assert [j["external"] for j in detail["jurors"]] == [True, None]
    assert [(p["rule"], p["juror_id"]) for p in detail["problems"]["blocking"]] == [("external_ratio", juror_id)]
    body = text(manager_client.get(f"/sessions/{session_id}"))
    assert "à renseigner" in body
    response = manager_client.post(f"/sessions/{session_id}/ouvrir")
    assert response.status_code == 409
    refused = text(response)
    assert (f"Règle « {EXTERNAL_RULE} » : indiquez si Julie Bernard est extérieur ou extérieure à l'organisme "
            "certificateur et à l'organisme évaluateur (réponse manquante).") in refused

    # the edit page shows no answer either; the API refuses a change that leaves it unanswered
    edit_url = f"/sessions/{session_id}/jures/{juror_id}/modifier"
    assert not any("checked" in r for r in _radios(page(manager_client.get(edit_url)), "external"))
    response = client.patch(f"/api/v1/sessions/{session_id}/jurors/{juror_id}", headers=h, json={"company": "X"})
    assert response.status_code == 422 and "external" in response.json["error"]["details"]
    # answered on the page: the rule passes (1 external juror out of 2 is 50 %)
    assert manager_client.post(edit_url, data={**PRO, "external": "0"}).status_code == 302
    assert client.get(f"/api/v1/sessions/{session_id}/problems", headers=h).json["blocking"] == []
    assert manager_client.post(f"/sessions/{session_id}/ouvrir").status_code == 302


# ---------------------------------------------------------------------------
# 3. the règlement « Les épreuves certificatives » goes to the jury with the convocation
# ---------------------------------------------------------------------------

def test_the_jurors_convocation_carries_the_reglement_and_its_sending_is_recorded(
        app, client, manager_client, manager, jurors, dossiers, create_jury_session, api_headers, outbox):
    session_id = _declared_session(app, create_jury_session, manager, jurors, dossiers)
    assert "sera transmise au jury avec sa convocation" in text(manager_client.get(f"/sessions/{session_id}"))
    h = api_headers(manager)
    assert client.get(f"/api/v1/sessions/{session_id}", headers=h).json["regulation_sent_at"] is None
    before = datetime.now(timezone.utc)
    response = client.post(f"/api/v1/sessions/{session_id}/open", headers=h)
    assert response.status_code == 200, response.json
    sent_at = datetime.fromisoformat(response.json["regulation_sent_at"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= sent_at <= datetime.now(timezone.utc)

    juror_mails = [m for m in outbox() if m["Subject"].startswith("Jury du")]
    assert sorted(m["To"] for m in juror_mails) == sorted(j.email for j in jurors)
    for mail in juror_mails:
        attachments = list(mail.iter_attachments())
        assert [a.get_filename() for a in attachments] == ["RNCP37827-les-epreuves-certificatives.pdf"]
        assert attachments[0].get_content_type() == "application/pdf"
        assert "En pièce jointe, la partie « Les épreuves certificatives » du règlement de la certification " \
               "RNCP37827" in mail.get_body(("plain",)).get_content()
    document = pdf_text(list(juror_mails[0].iter_attachments())[0].get_content())
    for words in ("Les épreuves certificatives", "Cette partie doit être partagée par le/la responsable de session",
                  "Aux jury de certification, au plus tard une semaine avant la session.", "1. Le jury",
                  "Composé d'au moins 2 professionnels", "Cas pratique 1 (E2)", "Mise en situation 3 (E4)",
                  "4. Soutenance orale du candidat(e)", "Oral de passage du bloc 2 (total 45 min)",
                  "6. Procès verbal de jury", "Session RNCP37827"):
        assert words in document, words
    candidate_mails = [m for m in outbox() if m["Subject"].startswith("Convocation")]
    assert len(candidate_mails) == 2 and all(not list(m.iter_attachments()) for m in candidate_mails)

    body = text(manager_client.get(f"/sessions/{session_id}"))
    assert f"Règlement transmis au jury le {sent_at.astimezone(_paris()).strftime('%d/%m/%Y')}" in body
    events = _audit(app, "session.regulation_sent")
    assert events == [{"title": "Les épreuves certificatives", "filename": "RNCP37827-les-epreuves-certificatives.pdf",
                       "size": events[0]["size"], "jurors": 2}]


def test_a_certification_without_a_reglement_for_the_jury_sends_none(
        app, client, manager_client, manager, jurors, create_admissible_dossier, create_jury_session, api_headers,
        outbox):
    dossiers = [create_admissible_dossier("RS6776", first_name="Chloé", last_name="Lumière")]
    session_id = _declared_session(app, create_jury_session, manager, jurors, dossiers, code="RS6776", days_ahead=3)
    response = client.post(f"/api/v1/sessions/{session_id}/open", headers=api_headers(manager))
    assert response.status_code == 200, response.json  # no week rule either: RS6776 has no such document
    assert response.json["regulation_sent_at"] is None
    juror_mails = [m for m in outbox() if m["Subject"].startswith("Jury du")]
    assert len(juror_mails) == 2 and all(not list(m.iter_attachments()) for m in juror_mails)
    assert "pièce jointe" not in juror_mails[0].get_content()
    assert "Règlement" not in text(manager_client.get(f"/sessions/{session_id}"))
    assert _audit(app, "session.regulation_sent") == []


def test_opening_less_than_a_week_before_the_session_is_refused(
        app, client, manager_client, manager, jurors, dossiers, create_jury_session, api_headers, outbox):
    session_id = _declared_session(app, create_jury_session, manager, jurors, dossiers, days_ahead=6)
    h = api_headers(manager)
    response = client.post(f"/api/v1/sessions/{session_id}/open", headers=h)
    assert response.status_code == 409 and response.json["error"]["code"] == "jury_rules_not_met"
    assert [p["rule"] for p in response.json["error"]["details"]["problems"]] == ["regulation_one_week"]
    assert WEEK_RULE in response.json["error"]["message"]
    assert "la partie « Les épreuves certificatives » du règlement, envoyée au jury avec sa convocation à " \
           "l'ouverture, lui parviendrait trop tard" in response.json["error"]["message"]
    response = manager_client.post(f"/sessions/{session_id}/ouvrir")
    assert response.status_code == 409 and WEEK_RULE in text(response)
    assert session_of(app, session_id).status.value == "draft" and outbox() == []

    assert client.patch(f"/api/v1/sessions/{session_id}", headers=h,
                        json=_moved(9)).json["problems"]["blocking"] == []
    assert client.post(f"/api/v1/sessions/{session_id}/open", headers=h).status_code == 200


# ---------------------------------------------------------------------------
# 4. the jurors' field of practice comes from the plugin
# ---------------------------------------------------------------------------

def test_the_juror_form_names_the_field_of_the_certification_only(app, manager_client, manager, dossiers,
                                                                   create_jury_session):
    rncp = create_jury_session("RNCP37827", manager=manager)
    rs = create_jury_session("RS6776", manager=manager)
    form = text(manager_client.get(f"/sessions/{rncp}/jures/ajouter"))
    assert "Années d'expérience dans le développement et l'IA" in form
    assert "Professionnel ou professionnelle du métier : le développement et l'IA" in form
    form = text(manager_client.get(f"/sessions/{rs}/jures/ajouter"))
    assert "développement et l'IA" not in form and "développement et IA" not in form
    assert "Années d'expérience dans le métier" in form and "Professionnel ou professionnelle du métier" in form


def _audit(app, action):
    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [e.payload for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action))]


def _paris():
    from core.documents.filters import document_timezone

    return document_timezone()
