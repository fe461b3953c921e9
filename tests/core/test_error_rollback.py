"""A refused request keeps nothing it had started: the UserError handler rolls the session back
before answering, so that nothing later in the request (the error page, an after-request hook) can
commit half-done work."""
from sqlalchemy import select


def test_the_refusal_handler_discards_what_the_view_had_flushed(app):
    from core.auth.models import Organisation
    from core.errors import Conflict
    from core.extensions import db

    with app.test_request_context("/_test", headers={"Accept": "application/json"}):
        db.session.add(Organisation(name="Demi-ligne", slug="demi-ligne"))
        db.session.flush()
        response = app.make_response(app.handle_user_exception(Conflict("Refusé pour le test.", code="test_refused")))
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "test_refused"
        # same request, same session: the flushed row is gone
        assert db.session.scalar(select(Organisation).where(Organisation.slug == "demi-ligne")) is None
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(Organisation).where(Organisation.slug == "demi-ligne")) is None
