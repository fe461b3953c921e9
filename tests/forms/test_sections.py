import copy

import pytest
from werkzeug.datastructures import MultiDict

from forms import sections
from forms.sections import (DeclarationHonneurSection, EngagementSection, EtatCivilSection, FicheActiviteSection,
                            FinancementSection, LettreMotivationSection, SituationSection)

CSRF_REFUSED = "Le formulaire a expiré ou n'est pas valide : rechargez la page puis recommencez."


def build(section_class, data, cert=None):
    return section_class.from_data(copy.deepcopy(data), certification=cert)


@pytest.mark.parametrize("section_class", sections.SECTIONS, ids=lambda s: s.key)
def test_complete_samples_are_valid_and_round_trip(ctx, cert, section_class, samples):
    form = build(section_class, samples[section_class.key], cert)
    assert form.validate(), form.errors
    data = form.to_data()
    expected = dict(samples[section_class.key])
    if section_class is EtatCivilSection:
        assert data.pop("age") >= 33
    assert data == expected
    assert section_class.key and str(section_class.title)


def test_sections_registry():
    assert sections.get("fiches_activite") is FicheActiviteSection
    with pytest.raises(KeyError):
        sections.get("inconnue")


# --- État civil ----------------------------------------------------------------------------------

def test_etat_civil_computes_the_age_and_refuses_a_child(ctx, samples):
    data = dict(samples["etat_civil"], date_naissance="2020-01-01")
    form = build(EtatCivilSection, data)
    assert not form.validate()
    assert form.errors["date_naissance"] == ["Vous devez avoir au moins 16 ans."]
    assert form.age.data in (5, 6, 7)
    assert "readonly" in form.age()


def test_etat_civil_needs_one_phone_number(ctx, samples):
    form = build(EtatCivilSection, dict(samples["etat_civil"], telephone_portable=""))
    assert not form.validate()
    assert form.errors == {"telephone_portable": [
        "Indiquez au moins un numéro de téléphone (domicile ou portable)."]}
    assert build(EtatCivilSection, dict(samples["etat_civil"], telephone_portable="",
                                         telephone_domicile="04 78 12 34 56")).validate()


def test_etat_civil_checks_email_and_postal_code(ctx, samples):
    form = build(EtatCivilSection, dict(samples["etat_civil"], email="claire@", code_postal="6900"))
    assert not form.validate()
    assert form.errors["email"] == ["Saisissez une adresse électronique valide, par exemple nom@exemple.fr."]
    assert form.errors["code_postal"] == ["Le code postal doit comporter 5 chiffres (par exemple 75011)."]


# --- Situation -----------------------------------------------------------------------------------

def test_en_poste_requires_the_contract(ctx, samples):
    data = dict(samples["situation"], contrat=None)
    form = build(SituationSection, data)
    assert not form.validate()
    assert form.errors == {"contrat": ["Ce champ est obligatoire."]}


def test_sans_emploi_does_not_require_the_job_fields(ctx):
    form = build(SituationSection, {"situation": "sans_emploi", "inscrit_france_travail": "oui"})
    assert form.validate(), form.errors
    form = build(SituationSection, {"situation": "sans_emploi"})
    assert not form.validate()
    assert form.errors == {"inscrit_france_travail": ["Ce champ est obligatoire."]}


def test_part_time_requires_a_percentage(ctx, samples):
    form = build(SituationSection, dict(samples["situation"], quotite=None))
    assert form.errors == {} and not form.validate()
    assert form.errors == {"quotite": ["Précisez le pourcentage de votre temps partiel."]}
    form = build(SituationSection, dict(samples["situation"], quotite=120))
    assert not form.validate() and form.errors == {"quotite": ["Indiquez un pourcentage entre 1 et 99."]}
    assert build(SituationSection, dict(samples["situation"], temps_travail="temps_plein", quotite=None)).validate()


def test_other_category_must_be_specified(ctx, samples):
    form = build(SituationSection, dict(samples["situation"], categorie="autre"))
    assert not form.validate()
    assert form.errors == {"categorie_autre": ["Précisez votre catégorie socio-professionnelle."]}


# --- Financement ---------------------------------------------------------------------------------

def test_employer_financing_requires_the_employer_fields(ctx):
    form = build(FinancementSection, {"mode": "plan_competences"})
    assert not form.validate()
    assert set(form.errors) == {"entreprise_adresse", "entreprise_siret", "signataire_nom", "signataire_fonction"}


