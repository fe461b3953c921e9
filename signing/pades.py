"""PAdES sealing and signing (B-B, B-T, B-LT, B-LTA) with pyHanko.

Fail closed: the level asked for is the level delivered.  If the TSA or the
revocation data cannot be obtained, :class:`SealingError` is raised and no
output is produced; the result is also checked structurally before it is
returned (signature timestamp, DSS with revocation data, document timestamp).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from .config import LEVELS, SigningConfig
from .credentials import Credential, PersonSigner
from .http import Timestamper, fetcher_backend
from .errors import ConfigurationError, SealingError, TimestampTimeout

logger = logging.getLogger(__name__)
# fontTools reports every table it drops while subsetting the stamp font
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

PARIS = ZoneInfo("Europe/Paris")
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
STAMP_W, STAMP_H, STAMP_MARGIN, STAMP_GAP = 260, 64, 28, 6

MSG_TSA = "Le service d'horodatage est injoignable : le document n'a pas été scellé."
MSG_TSA_SLOW = "Le service d'horodatage ne répond pas assez vite : le document n'a pas encore été scellé."
MSG_REVOCATION = (
    "Les informations de révocation des certificats sont indisponibles : "
    "le document n'a pas été scellé."
)
MSG_CERT = "Le certificat de signature n'est pas valide ou n'est pas reconnu : le document n'a pas été scellé."
MSG_PDF = "Le document PDF est illisible ou endommagé : il n'a pas pu être scellé."
MSG_LEVEL = "Le niveau de signature demandé ({level}) n'a pas pu être atteint : le document n'a pas été scellé."

LEVEL_LABELS = {
    "B-B": "PAdES B-B",
    "B-T": "PAdES B-T (horodatée)",
    "B-LT": "PAdES B-LT (longue durée)",
    "B-LTA": "PAdES B-LTA (archivage longue durée)",
}


@dataclass(frozen=True)
class Placement:
    """Where the visible block goes: ``page`` is a 0-based index (negative
    counts from the end, default last page); ``box`` is (x1, y1, x2, y2) in
    PDF points; when omitted, blocks are stacked up from the bottom left."""

    page: int = -1
    box: tuple[int, int, int, int] | None = None


# Unicode ranges kept in the stamp font: Latin (incl. extended A/B, enough
# for names written in Latin script), general punctuation, euro sign.
_FONT_RANGES = [(0x20, 0x250), (0x2000, 0x2070), (0x20AC, 0x20AD), (0x2122, 0x2123)]


def _latin_font(source: str) -> str:
    """A Latin subset of ``source``, built once and cached on disk.

    pyHanko subsets the stamp font on every signature; doing it from the
    full DejaVu Sans (750 kB) costs ~0.6 s per signature, from this 90 kB
    subset a few milliseconds.
    """
    import hashlib
    import tempfile

    st = os.stat(source)
    tag = hashlib.sha256(f"{source}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]
    cache_dir = os.path.join(tempfile.gettempdir(), f"livret-signing-{os.getuid()}")
    target = os.path.join(cache_dir, f"stamp-font-{tag}-v2.ttf")
    if os.path.exists(target):
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont

    os.makedirs(cache_dir, mode=0o700, exist_ok=True)
    opts = subset.Options()
    opts.layout_features = []  # no GSUB/GPOS: re-subsetting them is the slow part
    opts.notdef_outline = True
    font = TTFont(source)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[c for a, b in _FONT_RANGES for c in range(a, b)])
    sub.subset(font)
    tmp = f"{target}.{os.getpid()}.tmp"
    font.save(tmp)
    os.replace(tmp, target)
    return target


def _font_factory():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    for path in FONT_CANDIDATES:
        if os.path.exists(path):
            return GlyphAccumulatorFactory(_latin_font(path), font_size=7)
    raise ConfigurationError(
        "Police DejaVu Sans introuvable (paquet fonts-dejavu-core) : "
        "impossible de composer le bloc de signature."
    )


_STAMP_STYLE: TextStampStyle | None = None


def stamp_style() -> TextStampStyle:
    global _STAMP_STYLE
    if _STAMP_STYLE is None:
        _STAMP_STYLE = TextStampStyle(
            stamp_text="%(bloc)s",
            text_box_style=TextBoxStyle(font=_font_factory(), font_size=7),
            border_width=1,
        )
    return _STAMP_STYLE


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


def _auto_box(writer, page_index: int, slot: int) -> tuple[int, int, int, int]:
    try:
        page_ref = writer.find_page_for_modification(page_index)[0]
        mb = page_ref.get_object().get("/MediaBox") or [0, 0, 595, 842]
        x0, y0, x1, y1 = (float(v) for v in mb)
    except Exception:
        x0, y0, x1, y1 = 0, 0, 595, 842
    per_col = max(1, int((y1 - y0 - 2 * STAMP_MARGIN) // (STAMP_H + STAMP_GAP)) // 3)
    col, row = divmod(slot, per_col)
    left = x0 + STAMP_MARGIN + col * (STAMP_W + STAMP_GAP)
    left = min(left, x1 - STAMP_W - STAMP_MARGIN)
    bottom = y0 + STAMP_MARGIN + row * (STAMP_H + STAMP_GAP)
    return (int(left), int(bottom), int(left + STAMP_W), int(bottom + STAMP_H))


def _stamp_text(*, kind: str, who: str, org: str | None, when: datetime, level: str,
                reason: str | None) -> str:
    lines = [f"{kind} : {who}"]
    if org:
        lines.append(f"Organisation : {org}")
    lines.append("Date : " + when.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M:%S (heure de Paris)"))
    lines.append(f"Niveau : {LEVEL_LABELS[level]}")
    if reason:
        lines.append(f"Motif : {reason}")
    return "\n".join(lines)


def _validation_context(config: SigningConfig, signer, *, cached: bool = True
                        ) -> tuple[ValidationContext, str | None]:
    """The validation context of a B-LT/B-LTA seal, and the revocation cache key it was built from
    (``None``: a fetching context, whose revocation data :func:`_keep_revinfo` keeps afterwards)."""
    roots = config.trust_root_certs()
    if not roots:
        raise ConfigurationError("Aucun certificat racine de confiance n'est configuré.")
    others = list(getattr(signer, "cert_registry", None) or [])
    key = _revinfo_key(config, signer, roots)
    kept = _REVINFO.get(key) if cached and config.revocation_cache_seconds > 0 else None
    if kept is not None and kept[0] > time.monotonic():
        _expires, crls, ocsps = kept
        return ValidationContext(trust_roots=roots, other_certs=others, crls=crls, ocsps=ocsps,
                                 allow_fetching=False, revocation_mode="hard-fail"), key
    return ValidationContext(
        trust_roots=roots,
        other_certs=others,
        allow_fetching=True,
        revocation_mode="hard-fail",
        # handed over so that the context closes its HTTP session when done
        fetcher_backend=OwnedFetcherBackend(fetcher_backend(config.revocation_fetch_timeout)),
    ), None


# Revocation data reused from one seal to the next for ``SigningConfig.revocation_cache_seconds``: a session's
# grids and PV, sealed one after another, fetch the CRLs of the seal's and the TSA's chains once, not once each.
# A seal that the kept data cannot validate (a CRL past its nextUpdate, a new TSA certificate) is done again
# with fetching, which renews the entry.
_REVINFO: dict[str, tuple[float, list, list]] = {}


class _KeptRevinfoFilter(logging.Filter):
    """pyHanko warns whenever a context that may not fetch embeds validation data: that is the point here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_KeptRevinfoFilter())


