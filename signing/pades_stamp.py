"""The visible block of a PAdES signature: where it goes (:class:`Placement`, stacked slots), its text,
and its style (a Latin subset of DejaVu Sans, built once and cached on disk).

Part of :mod:`signing.pades`, which re-exports every name.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from .errors import ConfigurationError

# fontTools reports every table it drops while subsetting the stamp font
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

PARIS = ZoneInfo("Europe/Paris")
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
STAMP_W, STAMP_H, STAMP_MARGIN, STAMP_GAP = 260, 64, 28, 6

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
