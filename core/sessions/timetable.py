"""Each candidate's passage, generated from the session's schedule and the candidate's dossier.

The session's schedule (``JurySession.schedule``, e.g. RNCP37827 Annexe 2) is
the passage of a candidate for the whole certification. A candidate who
presents one block only (``Dossier.target_block``, on a route with
``blocks_alone``) passes that block's oral instead (``scheme.block_orals``,
RNCP37827 Annexe 1 « Oral de passage du bloc 2 (Total 45 minutes) »): the steps
*with the candidate* are replaced by the parts of that oral, the steps without
them (review of the dossier, deliberation, break) are kept. The session's
timetable adds the passages up, candidate after candidate.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from core.dossiers.routes import block_oral_of
from core.jury import services as jury


def _part_title(oral, part) -> str:
    codes = "+".join(part.evaluations)
    title = _("%(oral)s – %(codes)s : %(activity)s", oral=oral.title, codes=codes, activity=part.activity)
    if part.deliverable:
        title += " " + _("(livrable : %(d)s)", d=part.deliverable)
    return title


def steps_for(session, candidate) -> list[dict[str, Any]]:
    """The steps ``{"title", "minutes", "with_candidate"}`` of one candidate's passage."""
    steps = [dict(s) for s in session.schedule or []]
    oral = block_oral_of(candidate.dossier, jury.certification_of(session)) if candidate.dossier else None
    if oral is None:
        return steps
    parts = [{"title": _part_title(oral, p), "minutes": int(p.minutes), "with_candidate": True} for p in oral.parts]
    present = [i for i, s in enumerate(steps) if s.get("with_candidate")]
    if not present:
        return parts + steps
    return steps[:present[0]] + parts + steps[present[-1] + 1:]


def passage_minutes(session, candidate) -> int:
    """How long one candidate's passage lasts (the length of their slot)."""
    return sum(int(s.get("minutes") or 0) for s in steps_for(session, candidate))


def oral_minutes(session, candidate) -> int:
    """The minutes spent with the candidate (25, 45 or 40 for RNCP37827's block orals)."""
    return sum(int(s.get("minutes") or 0) for s in steps_for(session, candidate) if s.get("with_candidate"))
