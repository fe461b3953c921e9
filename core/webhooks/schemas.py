"""Marshmallow schemas of the webhook API (:mod:`core.webhooks.api`) and of the events' payloads.

Every event of :data:`core.webhooks.models.EVENTS` has its payload schema in
:data:`EVENT_PAYLOADS`: :func:`core.webhooks.services.emit` checks the data
against it (an error in debug and tests, a logged one in production), the
OpenAPI document publishes it (``x-webhooks``, :mod:`core.webhooks.openapi`) and
``docs/webhooks.md`` lists it (``livret webhooks doc --write``).
"""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime
from core.webhooks import models
from core.webhooks.models import EVENTS


def _d(text: str) -> dict:
    return {"description": text}


class WebhookCreateSchema(RequestSchema):
    url = fields.Str(required=True, validate=validate.Length(min=1, max=2000), metadata=_d(
        "Adresse https:// publique qui recevra les notifications (POST JSON)."))
    events = fields.List(fields.Str(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(min=1),
                         metadata=_d("Événements souscrits : " + ", ".join(f"`{e}`" for e in EVENTS) + "."))
    description = fields.Str(load_default="", validate=validate.Length(max=200),
                             metadata=_d("Libellé libre (par exemple le nom du système destinataire)."))


class WebhookEndpointSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du point de réception."))
    url = fields.Str(required=True, metadata=_d("Adresse qui reçoit les notifications."))
    description = fields.Str(required=True, metadata=_d("Libellé libre."))
    events = fields.List(fields.Str(metadata={"enum": list(EVENTS)}), required=True,
                         metadata=_d("Événements souscrits."))
    active = fields.Bool(required=True, metadata=_d("Faux : plus rien n'est envoyé."))
    created_at = UtcDateTime(required=True, metadata=_d("Date de création."))
    links = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata=_d("Chemins liés (livraisons)."))


class WebhookEndpointCreatedSchema(WebhookEndpointSchema):
    secret = fields.Str(required=True, metadata=_d(
        "Clé de signature HMAC-SHA256, affichée cette seule fois : conservez-la pour vérifier "
        "l'en-tête `X-Livret-Signature`."))


class WebhookEndpointListSchema(ResponseSchema):
    items = fields.List(fields.Nested(WebhookEndpointSchema), required=True)


class WebhookDeliverySchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de la livraison (en-tête `X-Livret-Delivery`)."))
    event = fields.Str(required=True, metadata={"enum": list(EVENTS), **_d("Événement.")})
    payload = fields.Dict(required=True, metadata=_d("Données de l'événement (identifiants et codes seulement)."))
    status = fields.Str(required=True, metadata={"enum": ["pending", "delivered", "failed"], **_d(
        "pending : en attente ou nouvel essai prévu ; delivered : réponse 2xx reçue ; failed : "
        "abandonnée après 5 essais.")})
    attempts = fields.Int(required=True, metadata=_d("Nombre d'essais d'envoi."))
    last_status_code = fields.Int(allow_none=True, metadata=_d("Statut HTTP de la dernière réponse."))
    last_error = fields.Str(allow_none=True, metadata=_d("Erreur du dernier essai."))
    next_attempt_at = UtcDateTime(allow_none=True, metadata=_d("Date du prochain essai (en attente seulement)."))
    created_at = UtcDateTime(required=True, metadata=_d("Date de l'événement."))
    delivered_at = UtcDateTime(allow_none=True, metadata=_d("Date de la livraison réussie."))


class WebhookDeliveryListSchema(ResponseSchema):
    items = fields.List(fields.Nested(WebhookDeliverySchema), required=True)


# ---------------------------------------------------------------------------
# Event payloads (the ``data`` of a delivery): ids and codes only, never personal data
# ---------------------------------------------------------------------------

class WebhookEventSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de la livraison (le même à chaque nouvel essai, "
                                               "en-tête `X-Livret-Delivery`)."))
    event = fields.Str(required=True, metadata={"enum": list(EVENTS), **_d("Événement (en-tête `X-Livret-Event`).")})
    timestamp = fields.Int(required=True, metadata=_d("Heure Unix de cet essai (en-tête `X-Livret-Timestamp`)."))
    created_at = UtcDateTime(required=True, metadata=_d("Date de l'événement."))
    data = fields.Dict(required=True, metadata=_d("Données de l'événement, selon l'événement."))


class PayloadSchema(ResponseSchema):
    """Base of the payloads: documented open (a payload may gain fields); checked closed by ``emit``."""


def _id(text: str, **kwargs) -> fields.Int:
    return fields.Int(required=True, strict=True, metadata=_d(text), **kwargs)


class DossierPayloadSchema(PayloadSchema):
    dossier_id = _id("Identifiant du dossier (`GET /api/v1/dossiers/{dossier_id}`).")
    reference = fields.Str(required=True, metadata=_d("Référence du dossier, par exemple `RNCP37827-2026-000012`."))
    certification = fields.Str(required=True, metadata=_d("Code de la certification, par exemple `RNCP37827`."))


class DossierSubmittedPayloadSchema(DossierPayloadSchema):
    version = _id("Numéro de la version déposée : 1 au premier dépôt, plus après des corrections.")
    submitted_at = fields.DateTime(required=True, metadata=_d("Date du dépôt (UTC)."))
    livret2_document_id = _id("Document du Livret 2 signé et scellé (`GET /api/v1/documents/{id}/content`).")
    receipt_document_id = _id("Document de l'accusé de réception scellé.")


class CorrectionsRequestedPayloadSchema(DossierPayloadSchema):
    version = _id("Version examinée ; le candidat déposera la version suivante.")
    letter_document_id = _id("Lettre de décision scellée (`GET /api/v1/documents/{id}/content`).")
    requested_at = fields.DateTime(required=True, metadata=_d("Date de la demande (UTC)."))
    items = _id("Nombre de corrections demandées.")
    sections = fields.List(fields.Str(), required=True, metadata=_d(
        "Clés des sections du dossier concernées (sans doublon)."))
    annexes = fields.List(fields.Int(strict=True), required=True, metadata=_d(
        "Numéros des annexes concernées (sans doublon)."))


class AdmissibilityDecidedPayloadSchema(DossierPayloadSchema):
    decision = fields.Str(required=True, validate=validate.OneOf(["admissible", "inadmissible", "corrections"]),
                          metadata=_d("Décision : recevable, irrecevable ou corrections demandées."))
    status = fields.Str(required=True, validate=validate.OneOf(["admissible", "inadmissible",
                                                                  "corrections_requested"]),
                        metadata=_d("Statut du dossier après la décision."))
    version = _id("Version examinée.")
    letter_document_id = _id("Lettre de décision scellée (`GET /api/v1/documents/{id}/content`).")


class FeePayloadSchema(DossierPayloadSchema):
    fee_id = _id("Identifiant de la demande de frais.")


class FeePaidPayloadSchema(FeePayloadSchema):
    amount_cents = _id("Montant payé, en centimes.")
    currency = fields.Str(required=True, metadata=_d("Devise (ISO 4217), par exemple `EUR`."))
    invoice_number = fields.Str(required=True, metadata=_d("Numéro de la facture acquittée."))
    paid_on = fields.Date(required=True, metadata=_d("Date du paiement."))


class FeeWaivedPayloadSchema(FeePayloadSchema):
    amount_cents = _id("Montant qui n'est plus dû, en centimes.")
    currency = fields.Str(required=True, metadata=_d("Devise (ISO 4217)."))
    waived_at = fields.DateTime(required=True, metadata=_d("Date de l'exonération (UTC). Le motif, texte "
                                                           "libre, n'est pas transmis."))