def test_employer_siret_is_checked_with_its_key(ctx, samples):
    form = build(FinancementSection, dict(samples["financement"], entreprise_siret="732 829 320 00075"))
    assert not form.validate()
    assert form.errors == {"entreprise_siret": [
        "Le numéro SIRET n'est pas valide : la clé de contrôle ne correspond pas."]}


def test_france_travail_financing_requires_the_agency_fields(ctx):
    form = build(FinancementSection, {"mode": "france_travail"})
    assert not form.validate()
    assert form.errors == {
        "agence_adresse": ["Ce champ est obligatoire."],
        "conseiller_nom": ["Ce champ est obligatoire."],
        "conseiller_telephone": ["Indiquez le téléphone de votre conseiller."],
        "conseiller_email": ["Indiquez l'adresse électronique de votre conseiller."],
    }
    # Annexe 5 « Coordonnées téléphoniques et mail du conseiller »: the e-mail alone is not enough
    agency = {"mode": "france_travail", "agence_adresse": "3 rue X, Lyon", "conseiller_nom": "M. Petit"}
    form = build(FinancementSection, dict(agency, conseiller_email="petit@example.org"))
    assert not form.validate()
    assert form.errors == {"conseiller_telephone": ["Indiquez le téléphone de votre conseiller."]}
    form = build(FinancementSection, dict(agency, conseiller_telephone="04 72 00 00 00",
                                          conseiller_email="petit@example.org"))
    assert form.validate(), form.errors


@pytest.mark.parametrize("mode, missing", [("individuel", set()), ("opco", {"opco_precision"}),
                                           ("autre", {"autre_precision"})])
def test_other_financing_modes(ctx, mode, missing):
    form = build(FinancementSection, {"mode": mode})
    assert form.validate() is (not missing)
    assert set(form.errors) == missing


# --- Engagement and déclaration ------------------------------------------------------------------

def test_engagement_requires_all_four_sworn_statements(ctx, cert, samples):
    for box in ("exactitude", "demande_unique", "trois_demandes_max", "informations_lues"):
        form = build(EngagementSection, dict(samples["engagement"], **{box: False}), cert)
        assert not form.validate()
        assert form.errors == {box: ["Vous devez cocher cette case pour continuer."]}


def test_engagement_wording_names_the_certifier(ctx, cert):
    form = EngagementSection(formdata=None, certification=cert)
    assert form.demande_unique.label.text == (
        "déclare n'avoir déposé, au cours de la même année civile et pour ce diplôme, qu'une seule demande et "
        "n'avoir saisi que Organisme certificateur de test,")
    assert form.exactitude.label.text == (
        "certifie sur l'honneur l'exactitude des renseignements fournis dans ce dossier,")
    assert any("123,45\u00a0€" in text for _, text in form.general_information())


def test_engagement_date_cannot_be_in_the_future(ctx, samples):
    form = build(EngagementSection, dict(samples["engagement"], fait_le="2999-01-01"))
    assert not form.validate()
    assert form.errors == {"fait_le": ["La date ne peut pas être dans le futur."]}


def test_declaration_requires_both_boxes(ctx, samples):
    form = build(DeclarationHonneurSection, dict(samples["declaration_honneur"], connaissance_fraudes=False,
                                                 exactitude=False))
    assert not form.validate()
    assert form.errors == {"connaissance_fraudes": ["Vous devez cocher cette case pour continuer."],
                           "exactitude": ["Vous devez cocher cette case pour continuer."]}
    assert DeclarationHonneurSection.connaissance_fraudes.args[0] == (
        "avoir pris connaissance des informations relatives aux fraudes en VAE ;")


def test_lettre_is_limited_in_words(ctx):
    form = build(LettreMotivationSection, {"lettre": "mot " * 2001})
    assert not form.validate()
    assert form.errors == {"lettre": ["Le texte ne doit pas dépasser 2000 mots (actuellement 2001)."]}
    assert "Précisez les raisons" in str(form.lettre.description)


# --- Fiches --------------------------------------------------------------------------------------

def test_two_activity_sheets_round_trip(ctx, cert, samples):
    form = build(FicheActiviteSection, samples["fiches_activite"], cert)
    assert len(form.activites) == 2
    data = form.to_data()
    assert data == samples["fiches_activite"]
    again = FicheActiviteSection.from_data(data, certification=cert)
    assert again.to_data() == data
    assert again.validate(), again.errors


