"""The page shell in Chromium (Debian's, never a downloaded one): focus on the error summary, the menu
button of narrow screens, secondary buttons and the date fields' focus ring. Pages are rendered by the
test app: the browser's requests are answered by the Flask test client (no server)."""
from urllib.parse import parse_qsl, urlsplit

import pytest

ORIGIN = "http://livret.test"



@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def shell_browser(browser):
    """pytest-playwright's browser (Debian's Chromium, see conftest.py): one Playwright per test session."""
    return browser


def open_page(browser, client, width):
    """A browser page whose requests to ORIGIN are answered by ``client`` (cookies kept by the client)."""
    context = browser.new_context(viewport={"width": width, "height": 800})

    def answer(route):
        request = route.request
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if request.method == "POST":
            response = client.post(path, data=dict(parse_qsl(request.post_data or "", keep_blank_values=True)))
        else:
            response = client.get(path)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "set-cookie")}
        route.fulfill(status=response.status_code, headers=headers, body=response.get_data())
        response.close()

    context.route(f"{ORIGIN}/**", answer)
    return context, context.new_page()


def test_focus_goes_to_the_error_summary_after_a_failed_sign_in(shell_browser, client, create_user):
    user = create_user("candidate")
    context, page = open_page(shell_browser, client, 1280)
    try:
        page.goto(f"{ORIGIN}/connexion")
        page.fill("#email", user.email)
        page.fill("#password", "pas-le-bon-mot-de-passe")
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector("#error-summary")
        assert page.title().startswith("Erreur – ")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    finally:
        context.close()


def test_menu_button_on_narrow_screens(shell_browser, client):
    context, page = open_page(shell_browser, client, 375)
    try:
        page.goto(f"{ORIGIN}/")
        button = page.locator(".menu-button")
        nav = page.locator("#site-menu nav")
        assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
        assert not nav.is_visible() and not page.locator(".lang-form").is_visible()
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true" and nav.is_visible()
        page.keyboard.press("Tab")  # into the menu
        assert page.evaluate("document.getElementById('site-menu').contains(document.activeElement)")
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false" and not nav.is_visible()
        assert page.evaluate("document.activeElement.classList.contains('menu-button')")
        # the header fits on one line: brand and button
        assert page.locator(".site-header").bounding_box()["height"] < 80
        page.set_viewport_size({"width": 1280, "height": 800})
        assert not button.is_visible() and nav.is_visible()
    finally:
        context.close()


def test_secondary_buttons_and_date_focus_ring(shell_browser, client):
    context, page = open_page(shell_browser, client, 1280)
    try:
        page.goto(f"{ORIGIN}/")
        page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
            '<form><button type="submit" class="button" id="primary">Valider</button>'
            + '<button type="submit" class="button secondary" id="secondary">Brouillon</button>'
            + '<div class="field"><label for="d">Date</label><input type="date" id="d"></div></form>')""")
        style = "id => { const s = getComputedStyle(document.getElementById(id)); " \
                "return [s.backgroundColor, s.color, s.borderTopColor]; }"
        assert page.evaluate(style, "primary") == ["rgb(0, 0, 145)", "rgb(255, 255, 255)", "rgb(0, 0, 145)"]
        assert page.evaluate(style, "secondary") == ["rgb(255, 255, 255)", "rgb(0, 0, 145)", "rgb(0, 0, 145)"]
        page.hover("#secondary")
        assert page.evaluate(style, "secondary")[1:] == ["rgb(0, 0, 145)", "rgb(0, 0, 145)"]
        assert page.evaluate(style, "secondary")[0] != "rgb(0, 0, 145)"
        lang = page.evaluate("getComputedStyle(document.querySelector('.lang-form button')).backgroundColor")
        assert lang == "rgb(255, 255, 255)"  # the language button is discreet
        page.focus("#secondary")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "d"
        ring = page.evaluate("(() => { const s = getComputedStyle(document.getElementById('d')); "
                             "return [s.outlineStyle, s.outlineWidth]; })()")
        assert ring == ["solid", "3px"]
    finally:
        context.close()
