"""Templates compiled once per language (core.i18n_templates): ``_("literal")`` is translated when the template is
compiled, and every page reads exactly as with the runtime ``_``, in each language, whichever language compiled
the template first."""
import pytest
from flask import render_template, session
from flask_babel import force_locale, gettext, refresh
from jinja2 import ChoiceLoader, DictLoader

SOURCES = {
    "t/plain.html": '<a title="{{ _("Mon espace") }}">{{ _("Mon espace") }}</a>',
    "t/quote.html": "<p>{{ _(\"Documentation de l'API\") }} & "
                    "{{ gettext('Accessibilité : partiellement conforme') }}</p>",
    "t/percent.html": '<p>{{ _("100 %%") }}</p>',
    "t/variables.html": '<p>{{ _("Dossier %(ref)s", ref=ref) }}</p>',
    "t/argument.html": '{% macro m(label) %}<b>{{ label }}</b>{% endmacro %}{{ m(_("Mon espace")) }}'
                       '{{ m(label=_("Se déconnecter")) }}{{ (_("Mon espace") ~ "!")|upper }}',
    "t/attribute.html": '<p>{{ obj._("Mon espace") }}</p>',
    "t/plural.html": '<p>{{ ngettext("%(num)d pièce", "%(num)d pièces", 2) }}</p>',
    "t/text.txt": '{{ _("Mon espace") }} {{ _("Dossier %(ref)s", ref=ref) }}',
}


class _Obj:
    @staticmethod
    def _(text):
        return f"[{text}]"


@pytest.fixture()
def env(app):
    """The application's environment with the test templates in front of its own."""
    jinja = app.jinja_env
    original = jinja.loader
    jinja.loader = ChoiceLoader([DictLoader(SOURCES), original])
    jinja.cache.clear()
    yield jinja
    jinja.loader = original
    jinja.cache.clear()


def _runtime(env, name, **context):
    """What the runtime ``_`` gives: the same template compiled outside a language (as ``from_string`` is)."""
    code = env.compile(SOURCES[name], name, name)
    return env.template_class.from_code(env, code, env.make_globals(None)).render(**context)


def _counting(env, monkeypatch):
    calls = []
    runtime = env.globals["_"]

    def counted(*args, **kwargs):
        calls.append(args[1:])
        return runtime(*args, **kwargs)

    counted.jinja_pass_arg = runtime.jinja_pass_arg  # pass_context, as the real one
    monkeypatch.setitem(env.globals, "_", counted)
    monkeypatch.setitem(env.globals, "gettext", counted)
    return calls


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_template_reads_as_with_the_runtime_translation(app, env, language):
    context = {"ref": "<RNCP & co>", "obj": _Obj()}
    with app.test_request_context("/"):
        session["lang"] = language
        refresh()
        for name in SOURCES:
            assert env.get_template(name).render(**context) == _runtime(env, name, **context), name
        assert env.get_template("t/plain.html").render() == (
            '<a title="My area">My area</a>' if language == "en" else '<a title="Mon espace">Mon espace</a>')
        variables = env.get_template("t/variables.html").render(ref="<b>")
        assert "&lt;b&gt;" in variables  # the variables are still escaped
        assert env.get_template("t/attribute.html").render(obj=_Obj()) == "<p>[Mon espace]</p>"


def test_literals_are_not_translated_at_runtime_any_more(app, env, monkeypatch):
    calls = _counting(env, monkeypatch)
    with app.test_request_context("/"):
        assert env.get_template("t/plain.html").render() == '<a title="Mon espace">Mon espace</a>'
        assert env.get_template("t/quote.html").render().startswith("<p>Documentation de l'API &")
        assert calls == []
        env.get_template("t/variables.html").render(ref="X-1")
        assert calls == [("Dossier %(ref)s",)]  # with variables: formatted when rendered, as before


def test_one_compiled_template_per_language_whichever_comes_first(app, env):
    with app.test_request_context("/"):
        assert env.get_template("t/plain.html").render() == '<a title="Mon espace">Mon espace</a>'
        with force_locale("en"):  # a document or an e-mail in the recipient's language, within a French request
            assert env.get_template("t/plain.html").render() == '<a title="My area">My area</a>'
            # a text template (no autoescape): the literal folded, the string with a value formatted when rendered
            assert render_template("t/text.txt", ref="X") == "My area " + gettext("Dossier %(ref)s", ref="X")
        assert env.get_template("t/plain.html").render() == '<a title="Mon espace">Mon espace</a>'
    with app.test_request_context("/"):
        session["lang"] = "en"
        refresh()
        assert env.get_template("t/plain.html").render() == '<a title="My area">My area</a>'


def test_a_page_in_each_language(client):
    """The site's own templates: the header and the page, in French then in English."""
    page = client.get("/accessibilite").get_data(as_text=True)
    assert "Mon espace" not in page and "Se connecter" in page and "Aller au contenu" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/langue", data={"lang": "en", "next": "/accessibilite", "csrf_token": token})
    english = client.get("/accessibilite").get_data(as_text=True)
    assert '<html lang="en">' in english and "Skip to content" in english and "Se connecter" not in english


def test_each_language_compiles_a_template_once(app, env):
    with app.test_request_context("/"):
        french = env.get_template("t/plain.html")
        assert env.get_template("t/plain.html") is french  # kept, not compiled again for the next page
        with force_locale("en"):
            english = env.get_template("t/plain.html")
            assert english is not french and env.get_template("t/plain.html") is english
    assert env.cache.capacity >= 2000  # every template of Livret and its plugins, in each language
