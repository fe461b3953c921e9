"""Schemas of the generic documents route (:mod:`core.documents.api`)."""
from __future__ import annotations

from marshmallow import fields

from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class DocumentLinksSchema(ResponseSchema):
    self = fields.Str(required=True, metadata=_d("Chemin de ces métadonnées."))
    content = fields.Str(required=True, metadata=_d(
        "Chemin du téléchargement du fichier (`ETag` et `Content-Digest` : l'empreinte `sha256`)."))


class DocumentSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du document."))
    kind = fields.Str(required=True, metadata=_d(
        "Nature : « livret2 », « receipt », « jury_pv » (procès-verbal scellé), « jury_grid » (grille "
        "d'évaluation scellée), « certificate » (certificat nominatif), « parchment_record » (relevé de décision "
        "pour l'édition du parchemin), « blocks_attestation » (attestation de validation de blocs de compétences)…"))
    title = fields.Str(required=True, metadata=_d("Titre."))
    filename = fields.Str(required=True, metadata=_d("Nom de fichier proposé au téléchargement."))
    media_type = fields.Str(required=True, metadata=_d("Type de contenu (en général application/pdf)."))
    size = fields.Int(required=True, metadata=_d("Taille en octets du fichier servi (`Content-Length`)."))
    sha256 = fields.Str(required=True, metadata=_d(
        "Empreinte SHA-256 (hexadécimale) du fichier servi : égale à l'`ETag` et au `Content-Digest` du "
        "téléchargement."))
    created_at = UtcDateTime(required=True, metadata=_d("Date d'émission."))
    dossier_id = fields.Int(required=True, allow_none=True, metadata=_d(
        "Le dossier du document, ou null (procès-verbal d'une session)."))
    version = fields.Int(required=True, allow_none=True, metadata=_d(
        "Numéro de la version du dossier à laquelle le document se rapporte, ou null."))
    session_id = fields.Int(required=True, allow_none=True, metadata=_d(
        "La session de jury qui a émis le document (procès-verbal, grille, certificat), ou null."))
    links = fields.Nested(DocumentLinksSchema, required=True, metadata=_d("Liens."))


class DocumentPageSchema(ResponseSchema):
    items = fields.List(fields.Nested(DocumentSchema), required=True, metadata=_d(
        "Les documents, du plus ancien au plus récent (par identifiant)."))
    next = fields.Str(required=True, allow_none=True, metadata=_d(
        "Curseur de la page suivante (à renvoyer dans `cursor` avec les mêmes filtres), ou null."))
