"""The JSON report of ``POST /api/v1/verify`` (documented in the OpenAPI document)."""
from marshmallow import Schema, fields


class SignerIdentitySchema(Schema):
    common_name = fields.Str(allow_none=True, metadata={"description": "Nom (CN) du signataire."})
    organisation = fields.Str(allow_none=True, metadata={"description": "Organisation (O) du certificat."})
    email = fields.Str(allow_none=True, metadata={"description": "Adresse électronique du certificat."})
    subject = fields.Str(metadata={"description": "Sujet complet du certificat."})
    issuer = fields.Str(metadata={"description": "Autorité qui a délivré le certificat."})
    serial_number = fields.Str(metadata={"description": "Numéro de série du certificat (hexadécimal)."})


class TimestampInfoSchema(Schema):
    time = fields.DateTime(metadata={"description": "Date et heure attestées par l'autorité d'horodatage."})
    tsa = fields.Str(metadata={"description": "Autorité d'horodatage."})
    valid = fields.Bool()
    trusted = fields.Bool()


class SignatureReportSchema(Schema):
    field_name = fields.Str(metadata={"description": "Nom du champ de signature dans le PDF."})
    kind = fields.Str(metadata={"description": "« signature » ou « horodatage » (horodatage de document)."})
    signer = fields.Nested(SignerIdentitySchema, allow_none=True)
    signing_time = fields.DateTime(allow_none=True, metadata={"description": "Heure déclarée par le signataire."})
    timestamp = fields.Nested(TimestampInfoSchema, allow_none=True)
    level = fields.Str(allow_none=True, metadata={"description": "Niveau PAdES atteint : B-B, B-T, B-LT, B-LTA."})
    intact = fields.Bool(metadata={"description": "Le contenu signé n'a pas été modifié."})
    cryptographically_valid = fields.Bool()
    coverage = fields.Str(allow_none=True)
    trusted = fields.Bool(metadata={"description": "Le certificat remonte à une racine de confiance."})
    certification = fields.Bool()
    modification_level = fields.Str(allow_none=True, metadata={
        "description": "Modifications après la signature : NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER."})
    modifications = fields.Str(allow_none=True, metadata={"description": "Ce qui a changé après la signature."})
    valid = fields.Bool()
    reasons = fields.List(fields.Str(), metadata={"description": "Motifs d'invalidité, en français."})


class PlatformMatchSchema(Schema):
    issued = fields.Bool(metadata={"description": "L'empreinte correspond à un document émis par cette plateforme."})
    issued_at = fields.DateTime(allow_none=True)
    current = fields.Bool(allow_none=True, metadata={
        "description": "Ces octets sont la version la plus récente (faux : horodatage renouvelé depuis)."})
    statement = fields.Str(allow_none=True, metadata={
        "description": "« Ce document a été émis par la plateforme le … » (absent : pas émis par elle)."})
    from_issuance = fields.Bool(metadata={
        "description": "Le rapport est celui établi quand la plateforme a émis ces octets (mêmes racines de "
                       "confiance) ; faux : le fichier a été vérifié en entier."})
    report_checked_at = fields.DateTime(allow_none=True, metadata={
        "description": "Quand le rapport repris de l'émission a été établi."})


class VerifyReportSchema(Schema):
    valid = fields.Bool(metadata={"description": "Verdict : toutes les signatures sont valides et de confiance."})
    verdict = fields.Str(metadata={"description": "« Document valide » ou « Document non valide »."})
    reasons = fields.List(fields.Str(), metadata={"description": "Motifs du verdict, en français."})
    sha256 = fields.Str(metadata={"description": "Empreinte SHA-256 du fichier reçu."})
    size = fields.Int()
    page_count = fields.Int()
    signers = fields.List(fields.Str(allow_none=True))
    signatures = fields.List(fields.Nested(SignatureReportSchema))
    document_timestamps = fields.List(fields.Nested(SignatureReportSchema))
    removed_signatures = fields.List(fields.Str())
    platform = fields.Nested(PlatformMatchSchema)
