"""The verification report: dataclasses, French texts, and their JSON form
(stored with an issued document and read back, see :meth:`VerificationReport.from_dict`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

from pyhanko.sign.diff_analysis import ModificationLevel

MODIFICATION_TEXT = {
    ModificationLevel.NONE: None,
    ModificationLevel.LTA_UPDATES: (
        "Seules des données de validation à long terme (révocation, horodatage "
        "d'archive) ont été ajoutées après cette signature."
    ),
    ModificationLevel.FORM_FILLING: (
        "Des champs de formulaire ont été remplis ou des signatures ajoutées "
        "après cette signature (modifications autorisées)."
    ),
    ModificationLevel.ANNOTATIONS: (
        "Des annotations ou commentaires ont été ajoutés au document après "
        "cette signature."
    ),
    ModificationLevel.OTHER: (
        "Le contenu du document a été modifié après cette signature "
        "(mise à jour incrémentale non autorisée)."
    ),
}
COVERAGE_TEXT = {
    "ENTIRE_FILE": "l'intégralité du fichier",
    "ENTIRE_REVISION": "la révision signée (des mises à jour ont suivi)",
    "CONTIGUOUS_BLOCK_FROM_START": "une partie seulement du fichier",
    "UNCLEAR": "une portion indéterminée du fichier",
}


@dataclass
class SignerIdentity:
    common_name: str | None
    organisation: str | None
    email: str | None
    subject: str
    issuer: str
    serial_number: str


@dataclass
class TimestampInfo:
    time: datetime
    tsa: str
    valid: bool
    trusted: bool


@dataclass
class SignatureReport:
    field_name: str
    kind: str  # "signature" or "horodatage"
    signer: SignerIdentity | None = None
    signing_time: datetime | None = None  # claimed by the signer
    timestamp: TimestampInfo | None = None
    level: str | None = None  # B-B, B-T, B-LT, B-LTA (None: not PAdES)
    intact: bool = False
    cryptographically_valid: bool = False
    coverage: str | None = None
    trusted: bool = False
    certification: bool = False
    modification_level: str | None = None
    modifications: str | None = None
    valid: bool = False
    reasons: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    sha256: str
    size: int
    page_count: int
    signatures: list[SignatureReport] = field(default_factory=list)
    document_timestamps: list[SignatureReport] = field(default_factory=list)
    removed_signatures: list[str] = field(default_factory=list)
    valid: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def signers(self) -> list[str]:
        return [s.signer.common_name for s in self.signatures if s.signer]

    def to_dict(self) -> dict:
        def conv(o):
            if isinstance(o, datetime):
                return o.isoformat()
            if isinstance(o, dict):
                return {k: conv(v) for k, v in o.items()}
            if isinstance(o, list):
                return [conv(v) for v in o]
            return o

        d = conv(asdict(self))
        d["signers"] = self.signers
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "VerificationReport":
        """The report of :meth:`to_dict` (raises ``KeyError``/``TypeError``/``ValueError`` when malformed)."""
        return cls(sha256=data["sha256"], size=int(data["size"]), page_count=int(data["page_count"]),
                   signatures=[_signature(s) for s in data["signatures"]],
                   document_timestamps=[_signature(s) for s in data["document_timestamps"]],
                   removed_signatures=list(data["removed_signatures"]), valid=bool(data["valid"]),
                   reasons=list(data["reasons"]))


def _time(value):
    return datetime.fromisoformat(value) if value else None


def _signature(data: dict) -> SignatureReport:
    known = {f.name for f in fields(SignatureReport)}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("signer"):
        values["signer"] = SignerIdentity(**values["signer"])
    if values.get("timestamp"):
        ts = dict(values["timestamp"])
        ts["time"] = _time(ts["time"])
        values["timestamp"] = TimestampInfo(**ts)
    values["signing_time"] = _time(values.get("signing_time"))
    values["reasons"] = list(values.get("reasons") or [])
    return SignatureReport(**values)