class SessionOpenedPayloadSchema(PayloadSchema):
    session_id = _id("Identifiant de la session (`GET /api/v1/sessions/{session_id}`).")
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    date = fields.Date(required=True, metadata=_d("Premier jour de la session (heure légale française)."))
    ends_on = fields.Date(required=True, allow_none=True, metadata=_d("Dernier jour de la session."))
    starts_at = fields.DateTime(required=True, metadata=_d("Début du premier passage (UTC)."))
    opened_at = fields.DateTime(required=True, metadata=_d("Date de l'ouverture (UTC)."))
    candidates = _id("Nombre de candidats convoqués.")
    dossier_ids = fields.List(fields.Int(strict=True), required=True, metadata=_d(
        "Dossiers des candidats, dans l'ordre de passage (leur statut devient `scheduled`)."))


class DecisionSealedPayloadSchema(DossierPayloadSchema):
    session_id = _id("Identifiant de la session.")
    pv_id = _id("Procès-verbal qui scelle la décision.")
    decision_id = _id("Identifiant de la décision.")
    outcome = fields.Str(required=True, metadata=_d("Code du résultat, propre à la grille de la certification "
                                                    "(par exemple `admis`, `admission_partielle`)."))
    category = fields.Str(required=True, allow_none=True,
                          validate=validate.OneOf(["absent", "total", "partial", "refused"]),
                          metadata=_d("Catégorie du résultat : absent, admission totale, partielle, refus."))
    validated_blocks = fields.List(fields.Str(), required=True, metadata=_d("Codes des blocs validés."))
    vae_outcome = fields.Str(required=True, allow_none=True, metadata=_d("Résultat au sens de la VAE, "
                                                                         "s'il est précisé."))
    attempt = _id("Numéro du passage du candidat (1, puis 2 en cas de reprise).")
    retake_until = fields.Date(required=True, allow_none=True, metadata=_d("Date limite de reprise, s'il y a lieu."))


class CertificateIssuedPayloadSchema(DossierPayloadSchema):
    session_id = _id("Identifiant de la session.")
    decision_id = _id("Décision qui fonde le certificat.")
    document_id = _id("Certificat nominatif scellé (`GET /api/v1/documents/{id}/content`).")
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 (hexadécimal) du certificat."))
    validated_blocks = fields.List(fields.Str(), required=True, metadata=_d("Codes des blocs validés."))


class PvCountsSchema(PayloadSchema):
    present = _id("Candidats présents.")
    absent = _id("Candidats absents.")
    admitted_totally = _id("Admis totalement.")
    admitted_partially = _id("Admis partiellement.")
    refused = _id("Refusés.")


class PvSealedPayloadSchema(PayloadSchema):
    session_id = _id("Identifiant de la session, désormais close (`closed`).")
    pv_id = _id("Identifiant du procès-verbal.")
    number = _id("Numéro du procès-verbal dans la session (2 et plus : rectificatif).")
    replaces_id = fields.Int(required=True, strict=True, allow_none=True,
                             metadata=_d("Procès-verbal remplacé (rectificatif), sinon null."))
    document_id = _id("Document du procès-verbal scellé (`GET /api/v1/documents/{id}/content`).")
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    counts = fields.Nested(PvCountsSchema, required=True, metadata=_d("Décomptes imprimés sur le procès-verbal."))


class ErasureDonePayloadSchema(PayloadSchema):
    account_id = _id("Identifiant du compte du candidat, désormais fermé et pseudonymisé.")
    dossier_ids = fields.List(fields.Int(strict=True), required=True, metadata=_d(
        "Dossiers de l'organisme vidés de leur contenu (sections saisies, pièces jointes, notes) ; leurs "
        "documents scellés, décisions et frais restent."))
    withdrawn_dossier_ids = fields.List(fields.Int(strict=True), required=True, metadata=_d(
        "Parmi eux, les candidatures en cours retirées (statut `closed`)."))
    erased_at = fields.DateTime(required=True, metadata=_d("Date de l'effacement (UTC)."))


