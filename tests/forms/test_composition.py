"""The example of docs/forms.md: a plugin author composes a section from the blocks."""
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator

from forms.base import EntryForm, Section
from forms.fields import CompetencyPickerField, FrenchDateField, RepeatableField
from forms.sections.common import long_text, text
from forms.validators import NotInFuture, Required


class CasPratique(EntryForm):
    numero = text(_l("Numéro du cas"), Required())
    reponse = long_text(_l("Votre réponse"), Required(), max_chars=20_000)
    competences = CompetencyPickerField(_l("Compétences mobilisées"), [Required()])
    preuves = text(_l("Éléments de preuve"))


class EcritSection(Section):
    key = "ecrit"
    title = _l("Épreuve écrite : cas pratiques")
    cas = RepeatableField(CasPratique, _l("Cas pratiques"), min_entries=6, max_entries=6,
                          entry_label=_l("Cas pratique"))
    rendu_le = FrenchDateField(_l("Date de rendu"), [Required(), NotInFuture()])


def test_a_plugin_section_built_from_the_blocks(posted, cert):
    form = EcritSection(formdata=posted({"cas-0-numero": "1", "cas-0-competences": "C3"}), certification=cert)
    assert len(form.cas) == 6 and not form.cas.can_add() and not form.cas.can_remove()
    assert form.validate_draft()
    assert not form.validate()
    assert form.errors_by_path()["cas.0.reponse"] == ["Ce champ est obligatoire."]
    assert form.errors_by_path()["cas.5.competences"] == ["Ce champ est obligatoire."]
    markup = form.render()  # no template of its own: the generic one
    assert "<legend>Cas pratique 6</legend>" in markup and 'for="cas-0-reponse"' in markup
    assert "Ajouter une fiche" not in markup
    schema = EcritSection.json_schema(certification=cert)
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["cas"]["minItems"] == 6 and schema["properties"]["cas"]["maxItems"] == 6
    restored = EcritSection.from_data(form.to_data(), certification=cert)
    assert restored.to_data() == form.to_data()