def _revinfo_key(config: SigningConfig, signer, roots) -> str:
    import hashlib

    cert = getattr(signer, "signing_cert", None)
    digest = hashlib.sha256(cert.dump() if cert is not None else b"")
    digest.update((config.effective_tsa_url() or "").encode())
    for root in roots:
        digest.update(root.dump())
    return digest.hexdigest()


def _keep_revinfo(config: SigningConfig, signer, vc: ValidationContext) -> None:
    if config.revocation_cache_seconds <= 0:
        return
    crls, ocsps = list(vc.crls), list(vc.ocsps)
    if crls or ocsps:
        _REVINFO[_revinfo_key(config, signer, config.trust_root_certs())] = (
            time.monotonic() + config.revocation_cache_seconds, crls, ocsps)


def _timestamper(config: SigningConfig) -> HTTPTimeStamper:
    url = config.effective_tsa_url()
    if not url:
        raise ConfigurationError("Aucune autorité d'horodatage (TSA) n'est configurée.")
    return Timestamper(url, timeout=config.tsa_timeout)


def _cause_chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _translate(exc: BaseException) -> SealingError:
    chain = list(_cause_chain(exc))
    if any(isinstance(e, TimestampRequestError) for e in chain):
        if any(isinstance(e, TimeoutError) for e in chain):  # asyncio's timeout is TimeoutError (3.11)
            return TimestampTimeout(MSG_TSA_SLOW, detail=repr(exc))
        return SealingError(MSG_TSA, detail=repr(exc))
    text = " ".join(repr(e) for e in chain).lower()
    if any(isinstance(e, PathValidationError) for e in chain) or "revocation" in text or "crl" in text:
        if "revoked" in text and "fetch" not in text:
            return SealingError(
                "Le certificat de signature est révoqué : le document n'a pas été scellé.",
                detail=repr(exc),
            )
        return SealingError(MSG_REVOCATION, detail=repr(exc))
    if any(isinstance(e, PathBuildingError) for e in chain):
        return SealingError(MSG_CERT, detail=repr(exc))
    if "timestamp" in text or "time stamp" in text:
        return SealingError(MSG_TSA, detail=repr(exc))
    if any(isinstance(e, SigningError) for e in chain):
        return SealingError(MSG_CERT, detail=repr(exc))
    return SealingError(MSG_PDF, detail=repr(exc))


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
