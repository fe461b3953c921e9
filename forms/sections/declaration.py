"""Section 8 of the Livret 2: déclaration sur l'honneur (the two boxes, place, date, name)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from forms.base import Section
from forms.fields import FrenchDateField
from forms.sections.common import text
from forms.validators import MustBeChecked, NotInFuture, Required


class DeclarationHonneurSection(Section):
    key = "declaration_honneur"
    title = _l("Déclaration sur l'honneur")
    description = _l("Information sur les risques encourus en cas de fraude : les fausses déclarations, le plagiat, "
                     "la substitution d'identité, le faux et l'usage de faux et la corruption sont passibles de "
                     "sanctions administratives et pénales (Code pénal, articles 313-1, 313-3, 441-1, 433-19, "
                     "441-2 ; arrêté du 19 mai 1950).")

    connaissance_fraudes = BooleanField(
        _l("avoir pris connaissance des informations relatives aux fraudes en VAE ;"), [MustBeChecked()])
    exactitude = BooleanField(
        _l("attester de l'exactitude de toutes les informations figurant dans le présent livret."),
        [MustBeChecked()])
    fait_a = text(_l("Fait à"), Required(), render_kw={"autocomplete": "address-level2"})
    date = FrenchDateField(_l("Le"), [Required(), NotInFuture()])
    nom_prenom = text(_l("Nom, prénom"), Required(), render_kw={"autocomplete": "name"})
