"""PAdES sealing and signing (B-B, B-T, B-LT, B-LTA) with pyHanko.

Fail closed: the level asked for is the level delivered.  If the TSA or the
revocation data cannot be obtained, :class:`SealingError` is raised and no
output is produced; the result is also checked structurally before it is
returned (signature timestamp, DSS with revocation data, document timestamp).

The work is split by responsibility, every name re-exported here: :mod:`signing.pades_stamp` (placement,
text and style of the visible block), :mod:`signing.pades_revocation` (validation context, kept
revocation data, TSA) and :mod:`signing.pades_errors` (messages, translation of failures); the
signing itself, the level check and the public API are here.
"""

from __future__ import annotations

import logging
from datetime import datetime
from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

from .config import LEVELS, SigningConfig
from .credentials import Credential, PersonSigner
from .errors import SealingError
from .pades_errors import (
    MSG_CERT, MSG_LEVEL, MSG_PDF, MSG_REVOCATION, MSG_TSA, MSG_TSA_SLOW, _cause_chain, _translate,
)
from .pades_revocation import (
    _REVINFO, _KeptRevinfoFilter, _keep_revinfo, _revinfo_key, _timestamper, _validation_context,
)
from .pades_stamp import (
    FONT_CANDIDATES, LEVEL_LABELS, PARIS, STAMP_GAP, STAMP_H, STAMP_MARGIN, STAMP_W, Placement,
    _FONT_RANGES, _auto_box, _font_factory, _latin_font, _stamp_text, stamp_style,
)

logger = logging.getLogger(__name__)

# Every name of the module before its split, kept importable from here.
__all__ = [
    "PARIS", "FONT_CANDIDATES", "STAMP_W", "STAMP_H", "STAMP_MARGIN", "STAMP_GAP", "MSG_TSA", "MSG_TSA_SLOW",
    "MSG_REVOCATION", "MSG_CERT", "MSG_PDF", "MSG_LEVEL", "LEVEL_LABELS", "Placement", "_FONT_RANGES",
    "_latin_font", "_font_factory", "stamp_style", "_check_level", "_cn", "_open_writer",
    "_existing_sig_fields", "_auto_box", "_stamp_text", "_validation_context", "_REVINFO",
    "_KeptRevinfoFilter", "_revinfo_key", "_keep_revinfo", "_timestamper", "_cause_chain", "_translate",
    "_apply", "_assert_level", "prepare_signature_fields", "seal", "sign",
]


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise SealingError(
            f"Niveau de signature inconnu : « {level} » (attendu : {', '.join(LEVELS)})."
        )
    return level


def _cn(cert) -> str:
    subj = cert.subject.native
    return subj.get("common_name") or cert.subject.human_friendly


def _open_writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    if not isinstance(pdf_bytes, (bytes, bytearray)) or not bytes(pdf_bytes[:1024]).lstrip().startswith(b"%PDF-"):
        raise SealingError(MSG_PDF)
    try:
        w = IncrementalPdfFileWriter(BytesIO(bytes(pdf_bytes)), strict=False)
        w.root["/Pages"]["/Count"]  # force parsing of the page tree
        return w
    except SealingError:
        raise
    except Exception as exc:
        raise SealingError(MSG_PDF, detail=repr(exc)) from exc


def _existing_sig_fields(writer, filled_status=None) -> list[str]:
    try:
        return [name for name, _v, _r in
                fields.enumerate_sig_fields(writer.prev, filled_status=filled_status)]
    except Exception:
        return []


def _apply(pdf_bytes: bytes, *, signer, level: str, reason: str | None,
           location: str | None, config: SigningConfig, kind: str, who: str,
           org: str | None, field_prefix: str, placement: Placement | None,
           certify: bool, visible: bool, field_name: str | None = None) -> bytes:
    _check_level(level)
    writer = _open_writer(pdf_bytes)
    existing = _existing_sig_fields(writer)
    field_spec = None
    if field_name is not None:
        # sign into a prepared empty field (required after a certification
        # signature for a visible signature), or create it under that name
        if field_name in existing and field_name not in _existing_sig_fields(writer, False):
            raise SealingError(f"Le champ de signature « {field_name} » est déjà signé.")
    else:
        n = 1
        while f"{field_prefix}{n}" in existing:
            n += 1
        field_name = f"{field_prefix}{n}"
    if field_name not in existing:
        placement = placement or Placement()
        box = None
        if visible:
            box = placement.box or _auto_box(writer, placement.page, len(existing))
        field_spec = fields.SigFieldSpec(
            sig_field_name=field_name, on_page=placement.page, box=box,
        )
    lt = level in ("B-LT", "B-LTA")
    timestamper = _timestamper(config) if level != "B-B" else None
    text = _stamp_text(kind=kind, who=who, org=org, when=datetime.now(PARIS),
                       level=level, reason=reason)

    def attempt(target, vc):
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=lt,
            use_pades_lta=(level == "B-LTA"),
            validation_context=vc,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            signer_key_usage={"non_repudiation"},
        )
        pdf_signer = signers.PdfSigner(
            meta, signer, timestamper=timestamper,
            stamp_style=stamp_style() if visible else None,
            new_field_spec=field_spec,
        )
        return pdf_signer.sign_pdf(target, appearance_text_params={"bloc": text})

    vc, cached_key = _validation_context(config, signer) if lt else (None, None)
    try:
        try:
            out = attempt(writer, vc)
        except Exception:
            if cached_key is None:
                raise
            # the kept revocation data did not do (stale, or a chain it does not cover): fetch afresh
            _REVINFO.pop(cached_key, None)
            vc, cached_key = _validation_context(config, signer, cached=False)
            out = attempt(_open_writer(pdf_bytes), vc)
    except SealingError:
        raise
    except Exception as exc:
        err = _translate(exc)
        logger.warning("signing failed at %s: %s", level, err.detail)
        raise err from exc
    if lt and cached_key is None:
        _keep_revinfo(config, signer, vc)
    result = out.getvalue()
    _assert_level(result, field_name, level)
    return result


