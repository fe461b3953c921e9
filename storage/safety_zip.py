"""Upload checks of ZIP-based documents (DOCX, ODT, XLSX, ODS): :func:`inspect_zip_container` inspects the
container member by member (names, encryption, sizes, a streaming decompression within a budget), tells
its kind from its structure and refuses macros, ActiveX, OLE objects and plain archives.

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from xml.etree import ElementTree

from flask_babel import lazy_gettext as _l

from .base import CHUNK_SIZE
from .safety_types import DOCX, ODS, ODT, XLSX, FileType, UploadPolicy, UploadRefused, _refuse_archive

# -- ZIP containers (DOCX, ODT) ------------------------------------------------------
_ODF_TYPES = {ODT.media_type: ODT, ODS.media_type: ODS}
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_MACRO_CONTENT_TYPES = ("vbaproject", "macroenabled", "activex", "vbadata", "ms-office.vba")
_MACRO_MEMBER_RE = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml|activex[^/]*\.(bin|xml))$|(^|/)activex/",
                              re.IGNORECASE)
_OLE_MEMBER_RE = re.compile(r"(^|/)oleobject[^/]*\.bin$|\.(exe|dll|scr|bat|cmd|com|js|vbs|ps1|jar|msi|docm|dotm|"
                            r"xlsm|xltm|pptm|potm|xlam|ppam|sldm)$", re.IGNORECASE)
_ODF_SCRIPT_RE = re.compile(r"^(basic|scripts)/", re.IGNORECASE)


def _container_invalid():
    return UploadRefused("container_invalid", _l("Ce document est endommagé ou n'est pas un document bureautique valide."))


def _zip_bomb(**details):
    return UploadRefused(
        "container_too_large",
        _l("Ce document se décompresse en une taille anormale (fichier piégé ou trop volumineux) : il est refusé."),
        **details)


def _macros(member: str):
    return UploadRefused(
        "macros",
        _l("Ce document contient des macros, des contrôles ActiveX ou des objets exécutables intégrés : "
           "enregistrez-le sans macros (DOCX ou ODT) et déposez-le à nouveau."),
        member=member)


def _safe_member_name(name: str) -> bool:
    if not name or len(name) > 512 or "\\" in name or name.startswith("/") or "\0" in name:
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        return False
    return all(part not in ("..", ".") for part in name.rstrip("/").split("/"))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with zf.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise _zip_bomb(member=info.filename)
    return data


def _parse_xml(data: bytes):
    # No DTDs: they are what entity-expansion attacks need, and no office part has one.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _container_invalid()
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise _container_invalid() from None


def inspect_zip_container(path, policy: UploadPolicy) -> FileType:
    """Inspect a ZIP-based file before anything uses it; return DOCX/ODT/… or refuse.

    Checks: readable central directory; member count; member names (no absolute
    path, no ``..``, no backslash, no drive letter, no control character, no
    duplicate); no encrypted member; declared total size and per-member
    compression ratio; then *every* member is decompressed in a streaming pass
    with a byte budget (so lying headers cannot hide a bomb) and CRC-checked by
    :mod:`zipfile`. The kind comes from the structure: ODF needs a first,
    uncompressed ``mimetype`` member and ``META-INF/manifest.xml``; OOXML needs
    ``[Content_Types].xml`` naming the main part. Macros (``vbaProject.bin``,
    macro-enabled content types, ActiveX, OLE objects, executables, ODF ``Basic/``
    and ``Scripts/``) are refused. A ZIP that is neither is an archive: refused.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _container_invalid() from None
    with zf:
        infos = zf.infolist()
        if not infos:
            raise _container_invalid()
        if len(infos) > policy.max_archive_members:
            raise _zip_bomb(members=len(infos))
        names = set()
        total_declared = 0
        for info in infos:
            if not _safe_member_name(info.filename):
                raise UploadRefused("unsafe_member_name",
                                    _l("Ce document contient un chemin interne dangereux et ne peut pas être accepté."),
                                    member=info.filename[:200])
            if info.filename in names:
                raise _container_invalid()
            names.add(info.filename)
            if info.flag_bits & 0x1:
                raise UploadRefused("container_encrypted",
                                    _l("Ce document est chiffré : déposez une version sans mot de passe."))
            total_declared += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > policy.max_compression_ratio * max(info.compress_size, 1):
                raise _zip_bomb(member=info.filename, ratio=info.file_size // max(info.compress_size, 1))
        if total_declared > policy.max_uncompressed_size:
            raise _zip_bomb(declared=total_declared)

        kind = _container_kind(zf, infos, names)
        if kind is None:
            raise _refuse_archive("application/zip")

        for info in infos:
            lowered = info.filename.lower()
            if _MACRO_MEMBER_RE.search(lowered) or _OLE_MEMBER_RE.search(lowered):
                raise _macros(info.filename)
            if kind in (ODT, ODS) and _ODF_SCRIPT_RE.match(info.filename):
                raise _macros(info.filename)

        # Decompress everything once, streaming, within the budget; zipfile checks CRCs
        # and that the data match the declared sizes.
        budget = policy.max_uncompressed_size
        try:
            for info in infos:
                if info.is_dir():
                    continue
                produced = 0
                with zf.open(info) as member:
                    while True:
                        block = member.read(CHUNK_SIZE)
                        if not block:
                            break
                        produced += len(block)
                        budget -= len(block)
                        if budget < 0:
                            raise _zip_bomb(member=info.filename)
                if produced != info.file_size:
                    raise _container_invalid()
        except UploadRefused:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError):
            raise _container_invalid() from None
        except Exception:  # noqa: BLE001 - zlib.error, lzma errors …
            raise _container_invalid() from None
    return kind


def _container_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], names: set[str]) -> FileType | None:
    first = infos[0]
    if first.filename == "mimetype":
        if first.compress_type != zipfile.ZIP_STORED:
            raise _container_invalid()
        mimetype = _read_member(zf, first, 200).decode("ascii", "replace").strip()
        kind = _ODF_TYPES.get(mimetype)
        if kind is None:
            if mimetype.startswith("application/vnd.oasis.opendocument"):
                return FileType("odf-other", mimetype, (), "OpenDocument")
            raise _container_invalid()
        if "META-INF/manifest.xml" not in names:
            raise _container_invalid()
        manifest = _parse_xml(_read_member(zf, zf.getinfo("META-INF/manifest.xml"), 1024 * 1024))
        for entry in manifest.iter():
            media = (entry.attrib.get("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}media-type") or "").lower()
            if "basic" in media or "script" in media:
                raise _macros("META-INF/manifest.xml")
        return kind
    if "[Content_Types].xml" in names:
        types = _parse_xml(_read_member(zf, zf.getinfo("[Content_Types].xml"), 1024 * 1024))
        content_types = []
        for entry in types.iter():
            ct = entry.attrib.get("ContentType")
            if ct:
                content_types.append((entry.attrib.get("PartName", ""), ct))
        for part, ct in content_types:
            if any(marker in ct.lower() for marker in _MACRO_CONTENT_TYPES):
                raise _macros(part or ct)
        if "_rels/.rels" not in names:
            raise _container_invalid()
        for part, ct in content_types:
            kind = _OOXML_MAIN.get(ct)
            if kind is not None:
                if part.lstrip("/") not in names:
                    raise _container_invalid()
                return kind
        return FileType("ooxml-other", "application/vnd.openxmlformats-officedocument", (), "Office Open XML")
    return None
