"""forms.html.html_params writes exactly what WTForms' html_params writes (names, escaping, booleans, order)."""
from markupsafe import Markup
from wtforms.widgets import core

from forms.html import _original, html_params, install

CASES = [
    {},
    {"name": "nom", "id": "nom", "type": "text", "value": ""},
    {"value": 'a "quoted" <b>value</b> & more', "class_": "x y", "for_": "f"},
    {"checked": True, "disabled": False, "required": True, "name": "r"},
    {"data_show_when": "a=1|2", "aria_describedby": "f-hint f-error", "aria_invalid": "true", "data_x_y": 3},
    {"value": Markup('<i>déjà "sûr"</i>'), "title": Markup("a &amp; b")},
    {"value": 12, "min": 0, "step": 0.5, "maxlength": None},
    {"label": "Expérience l'été", "placeholder": "« guillemets »", "pattern": "[0-9]{14}"},
    {"value": type("H", (), {"__html__": lambda self: '<span title="x">y</span>'})()},
    {"z": "1", "a": "2", "m_": "3"},
]


def test_same_output_as_wtforms():
    for kwargs in CASES:
        expected, got = _original(**kwargs), html_params(**kwargs)
        assert got == expected, kwargs
        assert isinstance(got, Markup)


def test_installed_on_the_widgets(app):
    install()
    assert core.html_params is html_params
    assert core.Input.html_params is html_params
    import wtforms.widgets

    assert wtforms.widgets.html_params is html_params
