"""The checks of one signature or document timestamp (pyHanko), with French reasons."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from ..credentials import load_certs_from_bytes
from ..pades import PARIS
from .report import MODIFICATION_TEXT, SignatureReport, SignerIdentity, TimestampInfo

logger = logging.getLogger(__name__)


def _as_certs(trust_roots) -> list[asn1_x509.Certificate]:
    certs: list[asn1_x509.Certificate] = []
    for item in trust_roots or ():
        if isinstance(item, asn1_x509.Certificate):
            certs.append(item)
        elif isinstance(item, (bytes, bytearray)):
            certs.extend(load_certs_from_bytes(bytes(item)))
        else:
            certs.extend(load_certs_from_bytes(Path(item).read_bytes()))
    return certs


def _identity(cert: asn1_x509.Certificate) -> SignerIdentity:
    subj = cert.subject.native
    email = subj.get("email_address")
    if not email:
        try:
            san = cert.subject_alt_name_value
            for gn in san or ():
                if gn.name == "rfc822_name":
                    email = gn.native
                    break
        except Exception:
            pass
    return SignerIdentity(
        common_name=subj.get("common_name"),
        organisation=subj.get("organization_name"),
        email=email,
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial_number=format(cert.serial_number, "x"),
    )


def _dss_material(reader: PdfFileReader):
    crls, ocsps, certs = [], [], []
    try:
        root = reader.root
        if "/DSS" not in root:
            return crls, ocsps, certs
        dss = root["/DSS"]
        for key, bucket, loader in (
            ("/CRLs", crls, asn1_crl.CertificateList.load),
            ("/OCSPs", ocsps, asn1_ocsp.OCSPResponse.load),
            ("/Certs", certs, asn1_x509.Certificate.load),
        ):
            if key in dss:
                for ref in dss[key]:
                    try:
                        bucket.append(loader(ref.get_object().data))
                    except Exception:
                        logger.info("unreadable DSS entry in %s", key)
    except Exception:
        logger.info("unreadable DSS", exc_info=True)
    return crls, ocsps, certs


def _signature_contents_digests(reader, revision: int | None) -> dict[bytes, str]:
    """SHA-256 of /Contents of every filled signature field in a revision."""
    handler = reader if revision is None else reader.get_historical_resolver(revision)
    out: dict[bytes, str] = {}
    for name, sig_obj, _field in enumerate_sig_fields(handler, filled_status=True):
        try:
            contents = sig_obj.get_object()["/Contents"]
            out[hashlib.sha256(bytes(contents)).digest()] = name
        except Exception:
            continue
    return out


def _removed_signatures(reader: PdfFileReader) -> list[str]:
    current = _signature_contents_digests(reader, None)
    removed: dict[bytes, str] = {}
    total = reader.xrefs.total_revisions
    for rev in range(total - 1):
        try:
            for digest, name in _signature_contents_digests(reader, rev).items():
                if digest not in current:
                    removed[digest] = name
        except Exception:
            logger.info("could not inspect revision %d", rev, exc_info=True)
    return sorted(set(removed.values()))


def _lenient_context(roots, crls, ocsps, certs) -> ValidationContext:
    # Chain building only, no network, revocation checked when data is there.
    return ValidationContext(
        trust_roots=roots, other_certs=certs, crls=crls, ocsps=ocsps,
        allow_fetching=False, revocation_mode="soft-fail",
    )


def _lta_spec(roots, diff_policy=DEFAULT_DIFF_POLICY) -> PdfSignatureValidationSpec:
    rule = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=roots),
                revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(rule, rule)),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
                certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
            ),
        ),
        diff_policy=diff_policy,
    )


def _ts_info(ts_status) -> TimestampInfo | None:
    if ts_status is None:
        return None
    return TimestampInfo(
        time=ts_status.timestamp.astimezone(PARIS),
        tsa=ts_status.signing_cert.subject.human_friendly,
        valid=bool(ts_status.intact and ts_status.valid),
        trusted=bool(ts_status.trusted),
    )


def _fmt_time(d: datetime) -> str:
    return d.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S")


async def _long_term_ok(emb, roots, dss, diff_policy=DEFAULT_DIFF_POLICY) -> bool:
    """True when the embedded revocation data suffices to validate the
    signer's chain without any network access (PAdES B-LT).

    First at the current time with revocation required (fresh CRLs); when
    that fails (embedded CRLs past their nextUpdate, years later), through
    the AdES long-term validation, which relies on the document timestamps
    as proofs of existence.
    """
    crls, ocsps, certs = dss
    vc = ValidationContext(
        trust_roots=roots, other_certs=certs, crls=crls, ocsps=ocsps,
        allow_fetching=False, revocation_mode="hard-fail",
    )
    try:
        st = await async_validate_pdf_signature(emb, signer_validation_context=vc, skip_diff=True)
        if st.bottom_line and st.trusted:
            return True
    except Exception:
        logger.debug("current-time LT check failed", exc_info=True)
    finally:
        await vc.aclose()
    try:
        lta = await ades_lta_validation(emb, _lta_spec(roots, diff_policy))
        return lta.ades_subindic == AdESPassed.OK
    except Exception:
        logger.debug("AdES LTA validation failed", exc_info=True)
        return False


async def _check_signature(reader, emb: EmbeddedPdfSignature, roots, dss, doc_ts_ok,
                           diff_policy=DEFAULT_DIFF_POLICY) -> SignatureReport:
    crls, ocsps, certs = dss
    rep = SignatureReport(field_name=emb.field_name, kind="signature")
    try:
        rep.signer = _identity(emb.signer_cert)
    except Exception:
        pass
    vc = _lenient_context(roots, crls, ocsps, certs)
    try:
        st = await async_validate_pdf_signature(
            emb, signer_validation_context=vc,
            ts_validation_context=_lenient_context(roots, crls, ocsps, certs),
            diff_policy=diff_policy,
        )
    except Exception as exc:
        logger.info("signature %s could not be validated", emb.field_name, exc_info=True)
        rep.reasons.append(
            f"La signature « {emb.field_name} » est illisible ou corrompue ({type(exc).__name__})."
        )
        return rep
    finally:
        await vc.aclose()
    rep.intact = bool(st.intact)
    rep.cryptographically_valid = bool(st.valid)
    rep.trusted = bool(st.trusted)
    rep.coverage = st.coverage.name if st.coverage else None
    rep.signing_time = st.signer_reported_dt.astimezone(PARIS) if st.signer_reported_dt else None
    rep.timestamp = _ts_info(st.timestamp_validity)
    rep.certification = emb.docmdp_level is not None
    mod = st.modification_level
    rep.modification_level = mod.name if mod is not None else None
    rep.modifications = MODIFICATION_TEXT.get(mod) if mod is not None else None

    if not st.intact:
        rep.reasons.append(
            "Le contenu signé a été modifié : l'empreinte du document ne correspond plus à la signature."
        )
    elif not st.valid:
        rep.reasons.append("La valeur cryptographique de la signature est invalide.")
    if not st.trusted:
        if st.revoked:
            rep.reasons.append("Le certificat du signataire est révoqué.")
        else:
            rep.reasons.append(
                "Le certificat du signataire ne provient pas d'une autorité de confiance."
            )
    if st.coverage is None or st.coverage.name not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        rep.reasons.append("La signature ne couvre pas l'intégralité de la révision signée.")
    if mod is None or mod > ModificationLevel.FORM_FILLING:
        rep.reasons.append(rep.modifications or
                           "Le document a été modifié après cette signature.")
    if st.docmdp_ok is False:
        rep.reasons.append(
            "Les modifications apportées après la signature de certification "
            "ne sont pas permises par celle-ci."
        )
    if st.timestamp_validity is not None and not (rep.timestamp.valid and rep.timestamp.trusted):
        rep.reasons.append("L'horodatage de la signature est invalide ou non reconnu.")
    rep.valid = not rep.reasons

    # Level reached (only meaningful for a valid PAdES signature).
    if rep.valid and emb.sig_object.get("/SubFilter") == "/ETSI.CAdES.detached":
        rep.level = "B-B"
        if rep.timestamp is not None:
            rep.level = "B-T"
            if (crls or ocsps) and await _long_term_ok(emb, roots, dss, diff_policy):
                rep.level = "B-LT"
                later = [t for t in doc_ts_ok if t > emb.signed_revision]
                if later:
                    rep.level = "B-LTA"
    elif rep.valid:
        rep.level = None  # valid but not a PAdES baseline signature
    return rep


async def _check_doc_ts(emb, roots, dss, diff_policy=DEFAULT_DIFF_POLICY) -> SignatureReport:
    crls, ocsps, certs = dss
    rep = SignatureReport(field_name=emb.field_name, kind="horodatage")
    vc = _lenient_context(roots, crls, ocsps, certs)
    try:
        st = await async_validate_pdf_timestamp(emb, validation_context=vc, diff_policy=diff_policy)
    except Exception as exc:
        rep.reasons.append(
            f"L'horodatage « {emb.field_name} » est illisible ou corrompu ({type(exc).__name__})."
        )
        return rep
    finally:
        await vc.aclose()
    rep.signer = _identity(st.signing_cert)
    rep.intact, rep.cryptographically_valid, rep.trusted = bool(st.intact), bool(st.valid), bool(st.trusted)
    rep.timestamp = _ts_info(st)
    rep.coverage = st.coverage.name if st.coverage else None
    mod = st.modification_level
    rep.modification_level = mod.name if mod is not None else None
    rep.modifications = MODIFICATION_TEXT.get(mod) if mod is not None else None
    if not (st.intact and st.valid):
        rep.reasons.append("L'horodatage du document ne correspond plus au contenu.")
    if not st.trusted:
        rep.reasons.append("L'autorité d'horodatage n'est pas reconnue.")
    if mod is None or mod > ModificationLevel.FORM_FILLING:
        rep.reasons.append(rep.modifications or "Le document a été modifié après cet horodatage.")
    rep.valid = not rep.reasons
    return rep