def test_activity_sheet_refuses_competencies_outside_the_block(ctx, cert, samples):
    sheet = dict(samples["fiches_activite"]["activites"][0], competences=["C1", "C4"])
    form = build(FicheActiviteSection, {"activites": [sheet]}, cert)
    assert not form.validate()
    assert form.errors_by_path() == {"activites.0.competences": [
        "Ces compétences n'appartiennent pas au bloc de compétences choisi (BC01) : C4."]}


def test_activity_sheet_evidence_numbers(ctx, cert, samples):
    sheet = dict(samples["fiches_activite"]["activites"][0], preuves="annexe un")
    form = build(FicheActiviteSection, {"activites": [sheet]}, cert)
    assert not form.validate()
    assert form.errors_by_path() == {"activites.0.preuves": [
        "Indiquez les numéros d'annexes séparés par des virgules, par exemple : 1, 3, 4."]}


# --- Drafts --------------------------------------------------------------------------------------

def test_draft_validation_is_lenient_but_reports_typing_errors(posted):
    form = SituationSection(formdata=posted({"situation": "en_poste", "quotite": "quatre-vingts"}))
    assert not form.validate_draft()
    assert form.errors == {"quotite": ["Saisissez un nombre entier."]}  # nothing about missing fields
    assert form.to_data()["quotite"] == "quatre-vingts"  # kept as typed
    assert form.validate(partial=True) is False
    assert not form.validate()
    assert "contrat" in form.errors


def test_draft_of_an_empty_section_is_accepted(posted, cert):
    for section_class in sections.SECTIONS:
        form = section_class(formdata=posted(), certification=cert)
        assert form.validate_draft(), (section_class.key, form.errors)
        assert not form.validate()


def test_draft_keeps_bad_siret_and_reports_it(posted):
    form = FinancementSection(formdata=posted({"mode": "plan_competences", "entreprise_siret": "123"}))
    assert not form.validate_draft()
    assert form.errors == {"entreprise_siret": ["Le numéro SIRET doit comporter 14 chiffres."]}
    saved = form.to_data()
    assert saved["entreprise_siret"] == "123"
    restored = FinancementSection.from_data(saved)
    assert restored.entreprise_siret.data == "123"
    assert 'value="123"' in restored.entreprise_siret()


def test_draft_of_nested_sheets_skips_requirements(posted, cert):
    form = FicheActiviteSection(formdata=posted({"activites-0-intitule": "Veille",
                                                 "activites-1-competences": "C99"}), certification=cert)
    assert not form.validate_draft()
    assert form.errors_by_path() == {"activites.1.competences": [
        "Compétence inconnue pour cette certification : C99."]}
    assert [s["intitule"] for s in form.to_data()["activites"]] == ["Veille", ""]


def test_add_button_in_a_section_is_a_pending_action(posted, cert):
    form = FicheActiviteSection(formdata=posted({"activites-0-intitule": "Veille", "activites-add": "1"}),
                                certification=cert)
    assert form.pending_action == ("activites", "add", 1)
    assert len(form.to_data()["activites"]) == 2
    assert form.activites[1].form.competences.known_codes() == ["C1", "C2", "C3", "C4"]


def test_page_submission_draft_checks_csrf_and_reads_the_request(forms_app):
    with forms_app.test_request_context("/", method="POST", data={"situation": "en_poste", "fonction": "Dev"}):
        form = SituationSection()
        assert form.fonction.data == "Dev"
        assert not form.validate_draft()
        assert list(form.errors) == ["csrf_token"]
        assert form.errors["csrf_token"] == [CSRF_REFUSED]
        assert form.to_data()["fonction"] == "Dev"
        assert "csrf_token" not in form.to_data()


def test_a_section_posted_without_its_token_is_refused(posted, forms_app):
    from itsdangerous import URLSafeTimedSerializer

    data = {"situation": "sans_emploi", "inscrit_france_travail": "oui"}
    assert SituationSection(formdata=posted(data)).validate()  # the same data with the session's token
    # a token signed with the right key, for another session's secret (what another visitor's page carries)
    foreign = URLSafeTimedSerializer(forms_app.secret_key, salt="wtf-csrf-token").dumps("a" * 40)
    for formdata in (MultiDict(data), MultiDict(dict(data, csrf_token="")),
                     MultiDict(dict(data, csrf_token="forged")), MultiDict(dict(data, csrf_token=foreign))):
        form = SituationSection(formdata=formdata)
        assert not form.validate(), formdata
        assert form.errors == {"csrf_token": [CSRF_REFUSED]}
        assert not form.validate_draft()  # a draft save is refused as well
        assert form.errors == {"csrf_token": [CSRF_REFUSED]}
