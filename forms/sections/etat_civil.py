"""Section 1 of the Livret 2: état civil."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField

from forms.base import Section
from forms.fields import ChoiceField, ComputedField, FrenchDateField, PhoneField, choices
from forms.sections.common import long_text, text
from forms.validators import (AtLeastOneOf, EmailAddress, MaxChars, MinAge, NotInFuture, PostalCode, Required,
                              compute_age)

CIVILITES = (("madame", _l("Madame")), ("monsieur", _l("Monsieur")))


def _age(form):
    return compute_age(form.date_naissance.data) if "date_naissance" in form else None


class EtatCivilSection(Section):
    key = "etat_civil"
    title = _l("État civil")
    min_age = 16

    civilite = ChoiceField(_l("Civilité"), [Required()], choices=choices(*CIVILITES))
    nom_famille = text(_l("Nom de famille"), Required(), render_kw={"autocomplete": "family-name"})
    prenoms = text(_l("Prénom(s)"), Required(), render_kw={"autocomplete": "given-name"},
                   description=_l("Tous vos prénoms, dans l'ordre de l'état civil."))
    nom_usage = text(_l("Nom d'usage"), render_kw={"autocomplete": "family-name"},
                     description=_l("Si vous en avez un (par exemple le nom de votre époux ou épouse)."))
    date_naissance = FrenchDateField(_l("Date de naissance"), [Required(), NotInFuture(), MinAge(min_age)],
                                     render_kw={"autocomplete": "bday"})
    age = ComputedField(_l("Âge"), compute=_age, description=_l("Calculé à partir de la date de naissance."))
    lieu_naissance = text(_l("Lieu de naissance"), Required(),
                          description=_l("Commune et département, ou commune et pays si vous êtes né(e) à "
                                         "l'étranger."))
    nationalite = text(_l("Nationalité"), Required())
    adresse = long_text(_l("Adresse postale personnelle"), Required(), max_chars=500, rows=3,
                        render_kw={"autocomplete": "street-address"},
                        description=_l("Numéro, voie et complément d'adresse."))
    code_postal = text(_l("Code postal"), Required(), PostalCode(country_field="pays"), max_chars=10,
                       render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    commune = text(_l("Commune"), Required(), render_kw={"autocomplete": "address-level2"})
    pays = text(_l("Pays"), Required(), default="France", render_kw={"autocomplete": "country-name"})
    email = EmailField(_l("Adresse électronique"), [
        Required(), EmailAddress(),
        MaxChars(254)], render_kw={"autocomplete": "email"})
    telephone_portable = PhoneField(_l("Téléphone portable"), [AtLeastOneOf(
        "telephone_domicile", message=_l("Indiquez au moins un numéro de téléphone (domicile ou portable)."))],
        description=_l("Par exemple 06 12 34 56 78."))
    telephone_domicile = PhoneField(_l("Téléphone domicile"), description=_l("Par exemple 01 23 45 67 89."))
