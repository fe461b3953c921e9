"""Wrong passwords typed again inside a session (core.auth.attempts): limited per account and per address,
429 with Retry-After, on the password change page here (the decision, signature and seal tests use the same
counters, see tests/review/test_review_password_limits.py)."""
from __future__ import annotations

NEW = "un-nouveau-mot-de-passe-solide"


def _change(client, current):
    return client.post("/compte/mot-de-passe", data={"current_password": current, "password": NEW,
                                                     "password_confirm": NEW})


def test_password_change_is_limited_per_account_then_per_address(app, client, create_user, login, text):
    user = create_user()
    login(user)
    for _ in range(10):
        wrong = _change(client, "pas le bon")
        assert wrong.status_code == 422 and "Le mot de passe actuel est incorrect" in text(wrong)
    blocked = _change(client, user.plain_password)  # even the right one: refused before it is checked
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    page = text(blocked)
    assert "Trop de mots de passe erronés" in page and 'id="current_password-error"' in page
    # nothing changed: the old password still signs in, on another browser
    other = app.test_client()
    login(user, test_client=other)

    # another account from the same address is refused too (the address used up the limit) ...
    colleague = create_user()
    colleague_browser = app.test_client()
    login(colleague, test_client=colleague_browser)
    assert _change(colleague_browser, "pas le bon").status_code == 429
    # ... but not from another address, where the first account stays refused (per account)
    colleague_elsewhere, user_elsewhere = _browser_at(app, "198.51.100.20"), _browser_at(app, "198.51.100.21")
    login(colleague, test_client=colleague_elsewhere)
    login(user, test_client=user_elsewhere)
    assert _change(colleague_elsewhere, "pas le bon").status_code == 422
    assert _change(user_elsewhere, user.plain_password).status_code == 429


def _browser_at(app, address):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def test_wrong_limit_setting_is_refused_at_start_up(app_config):
    import pytest

    from core import ConfigError, create_app

    with pytest.raises(ConfigError) as info:
        create_app({**app_config, "REAUTH_RATE_LIMIT": "dix par minute"})
    assert "REAUTH_RATE_LIMIT" in str(info.value)
