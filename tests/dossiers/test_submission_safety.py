"""Nothing typed is lost when a token is refused; a dossier submitted twice at once has one version."""
from __future__ import annotations

import threading

from test_submission import add_annex, certifier, fill, open_dossier, page, plugin  # noqa: F401 - fixtures

from core.sealing.testing import app_config, signing_env  # noqa: F401

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
LETTER = "Après douze ans dans la donnée, je veux faire reconnaître mon expérience : voici pourquoi…"


def test_an_expired_token_brings_the_section_back_with_what_was_typed(app, client, plugin, create_user,  # noqa: F811
                                                                        login):
    user = create_user("candidate")
    login(user)
    dossier_id = open_dossier(client)
    url = f"/dossiers/{dossier_id}/sections/lettre_motivation"
    refused = client.post(url, data={"action": "draft", "lettre": LETTER, "csrf_token": "expiré"},
                          headers=SAME_SITE)
    text = page(refused)
    assert refused.status_code == 400
    assert "Le formulaire a expiré ou n'est pas valide" in text
    assert LETTER in text  # in the textarea, ready to be sent again
    assert 'name="csrf_token" value="' in text  # with a fresh token
    assert LETTER not in page(client.get(url))  # nothing was saved with the refused token
    saved = client.post(url, data={"action": "draft", "lettre": LETTER})  # the page's own token
    assert saved.status_code == 302
    assert LETTER in page(client.get(url))


def test_a_double_submission_creates_one_version(app, plugin, create_user, login):  # noqa: F811
    from core.dossiers.models import Document, Dossier, DossierStatus, DossierVersion
    from core.extensions import db

    user = create_user("candidate", first_name="Camille", last_name="Martin")
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        login(user, test_client=tab)
    dossier_id = open_dossier(tabs[0])
    fill(tabs[0], dossier_id, user)
    add_annex(app, dossier_id, user.id, 1, b"%PDF-1.4 preuve", ["C1"])
    url = f"/dossiers/{dossier_id}/deposer"
    tokens = [tab.csrf_token_for(url, page=f"/dossiers/{dossier_id}") for tab in tabs]
    start = threading.Barrier(2)
    answers: list = [None, None]

    def press(i):
        start.wait()
        answers[i] = tabs[i].post(url, data={"password": user.plain_password, "csrf_token": tokens[i]})

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None and a.status_code < 500 for a in answers), [a and a.status_code for a in answers]
    with app.app_context():
        assert db.session.query(DossierVersion).filter_by(dossier_id=dossier_id).count() == 1
        assert db.session.get(Dossier, dossier_id).status is DossierStatus.SUBMITTED
        kinds = sorted(d.kind for d in db.session.query(Document).filter_by(dossier_id=dossier_id))
        assert kinds == ["livret2", "receipt"]
        stored = {d.storage_key for d in db.session.query(Document).filter_by(dossier_id=dossier_id)}
        storage = app.extensions["livret"].storage
        kept = {key for key in storage.iter_keys() if not key.startswith("annexes/")}
        assert kept == stored  # the refused submission left no file behind
