"""Third-party payer: the e-mail with a signed link (no account needed) and the purchase order it gives."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.services import get_certification
from core.errors import NotFound, UserError
from core.extensions import db
from core.fees.base import _TOKEN_SALT, _state_conflict
from core.fees.models import FeeRequest, FeeState, PayerKind
from core.fees.providers import format_cents


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def payer_token(fee: FeeRequest) -> str:
    return _serializer().dumps({"f": fee.id, "e": fee.payer_email})


def fee_from_token(token: str) -> FeeRequest:
    """The request a payer's link names; 404 for a wrong, expired or superseded link."""
    max_age = int(current_app.config["FEES_PAYER_LINK_DAYS"]) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise NotFound(_("Ce lien a expiré. Demandez au candidat ou à la candidate de vous en renvoyer un."),
                       code="link_expired")
    except BadSignature:
        raise NotFound(code="not_found")
    fee = db.session.get(FeeRequest, data.get("f")) if isinstance(data, dict) else None
    if fee is None or fee.payer_email != data.get("e") or fee.state is FeeState.CANCELLED:
        raise NotFound(code="not_found")
    return fee


def send_payer_request(fee: FeeRequest, *, email: str, name: str, actor: User) -> None:
    """The candidate names the third-party payer; it receives the request by e-mail (no account needed)."""
    from core.mail import send_mail
    from core.utils import absolute_url

    if fee.dossier.candidate_id != actor.id:
        raise NotFound(code="dossier_not_found")
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("envoyer la demande de paiement"))
    if fee.payer_kind is not PayerKind.THIRD_PARTY:
        raise UserError(_("Votre financement est individuel : c'est vous qui réglez les frais."),
                        code="payer_is_candidate")
    fee.payer_email = email.strip().lower()
    fee.payer_name = name.strip() or None
    fee.payer_notified_at = utcnow()
    db.session.flush()
    record("fee.payer_notified", "dossier", fee.dossier_id, actor_id=actor.id,
           payload={"fee_id": fee.id, "payer_email": fee.payer_email})
    cert = get_certification(fee.dossier.certification_code)
    link = absolute_url("fees.payer", token=payer_token(fee))
    text = _(
        "Bonjour,\n\n%(candidate)s vous désigne comme financeur des frais de sa démarche de validation des "
        "acquis de l'expérience pour la certification %(code)s – %(title)s.\n\n"
        "Montant : %(amount)s (%(label)s). %(refund)s\n"
        "Référence à rappeler dans le virement : %(reference)s\n\n"
        "Consultez la demande, indiquez votre numéro de bon de commande et obtenez les coordonnées bancaires "
        "sur cette page (aucun compte n'est nécessaire ; le lien est valable %(days)d jours) :\n%(link)s\n\n"
        "Si vous n'êtes pas concerné, ignorez ce message.",
        candidate=fee.dossier.candidate.full_name, code=cert.code, title=cert.title,
        amount=format_cents(fee.amount_cents), label=fee.label,
        refund=_("Ces frais ne sont pas remboursables.") if not fee.refundable else "",
        reference=fee.transfer_reference, days=int(current_app.config["FEES_PAYER_LINK_DAYS"]), link=link)
    send_mail(fee.payer_email, _("Demande de paiement des frais de VAE – dossier %(ref)s", ref=fee.dossier.reference),
              text)


def record_purchase_order(fee: FeeRequest, *, purchase_order: str, siret: str, name: str, address: str) -> None:
    """The third-party payer (through its signed link) gives its purchase order and identity for the invoice."""
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("enregistrer le bon de commande"))
    fee.purchase_order = purchase_order.strip()
    fee.payer_siret = siret
    fee.payer_name = name.strip()
    fee.payer_address = address.strip()
    fee.provider = "third_party_invoice"
    db.session.flush()
    record("fee.purchase_order", "dossier", fee.dossier_id, actor_id=None,
           payload={"fee_id": fee.id, "purchase_order": fee.purchase_order, "siret": siret})
