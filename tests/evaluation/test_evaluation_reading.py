"""A juror reads the dossiers of their session, and only those, once the session is open."""
from __future__ import annotations

import re

from tests.evaluation.conftest import PDF, page


def _audit(app, action):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_juror_sees_sessions_and_candidates(make_jury, as_user):
    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    dashboard = page(client.get("/espace/"))
    assert "Mes sessions de jury" in dashboard and "Session RNCP37827" in dashboard
    assert f"/jury/sessions/{jury.session_id}" in dashboard
    listing = page(client.get("/jury/"))
    assert "Session RNCP37827" in listing and "Ouverte" in listing and "1 rue de la Paix" in listing

    detail = page(client.get(f"/jury/sessions/{jury.session_id}"))
    assert "Camille Durand" in detail and "Non renseignée" in detail and "Non commencée" in detail
    assert jury.url("/dossier") in detail and jury.url("/grille") in detail
    assert f"/sessions/{jury.session_id}/declarations" in detail
    assert f"/sessions/{jury.session_id}/candidats/{jury.candidate_id}/deliberation" in detail


def test_draft_session_shows_names_but_no_dossier(make_jury, as_user):
    jury = make_jury("RNCP37827", status="draft")
    client = as_user(jury.jurors[0])
    detail = page(client.get(f"/jury/sessions/{jury.session_id}"))
    assert "Camille Durand" in detail
    assert "s'ouvrent aux membres du jury à l'ouverture de la session" in detail
    assert jury.url("/dossier") not in detail
    for url in (jury.url("/dossier"), jury.url("/livret2"), jury.url("/annexes/1")):
        response = client.get(url)
        assert response.status_code == 409, url
        assert "à l'ouverture de la session" in page(response)
        assert b"%PDF" not in response.data
    assert client.get(f"/dossiers/{jury.dossier_id}").status_code == 404
    assert not _audit(client.application, "annex.downloaded")


def test_dossier_page_lists_annexes_by_competency(make_jury, as_user):
    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    response = client.get(jury.url("/dossier"))
    assert response.status_code == 200
    text = page(response)
    assert "Dossier de Camille Durand" in text and "version 1" in text
    assert f'<iframe src="{jury.url("/livret2")}"' in text
    assert jury.url("/livret2") + "?telecharger=1" in text

    def row(code):
        found = re.search(rf'<tr id="competence-{code}">(.*?)</tr>', text, re.S)
        assert found, code
        return found.group(1)

    assert "C1 – Automatiser l'extraction" in row("C1")
    assert "Annexe n° 1" in row("C1") and "Annexe n° 4" in row("C1") and "Annexe n° 2" not in row("C1")
    assert "Annexe n° 1" in row("C2") and "Annexe n° 2" in row("C2")
    assert "Aucune annexe" in row("C3")
    unlinked = text.split('id="annexes-sans-competence"', 1)[1].split("<h2", 1)[0]
    assert "Annexe n° 3" in unlinked and "Annexe n° 1" not in unlinked
    # PDFs and images open in the browser, others download; a pending scan cannot be opened
    assert "Ouvrir l'annexe n° 1 dans le navigateur" in text and "Ouvrir l'annexe n° 2 dans le navigateur" in text
    assert "Télécharger l'annexe n° 3" in text
    assert "Ouvrir l'annexe n° 4" not in text and "pas encore été analysée" in text


def test_annex_and_livret_open_inline_and_audited(app, make_jury, as_user):
    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[1])

    pdf = client.get(jury.url("/annexes/1"))
    assert pdf.status_code == 200 and pdf.data == PDF
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff" and pdf.headers["Cache-Control"] == "no-store"
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in pdf.headers[
        "Content-Security-Policy"]

    image = client.get(jury.url("/annexes/2"))
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert "default-src 'none'" in image.headers["Content-Security-Policy"]

    other = client.get(jury.url("/annexes/3"))
    assert other.status_code == 200 and other.data.startswith(b"PK")
    assert other.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in other.headers["Content-Security-Policy"]
    forced = client.get(jury.url("/annexes/1?telecharger=1"))
    assert forced.data == PDF and forced.headers["Content-Disposition"].startswith("attachment;")

    pending = client.get(jury.url("/annexes/4"))
    assert pending.status_code == 409 and "pas encore été analysée" in page(pending)
    assert client.get(jury.url("/annexes/99")).status_code == 404

    livret = client.get(jury.url("/livret2"))
    assert livret.status_code == 200 and livret.data == PDF
    assert livret.headers["Content-Disposition"].startswith("inline;")

    opened = _audit(app, "annex.downloaded")
    assert [e.payload["number"] for e in opened] == [1, 2, 3, 1]
    assert {e.actor_id for e in opened} == {jury.jurors[1].id}
    assert len(_audit(app, "annex.download_refused")) == 1
    assert len(_audit(app, "document.read")) == 1


def test_juror_may_read_the_dossier_elsewhere_but_never_write(make_jury, as_user):
    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    assert client.get(f"/dossiers/{jury.dossier_id}").status_code == 200
    assert client.get(f"/dossiers/{jury.dossier_id}/annexes/1/contenu").data == PDF
    assert client.post(f"/dossiers/{jury.dossier_id}/annexes/1/retirer").status_code == 404


def test_outsiders_get_404_on_every_url(app, make_jury, as_user, create_user, certifier_org, token_for):
    jury = make_jury("RNCP37827")
    elsewhere = make_jury("RNCP37827")  # another session, its own jurors
    outsiders = [elsewhere.jurors[0], jury.candidate, create_user("candidate"),
                 create_user("certifier_staff", organisation=certifier_org("RNCP37827", name="Autre"))]
    pages = ["", "/dossier", "/livret2", "/annexes/1", "/grille"]
    apis = ["/grid", "/dossier", "/annexes/1/content"]
    for user in outsiders:
        client = as_user(user)
        assert client.get(f"/jury/sessions/{jury.session_id}").status_code == 404, user.role
        for tail in pages[1:]:
            assert client.get(jury.url(tail)).status_code == 404, (user.role, tail)
        assert client.post(jury.url("/grille"), data={"revision": "0"}).status_code == 404
        assert client.post(jury.url("/grille/rouvrir")).status_code == 404
        headers = token_for(user)
        for tail in apis:
            response = client.get(jury.api(tail), headers=headers)
            assert response.status_code == 404 and response.json["error"]["code"].endswith("not_found"), tail
        assert client.put(jury.api("/grid"), json={"revision": 0}, headers=headers).status_code == 404
        assert client.post(jury.api("/grid/complete"), headers=headers).status_code == 404
    # a juror of this session asking for a candidate of the other session: 404 too
    client = as_user(jury.jurors[0])
    foreign = f"/jury/sessions/{jury.session_id}/candidats/{elsewhere.candidate_id}"
    assert client.get(foreign + "/dossier").status_code == 404
    assert client.get(foreign + "/annexes/1").status_code == 404
    assert client.get(f"/dossiers/{elsewhere.dossier_id}").status_code == 404
    assert f"/jury/sessions/{elsewhere.session_id}" not in page(client.get("/jury/"))
