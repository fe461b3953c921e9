"""Section 3 of the Livret 2: financement envisagé (with the employer and France Travail fields)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField

from forms.base import Section
from forms.fields import ChoiceField, PhoneField, SiretField, choices
from forms.sections.common import long_text, text
from forms.validators import EmailAddress, MaxChars, Required, RequiredIf

MODES = (
    ("individuel", _l("Individuel")),
    ("france_travail", _l("France Travail (ex-Pôle emploi)")),
    ("plan_competences", _l("Plan de développement des compétences de l'employeur (plan de montée en "
                            "compétences)")),
    ("opco", _l("OPCO ou Association de transition professionnelle")),
    ("autre", _l("Autre")),
)
EMPLOYEUR = {"mode": "plan_competences"}
FRANCE_TRAVAIL = {"mode": "france_travail"}


class FinancementSection(Section):
    key = "financement"
    title = _l("Financement envisagé")

    mode = ChoiceField(_l("Mode de financement envisagé"), [Required()], choices=choices(*MODES))
    opco_precision = text(_l("OPCO ou association : précisez"), RequiredIf(
        "mode", "opco", message=_l("Précisez l'OPCO ou l'association de transition professionnelle.")))
    autre_precision = text(_l("Autre financement : précisez"), RequiredIf(
        "mode", "autre", message=_l("Précisez le mode de financement.")))
    # -- plan de développement des compétences de l'employeur
    entreprise_adresse = long_text(_l("Adresse postale de l'entreprise"), RequiredIf(EMPLOYEUR), max_chars=500,
                                   rows=3)
    entreprise_siret = SiretField(_l("Numéro de SIRET de l'entreprise"), [RequiredIf(EMPLOYEUR)],
                                  description=_l("14 chiffres, par exemple 732 829 320 00074."))
    signataire_nom = text(_l("Nom du signataire de la convention"), RequiredIf(EMPLOYEUR))
    signataire_fonction = text(_l("Fonction du signataire de la convention"), RequiredIf(EMPLOYEUR))
    # -- France Travail (ex-Pôle emploi)
    agence_adresse = long_text(_l("Adresse de l'agence"), RequiredIf(FRANCE_TRAVAIL), max_chars=500, rows=3)
    conseiller_nom = text(_l("Nom du conseiller"), RequiredIf(FRANCE_TRAVAIL))
    # Annexe 5 « Coordonnées téléphoniques et mail du conseiller »: both are asked
    conseiller_telephone = PhoneField(_l("Téléphone du conseiller"), [RequiredIf(
        FRANCE_TRAVAIL, message=_l("Indiquez le téléphone de votre conseiller."))])
    conseiller_email = EmailField(_l("Adresse électronique du conseiller"), [
        RequiredIf(FRANCE_TRAVAIL, message=_l("Indiquez l'adresse électronique de votre conseiller.")),
        EmailAddress(),
        MaxChars(254)])
