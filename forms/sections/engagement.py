"""The "ENGAGEMENT (VAE)" of the Livret 2: four sworn statements, place and date."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from forms.base import Section
from forms.fields import FrenchDateField
from forms.sections.common import text
from forms.validators import MustBeChecked, NotInFuture, Required, format_money

DEFAULT_CERTIFIER = _l("l'organisme certificateur")


class EngagementSection(Section):
    """The wording is the seed's; the certifier's name comes from ``section.certification``."""

    key = "engagement"
    title = _l("Engagement")
    description = _l("Je, soussigné(e) (nom et prénom du candidat)")

    nom_prenom = text(_l("Nom et prénom du candidat"), Required(), render_kw={"autocomplete": "name"})
    exactitude = BooleanField(
        _l("certifie sur l'honneur l'exactitude des renseignements fournis dans ce dossier,"), [MustBeChecked()])
    demande_unique = BooleanField(
        _l("déclare n'avoir déposé, au cours de la même année civile et pour ce diplôme, qu'une seule demande et "
           "n'avoir saisi que %(certificateur)s,"), [MustBeChecked()])
    trois_demandes_max = BooleanField(
        _l("déclare n'avoir pas déposé plus de trois demandes de validation au cours de la même année civile pour "
           "des diplômes différents"), [MustBeChecked()])
    informations_lues = BooleanField(
        _l("déclare avoir lu et approuvé les informations générales données ci-dessous, concernant les fausses "
           "déclarations, le traitement informatique des données apportées par dans ce dossier, les frais "
           "administratifs de recevabilité et l'article 433-5 du Code pénal."), [MustBeChecked()])
    fait_a = text(_l("Fait à"), Required(), render_kw={"autocomplete": "address-level2"})
    fait_le = FrenchDateField(_l("Le"), [Required(), NotInFuture()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        certifier = self.certification.certifier if self.certification is not None else str(DEFAULT_CERTIFIER)
        self.demande_unique.label.text = gettext(
            "déclare n'avoir déposé, au cours de la même année civile et pour ce diplôme, qu'une seule demande et "
            "n'avoir saisi que %(certificateur)s,", certificateur=certifier)

    def data_rights_contact(self) -> str:
        """Who answers the rights of access and rectification: the plugin's ``extra["data_rights_contact"]``
        in the seed's words (RNCP37827: « la direction Qualité et RSE de SIMPLON »), else the certifier."""
        cert = self.certification
        if cert is None:
            return str(DEFAULT_CERTIFIER)
        return str(cert.extra.get("data_rights_contact") or cert.certifier)

    def general_information(self) -> list[tuple[str, str]]:
        """The "Informations générales (VAE)" shown under the statements: (title, text) pairs."""
        cert = self.certification
        fee = cert.fee if cert is not None else None
        items = [
            ("", gettext("La loi punit quiconque se rend coupable de fausses déclarations (Code pénal, art. 441-1, "
                         "441-6).")),
            (gettext("Traitement informatique des données apportées dans ce dossier"),
             gettext("Conforme loi « Informatique et Libertés », droit d'accès et rectification auprès de "
                     "%(certificateur)s.", certificateur=self.data_rights_contact())),
        ]
        if fee is not None:
            text_ = gettext("%(montant)s couvrent les frais administratifs d'étude du dossier de recevabilité.",
                            montant=format_money(fee.amount_cents, symbol=True))
            if not fee.refundable:
                text_ += " " + gettext("Non remboursables.")
            items.append((gettext("Frais administratifs de recevabilité"), text_))
        items.append((gettext("Article 433-5 du Code pénal"),
                      gettext("Outrage à personne chargée d'une mission de service public.")))
        return items
