"""The section page keeps the form it built from a saved draft, per revision (core.dossiers.memo): read twice,
built once; a save, another language or another day builds it afresh; each browser still gets its own CSRF
token, and the token it got is the one that saves."""
import datetime as dt
import re

import pytest

from core.dossiers import memo, services
from tests.dossiers.test_section_page import form_token, open_dossier, plugin, sign_in, text  # noqa: F401

REVISION = re.compile(r'name="revision" value="(\d*)"')


@pytest.fixture
def builds(monkeypatch):
    """How many times a section form was built from a saved draft."""
    counted = {"n": 0}
    real = services.build_form

    def counting(spec, cert, data=None, formdata=None):
        if formdata is None:
            counted["n"] += 1
        return real(spec, cert, data=data, formdata=formdata)

    monkeypatch.setattr(services, "build_form", counting)
    memo.clear()
    yield counted
    memo.clear()


def save(client, url: str, letter: str):
    page = text(client.get(url))
    response = client.post(url, data={"action": "draft", "lettre": letter, "csrf_token": form_token(page, url),
                                      "revision": REVISION.search(page).group(1)})
    assert response.status_code == 302, text(response)


def test_a_section_read_twice_is_built_once_and_a_save_shows_the_new_text(app, client, plugin, create_user,
                                                                          builds):
    sign_in(client, create_user("candidate"))
    url = f"/dossiers/{open_dossier(client)}/sections/lettre_motivation"
    save(client, url, "Première version de ma lettre.")
    before = builds["n"]
    first, second = text(client.get(url)), text(client.get(url))
    assert "Première version de ma lettre." in first and "Première version de ma lettre." in second
    assert builds["n"] == before + 1  # the second reading reused the first one's form
    save(client, url, "Seconde version, après relecture.")
    page = text(client.get(url))
    assert "Seconde version, après relecture." in page and "Première version" not in page
    assert 'value="2"' in page  # the revision of the saved draft, for the next save


def test_two_browsers_of_one_candidate_each_get_and_use_their_own_token(app, plugin, create_user, builds):
    user = create_user("candidate")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user)
    url = f"/dossiers/{open_dossier(laptop)}/sections/lettre_motivation"
    save(laptop, url, "Écrite sur l'ordinateur.")
    on_laptop, on_phone = text(laptop.get(url)), text(phone.get(url))
    assert "Écrite sur l'ordinateur." in on_phone
    assert form_token(on_laptop, url) != form_token(on_phone, url)
    assert len(re.findall(r'name="csrf_token"', on_phone.split('class="section-form"', 1)[1].split("</form>")[0])) == 1
    # the phone's page (kept from the laptop's reading) saves with the phone's own token
    response = phone.post(url, data={"action": "draft", "lettre": "Reprise sur le téléphone.",
                                     "csrf_token": form_token(on_phone, url),
                                     "revision": REVISION.search(on_phone).group(1)})
    assert response.status_code == 302, text(response)
    # a token of another session is refused: nothing saved, and the page comes back with what was typed
    # (not the kept rendering of the saved draft)
    stale = laptop.post(url, headers={"Referer": f"http://localhost{url}"},
                        data={"action": "draft", "lettre": "Jeton d'une autre session.",
                              "csrf_token": form_token(on_phone, url), "revision": "2"})
    assert stale.status_code == 400
    assert "Jeton d'une autre session." in text(stale) and "Ce que vous aviez saisi a été conservé" in text(stale)
    again = text(laptop.get(url))
    assert "Reprise sur le téléphone." in again and "Jeton d'une autre session." not in again


def test_another_language_or_another_day_builds_the_form_again(app, client, plugin, create_user, builds,
                                                               monkeypatch):
    sign_in(client, create_user("candidate"))
    url = f"/dossiers/{open_dossier(client)}/sections/lettre_motivation"
    save(client, url, "Une lettre.")
    text(client.get(url))
    before = builds["n"]
    page = text(client.get("/espace/"))
    response = client.post("/langue", data={"lang": "en", "next": url,
                                            "csrf_token": form_token(page, "/langue")})
    assert response.status_code == 302
    english = text(client.get(url))
    assert "Cover letter" in english and builds["n"] == before + 1
    import forms.validators

    monkeypatch.setattr(forms.validators, "_today", lambda: dt.date.today() + dt.timedelta(days=1))
    text(client.get(url))
    assert builds["n"] == before + 2


def test_the_cache_can_be_turned_off(app, client, plugin, create_user, builds):
    app.config["DOSSIER_RENDER_CACHE_MB"] = 0
    sign_in(client, create_user("candidate"))
    url = f"/dossiers/{open_dossier(client)}/sections/lettre_motivation"
    before = builds["n"]
    text(client.get(url)), text(client.get(url))
    assert builds["n"] == before + 2