def _assert_level(pdf: bytes, field_name: str, level: str) -> None:
    """Fail closed: check that the output really carries ``level``."""
    try:
        r = PdfFileReader(BytesIO(pdf), strict=False)
        sigs = r.embedded_signatures
        ours = [s for s in sigs if s.field_name == field_name]
        if len(ours) != 1:
            raise AssertionError("signature field missing")
        sig = ours[0]
        if sig.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
            raise AssertionError("not a PAdES signature")
        if level != "B-B":
            attrs = sig.signer_info["unsigned_attrs"]
            if not any(a["type"].native == "signature_time_stamp_token" for a in attrs):
                raise AssertionError("signature timestamp missing")
        if level in ("B-LT", "B-LTA"):
            dss = r.root["/DSS"] if "/DSS" in r.root else None
            crls = dss["/CRLs"] if dss is not None and "/CRLs" in dss else []
            ocsps = dss["/OCSPs"] if dss is not None and "/OCSPs" in dss else []
            if not (len(crls) or len(ocsps)):
                raise AssertionError("no revocation data in the DSS")
        if level == "B-LTA":
            later_ts = [t for t in r.embedded_timestamp_signatures
                        if t.signed_revision > sig.signed_revision]
            if not later_ts:
                raise AssertionError("document timestamp missing")
    except Exception as exc:
        raise SealingError(MSG_LEVEL.format(level=level), detail=repr(exc)) from exc


# ----------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------
def prepare_signature_fields(pdf_bytes: bytes, names: list[str], *,
                             placement: Placement | None = None) -> bytes:
    """Add empty visible signature fields (incremental update).

    A certification signature (DocMDP "form filling and signatures") permits
    later signatures only in fields that already exist when it is applied:
    prepare the fields of every future signer first, then certify, then
    have each signer sign into their field (``field_name=``).
    """
    writer = _open_writer(pdf_bytes)
    existing = _existing_sig_fields(writer)
    placement = placement or Placement()
    slot = len(existing)
    for name in names:
        if name in existing:
            raise SealingError(f"Le champ de signature « {name} » existe déjà.")
        box = placement.box or _auto_box(writer, placement.page, slot)
        slot += 1
        fields.append_signature_field(
            writer, fields.SigFieldSpec(sig_field_name=name, on_page=placement.page, box=box)
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def seal(pdf_bytes: bytes, *, level: str | None = None, reason: str | None = None,
         location: str | None = None, config: SigningConfig,
         placement: Placement | None = None, certify: bool = False,
         visible: bool = True, signer=None, field_name: str | None = None) -> bytes:
    """Seal ``pdf_bytes`` with the organisation's seal and return the new PDF.

    ``level`` defaults to ``config.default_level`` (B-LTA).  ``certify=True``
    makes it a certification signature with DocMDP "form filling and
    signatures only" (it must then be the first signature of the document).
    ``signer`` overrides the configured seal (a pyHanko ``Signer``, e.g. one
    loaded once and reused).  Raises :class:`SealingError`.
    """
    level = level or config.default_level
    _check_level(level)
    signer = signer or config.load_seal_signer()
    cert = signer.signing_cert
    who = _cn(cert)
    org = cert.subject.native.get("organization_name") or config.organisation
    return _apply(
        pdf_bytes, signer=signer, level=level,
        reason=reason or "Cachet de l'organisme certificateur",
        location=location or config.location, config=config,
        kind="Cacheté électroniquement par", who=who, org=org,
        field_prefix="Cachet", placement=placement, certify=certify, visible=visible,
        field_name=field_name,
    )


def sign(pdf_bytes: bytes, *, signer: PersonSigner | Credential, level: str | None = None,
         reason: str | None = None, location: str | None = None,
         config: SigningConfig, placement: Placement | None = None,
         certify: bool = False, visible: bool = True,
         field_name: str | None = None) -> bytes:
    """Sign ``pdf_bytes`` for a person holding ``signer`` (see
    :meth:`signing.devpki.DevPKI.issue_person_certificate`)."""
    level = level or config.default_level
    _check_level(level)
    if isinstance(signer, Credential):
        ph_signer = signer.pyhanko_signer()
        who = getattr(signer, "name", "") or _cn(signer.cert)
        email = getattr(signer, "email", "")
    else:  # already a pyHanko signer
        ph_signer = signer
        who = _cn(signer.signing_cert)
        email = ""
    if email:
        who = f"{who} <{email}>"
    return _apply(
        pdf_bytes, signer=ph_signer, level=level, reason=reason,
        location=location or config.location, config=config,
        kind="Signé électroniquement par", who=who, org=None,
        field_prefix="Signature", placement=placement, certify=certify,
        visible=visible, field_name=field_name,
    )
