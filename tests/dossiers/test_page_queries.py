"""The dossier overview, a section page and a saved draft run a constant number of SQL queries, whatever the
dossier holds.

Two RNCP37827 dossiers, one nearly empty (one section, one annex) and one realistic
(every section but two, a mistake in one, eight annexes each linked to competencies),
are read by their candidates through the pages; the queries of each page are counted
with SQLAlchemy's ``before_cursor_execute`` event. The counts must be the same for
both dossiers (no query per section, per annex or per competency) and stay under a
small bound (the server-side session and its user in one query, ...).
"""
import hashlib
import re

import pytest
from sqlalchemy import event

from core.extensions import db

CODE = "RNCP37827"
OVERVIEW_BOUND = 6
SECTION_BOUND = 4
SAVE_BOUND = 8


@pytest.fixture
def rncp(app, certifier_org):
    pytest.importorskip("livret_rncp37827")
    return certifier_org(CODE)


def make_dossier(app, user, *, sections: int | None, annexes: int) -> int:
    """A dossier of ``user`` with the first ``sections`` sections of the sample Livret 2 saved (all but two
    when ``None``) and ``annexes`` annexes, each linked to two competencies."""
    from livret_rncp37827.testing import complete_sections, post_data

    from core.auth.models import User
    from core.certifications.services import get_certification
    from core.dossiers import services
    from core.dossiers.models import Annex, AnnexCompetency, ScanState

    with app.test_request_context():
        candidate = db.session.get(User, user.id)
        cert = get_certification(CODE)
        dossier = services.create_dossier(candidate, CODE)
        values = list(complete_sections(email=candidate.email).items())
        values = values[:sections] if sections is not None else [
            (k, v) for k, v in values if k not in ("fiches_poste", "declaration_honneur")]
        for key, data in values:
            if key == "situation":
                data = {**data, "quotite": "cent vingt"}  # a field in error: the overview names it
            spec = services.section_spec(cert, key, dossier)
            form = services.build_form(spec, cert, formdata=post_data(data, action="draft"))
            services.save_section(dossier, spec, form, actor=candidate, cert=cert)
        codes = [c.code for c in cert.competencies]
        for number in range(1, annexes + 1):
            digest = hashlib.sha256(f"{dossier.id}-{number}".encode()).hexdigest()
            annex = Annex(dossier=dossier, number=number, title=f"Pièce {number}", filename=f"piece-{number}.pdf",
                          media_type="application/pdf", size=1000, sha256=digest, storage_key=f"test/{digest}",
                          pages=1, scan_state=ScanState.CLEAN, uploaded_by_id=candidate.id)
            for code in (codes[number % len(codes)], codes[(number + 3) % len(codes)]):
                annex.competencies.append(AnnexCompetency(competency_code=code))
            db.session.add(annex)
        db.session.commit()
        return dossier.id


def count_queries(app, client, url: str, data: dict | None = None) -> tuple[int, list[str]]:
    """The SQL statements of one GET of ``url`` (after a first GET: templates compiled, session touched), or
    with ``data`` of one POST of the form that page rendered (its CSRF token and revision)."""
    page = client.get(url)
    assert page.status_code == 200
    if data is not None:
        text = page.get_data(as_text=True)
        data = {**data, "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1),
                "revision": re.search(r'name="revision" value="(\d*)"', text).group(1)}
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement.split("\n", 1)[0][:120])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url) if data is None else client.post(url, data=data)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == (200 if data is None else 302), (url, response.status_code)
    return len(statements), statements


def test_overview_section_and_save_queries_do_not_grow_with_the_dossier(app, rncp, create_user, login):
    small_user, large_user = create_user(), create_user()
    small = make_dossier(app, small_user, sections=1, annexes=1)
    large = make_dossier(app, large_user, sections=None, annexes=8)
    small_client, large_client = app.test_client(), app.test_client()
    login(small_user, test_client=small_client)
    login(large_user, test_client=large_client)

    overview_page = large_client.get(f"/dossiers/{large}").get_data(as_text=True)
    assert "n° 8" in overview_page  # the annexes are listed in the coverage
    assert "Situation actuelle ›" in overview_page  # the mistake is named with its section and field

    for url in ("/dossiers/{id}", "/dossiers/{id}/sections/fiches_activite", "/dossiers/{id}/sections/etat_civil"):
        few, few_statements = count_queries(app, small_client, url.format(id=small))
        many, many_statements = count_queries(app, large_client, url.format(id=large))
        assert few == many, (url, few_statements, many_statements)
        bound = OVERVIEW_BOUND if url == "/dossiers/{id}" else SECTION_BOUND
        assert many <= bound, (url, many, many_statements)
        # the server-side session and its user: one query
        assert sum("FROM login_sessions" in s or s.startswith("SELECT login_sessions") for s in many_statements) == 1
        assert not any(s.startswith("SELECT users.") for s in many_statements), many_statements

    # saving a draft through the page: the same statements for both dossiers too
    url = "/dossiers/{id}/sections/lettre_motivation"
    data = {"lettre": "Madame, Monsieur, " + "mon expérience professionnelle. " * 20, "action": "draft"}
    few, few_statements = count_queries(app, small_client, url.format(id=small), data)
    many, many_statements = count_queries(app, large_client, url.format(id=large), data)
    assert few == many <= SAVE_BOUND, (few_statements, many_statements)
