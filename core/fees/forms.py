"""Fee forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from forms.fields import FrenchDateField, MoneyField, SiretField

_required = DataRequired(message=_l("Ce champ est obligatoire."))


class PayerForm(LivretForm):
    payer_email = EmailField(_l("Adresse électronique du financeur"),
                             [_required, Email(message=_l("Saisissez une adresse électronique valide.")),
                              Length(max=254)])
    payer_name = StringField(_l("Nom du financeur (entreprise, OPCO, agence…)"), [Optional(), Length(max=200)])


class PurchaseOrderForm(LivretForm):
    payer_name = StringField(_l("Raison sociale"), [_required, Length(max=200)])
    payer_siret = SiretField(_l("Numéro de SIRET"), [_required],
                             description=_l("14 chiffres, par exemple 732 829 320 00074."))
    payer_address = TextAreaField(_l("Adresse de facturation"), [_required, Length(max=500)])
    purchase_order = StringField(_l("Numéro de bon de commande"), [_required, Length(max=60)])


class PaymentForm(LivretForm):
    amount = MoneyField(_l("Montant reçu (en euros)"), [_required])
    paid_on = FrenchDateField(_l("Date de réception"), [_required])
    note = StringField(_l("Note (libellé du virement…)"), [Optional(), Length(max=300)])


class WaiveForm(LivretForm):
    reason = TextAreaField(_l("Motif de l'exonération"), [_required, Length(max=2000)])


class StatementForm(LivretForm):
    statement = FileField(_l("Relevé bancaire (CSV : date;libellé;montant)"), [_required])
