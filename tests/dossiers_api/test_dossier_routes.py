"""A dossier is opened on one of the certification's access routes (and, where the route allows it, for one
block); the core follows the route: sections, fee, the route in every representation. A route or block the
certification does not offer is refused (422) with what it offers, and nothing is created."""
import html as htmllib

import pytest


@pytest.fixture
def rncp(certifier_org):
    return certifier_org("RNCP37827", "RS6776", name="Simplon Lyon")


def _count(app):
    from sqlalchemy import func, select

    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Dossier))


def test_routes_are_listed_with_the_certification(client, rncp):
    body = client.get("/api/v1/certifications/RNCP37827").get_json()
    routes = {r["code"]: r for r in body["routes"]}
    assert list(routes) == ["vae", "formation"]
    assert routes["formation"]["label"] == "Formation" and routes["formation"]["fee"] is False
    assert routes["formation"]["blocks_alone"] is True
    e2 = next(d for d in routes["formation"]["deliverables"] if d["code"] == "E2")
    assert (e2["min_pages"], e2["max_pages"]) == (15, 20)
    assert [o["total_minutes"] for o in body["scheme"]["block_orals"]] == [25, 45, 40]
    assert [r["code"] for r in client.get("/api/v1/certifications/RS6776").get_json()["routes"]] == ["formation"]


def test_open_on_the_training_route_for_one_block(app, api_for, create_user, rncp):
    api = api_for(create_user("candidate"))
    response = api.post("/api/v1/dossiers", json={"certification": "RNCP37827", "route": "formation",
                                                   "block": "BC02"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["route"], body["route_label"], body["block"]) == ("formation", "Formation", "BC02")
    assert [s["key"] for s in body["sections"]] == ["etat_civil", "livrables"]
    with app.app_context():
        from core.dossiers.models import Dossier
        from core.extensions import db
        from core.fees.services import certification_fee

        assert certification_fee(db.session.get(Dossier, body["id"])) is None  # no recevabilité fee


def test_the_default_route_is_vae_with_every_livret_section(api_for, create_user, rncp):
    body = api_for(create_user("candidate")).post("/api/v1/dossiers", json={"certification": "RNCP37827"}).get_json()
    assert (body["route"], body["route_label"], body["block"]) == ("vae", "VAE", None)
    keys = [s["key"] for s in body["sections"]]
    assert "livrables" not in keys and {"cv", "annexes", "fiches_activite"} <= set(keys)


@pytest.mark.parametrize("payload, field, words", [
    ({"certification": "RNCP37827", "route": "alternance"}, "route", "« vae » (VAE), « formation » (Formation)"),
    ({"certification": "RS6776", "route": "vae"}, "route", "« formation » (Formation)"),
    ({"certification": "RNCP37827", "route": "vae", "block": "BC02"}, "block", "ne permet pas"),
    ({"certification": "RNCP37827", "route": "formation", "block": "BC09"}, "block",
     "« BC01 » (Oral de passage du bloc 1)"),
    ({"certification": "RNCP37827", "route": "\udcff"}, None, ""),
    ({"certification": "RNCP37827", "route": "x" * 5000}, "route", ""),
])
def test_a_route_or_block_not_offered_is_refused_and_nothing_is_created(app, api_for, create_user, rncp,
                                                                         payload, field, words):
    api = api_for(create_user("candidate"))
    before = _count(app)
    response = api.post("/api/v1/dossiers", json=payload)
    assert 400 <= response.status_code < 500
    error = response.get_json()["error"]
    if field:
        assert response.status_code == 422 and words in error["details"][field][0]
    assert _count(app) == before


def test_the_candidate_page_offers_the_routes_and_the_blocks(app, client, login, create_user, rncp):
    user = create_user("candidate")
    login(user)
    page = htmllib.unescape(client.get("/espace/").get_data(as_text=True))
    assert "Votre voie d'accès" in page and 'value="formation"' in page
    assert "Oral de passage du bloc 2 (BC02, 45 min)" in page
    response = client.post("/dossiers/nouveau", data={"certification": "RNCP37827", "organisation_id": str(rncp.id),
                                                       "route": "formation", "block": "BC03"})
    assert response.status_code == 302
    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        dossier = db.session.query(Dossier).filter_by(candidate_id=user.id).one()
        assert (dossier.route, dossier.target_block) == ("formation", "BC03")
    overview = htmllib.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Livrables des épreuves" in overview and "Votre CV" not in overview

    # a route the certification does not offer: the message, no dossier
    other = create_user("candidate")
    login(other)
    response = client.post("/dossiers/nouveau", data={"certification": "RNCP37827", "organisation_id": str(rncp.id),
                                                       "route": "apprentissage"}, follow_redirects=True)
    assert "ne propose pas cette voie d'accès" in htmllib.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.query(Dossier).filter_by(candidate_id=other.id).count() == 0