@dataclass(frozen=True)
class EventPayload:
    schema: type[Schema]
    when: str  # French, as the OpenAPI document: when the event is sent


EVENT_PAYLOADS: dict[str, EventPayload] = {
    models.DOSSIER_SUBMITTED: EventPayload(DossierSubmittedPayloadSchema, (
        "Un candidat a déposé son dossier : Livret 2 signé et scellé, accusé de réception émis. Aussi à chaque "
        "nouveau dépôt après des corrections (`version` > 1). Quand le service d'horodatage a tardé, l'événement "
        "part quand la file de tâches a émis les deux documents (`submitted_at` reste l'heure du dépôt).")),
    models.CORRECTIONS_REQUESTED: EventPayload(CorrectionsRequestedPayloadSchema, (
        "Le certificateur a demandé des corrections sur la version déposée (envoyé avec "
        "`dossier.admissibility_decided`, `decision` = `corrections`). Aucun délai n'est fixé par la plateforme.")),
    models.ADMISSIBILITY_DECIDED: EventPayload(AdmissibilityDecidedPayloadSchema, (
        "Une décision de recevabilité a été enregistrée, lettre scellée : recevable, irrecevable ou "
        "corrections demandées.")),
    models.FEE_PAID: EventPayload(FeePaidPayloadSchema, (
        "Un paiement des frais a été enregistré (saisi, relevé importé ou notification d'un prestataire de "
        "paiement en ligne).")),
    models.FEE_WAIVED: EventPayload(FeeWaivedPayloadSchema, (
        "Le certificateur a exonéré le candidat des frais.")),
    models.SESSION_OPENED: EventPayload(SessionOpenedPayloadSchema, (
        "Une session de jury a été ouverte : composition vérifiée, candidats convoqués.")),
    models.DECISION_SEALED: EventPayload(DecisionSealedPayloadSchema, (
        "Le procès-verbal d'une session a été scellé : un événement par décision qu'il scelle (le dossier passe "
        "au statut `decided`).")),
    models.CERTIFICATE_ISSUED: EventPayload(CertificateIssuedPayloadSchema, (
        "Un certificat nominatif scellé a été délivré à un candidat qui a obtenu la certification (certifications "
        "dont les règles prévoient ce courrier), au scellement du procès-verbal.")),
    models.PV_SEALED: EventPayload(PvSealedPayloadSchema, (
        "Un procès-verbal signé par le jury et le responsable a été scellé ; la session est close. Envoyé après "
        "les `decision.sealed` qu'il scelle, et de nouveau pour un procès-verbal rectificatif.")),
    models.ERASURE_DONE: EventPayload(ErasureDonePayloadSchema, (
        "Un candidat a supprimé son compte (RGPD, art. 17) : envoyé à chaque organisme qui tient l'un de ses "
        "dossiers déposés, avec les identifiants seulement. Effacez de vos systèmes ce qu'aucune obligation ne "
        "vous impose de garder. Ses brouillons, que l'organisme n'a jamais vus, sont supprimés sans événement.")),
}


def payload_errors(event: str, data: object) -> dict | list | None:
    """What is wrong with ``data`` as the payload of ``event`` (``None`` when it matches its schema):
    a field missing, of the wrong type or not declared (at any depth), or a value JSON cannot carry."""
    import json

    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return [f"not JSON: {exc}"]
    errors = _errors(EVENT_PAYLOADS[event].schema, data)
    return errors or None


def _errors(schema: type[Schema], data: object) -> dict:
    if not isinstance(data, dict):
        return {"_schema": ["not an object"]}
    errors: dict = dict(schema(unknown="raise").validate(data))
    for name, field in schema._declared_fields.items():
        if isinstance(field, fields.Nested) and isinstance(data.get(name), dict):
            nested = _errors(field.nested, data[name])
            if nested:
                errors[name] = nested
    return errors
