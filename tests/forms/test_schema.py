import copy

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.datastructures import MultiDict

from forms import sections
from forms.sections import FicheActiviteSection, FinancementSection, SituationSection


def errors_of(schema, instance):
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return sorted(e.message for e in validator.iter_errors(instance))


@pytest.mark.parametrize("section_class", sections.SECTIONS, ids=lambda s: s.key)
def test_every_section_publishes_a_valid_json_schema(ctx, cert, samples, section_class):
    schema = section_class.json_schema(certification=cert)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == str(section_class.title)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    # A complete sample, and what the section itself saves, match the schema.
    assert errors_of(schema, samples[section_class.key]) == []
    form = section_class.from_data(samples[section_class.key], certification=cert)
    assert errors_of(schema, form.to_data()) == []
    # The draft schema accepts an empty draft.
    draft = section_class.json_schema(certification=cert, partial=True)
    Draft202012Validator.check_schema(draft)
    empty = section_class(formdata=MultiDict(), certification=cert, meta={"csrf": False}).to_data()
    assert errors_of(draft, empty) == []
    assert errors_of(schema, {"champ_inconnu": 1}) != []


def test_schema_carries_french_labels_enums_formats_and_lengths(ctx, cert):
    schema = SituationSection.json_schema()
    contrat = schema["properties"]["contrat"]
    assert contrat["title"] == "Nature de votre contrat de travail"
    assert {"const": "cdi", "title": "CDI"} in contrat["oneOf"]
    assert contrat["enum"][:3] == ["interim", "cdd", "cdi"]
    assert schema["properties"]["fonction"]["maxLength"] == 200
    assert schema["required"] == ["situation"]
    assert schema["properties"]["quotite"]["minimum"] == 1
    fin = FinancementSection.json_schema()
    assert fin["properties"]["conseiller_email"]["anyOf"] == [{"format": "email"}, {"maxLength": 0}]
    assert sections.EtatCivilSection.json_schema()["properties"]["email"]["format"] == "email"
    assert fin["properties"]["entreprise_siret"]["pattern"] == "^([0-9]{14})?$"
    act = FicheActiviteSection.json_schema(certification=cert)
    sheet = act["properties"]["activites"]["items"]
    assert sheet["properties"]["competences"]["items"]["enum"] == ["C1", "C2", "C3", "C4"]
    assert {"const": "BC02", "title": "BC02 – Réaliser la solution"} in sheet["properties"]["bloc"]["oneOf"]
    assert act["properties"]["activites"]["minItems"] == 1


def test_schema_expresses_conditional_requirements(ctx, samples):
    schema = SituationSection.json_schema()
    employed = dict(samples["situation"], contrat=None)
    assert errors_of(schema, employed) != []
    assert errors_of(schema, {"situation": "sans_emploi", "inscrit_france_travail": "non"}) == []
    assert errors_of(schema, {"situation": "sans_emploi"}) != []
    fin = FinancementSection.json_schema()
    assert errors_of(fin, {"mode": "individuel"}) == []
    assert errors_of(fin, {"mode": "plan_competences"}) != []
    assert errors_of(fin, {"mode": "france_travail", "agence_adresse": "a", "conseiller_nom": "b"}) != []
    assert errors_of(fin, {"mode": "france_travail", "agence_adresse": "a", "conseiller_nom": "b",
                           "conseiller_telephone": "+33612345678"}) != []  # the e-mail too (Annexe 5)
    assert errors_of(fin, {"mode": "france_travail", "agence_adresse": "a", "conseiller_nom": "b",
                           "conseiller_telephone": "+33612345678", "conseiller_email": "c@example.org"}) == []
    assert errors_of(fin, {"mode": "individuel", "conseiller_email": "pas-une-adresse"}) != []


def test_schema_types(ctx, cert, samples):
    schema = FicheActiviteSection.json_schema(certification=cert)
    bad = copy.deepcopy(samples["fiches_activite"])
    bad["activites"][0]["competences"] = ["C99"]
    assert errors_of(schema, bad) != []
    engagement = sections.EngagementSection.json_schema(certification=cert)
    assert engagement["properties"]["exactitude"] == {
        "type": "boolean", "const": True,
        "title": "certifie sur l'honneur l'exactitude des renseignements fournis dans ce dossier,"}
    assert engagement["properties"]["fait_le"]["format"] == "date"
    assert errors_of(engagement, dict(samples["engagement"], fait_le="14/07/2024")) != []
    etat = sections.EtatCivilSection.json_schema()
    assert etat["properties"]["age"]["readOnly"] is True
