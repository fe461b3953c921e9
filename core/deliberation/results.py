"""Sealed results: the candidate's own result and the certifier's results dashboard.

Nothing of a deliberation reaches the candidate before its procès-verbal is
sealed (``JuryDecision.sealed_at``, set by the PV area). The dashboard counts
sealed decisions that are not superseded (a correction in progress keeps the
old figures until its corrective PV is sealed).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from flask import current_app
from sqlalchemy import select

from core.auth.models import Organisation
from core.certifications.descriptor import Block, Certification, Grid
from core.deliberation.services import ABSENT, failing_outcome, outcome_label, today, vae_label
from core.dossiers.models import Dossier
from core.extensions import db
from core.jury.models import JuryDecision, JurySession, SessionCandidate
from core.jury.services import grid_of


# ---------------------------------------------------------------------------
# the candidate's result
# ---------------------------------------------------------------------------

@dataclass
class SealedResult:
    decision: JuryDecision
    cert: Certification
    grid: Grid

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.grid, self.decision.outcome)

    @property
    def absent(self) -> bool:
        return self.decision.outcome == ABSENT

    @property
    def success(self) -> bool:
        return self.decision.outcome == self.grid.outcomes[0].code

    @property
    def failed(self) -> bool:
        return self.decision.outcome == failing_outcome(self.grid)

    @property
    def validated_blocks(self) -> list[Block]:
        codes = set(self.decision.validated_blocks or [])
        return [b for b in self.cert.blocks if b.code in codes]

    @property
    def show_blocks(self) -> bool:
        """Blocks matter when the certification validates them one by one (RNCP37827)."""
        return bool(self.cert.rules and self.cert.rules.block_validation) and not self.absent

    @property
    def vae_outcome_label(self) -> str:
        return vae_label(self.cert, self.decision.vae_outcome) if self.decision.vae_outcome else ""

    @property
    def retake_until(self) -> date | None:
        return self.decision.retake_until

    @property
    def retake_open(self) -> bool:
        return self.retake_until is not None and self.retake_until >= today()

    @property
    def retake_free(self) -> bool:
        return bool(self.cert.rules and self.cert.rules.retake_free)

    @property
    def retakes(self) -> int:
        return self.cert.rules.retakes if self.cert.rules else 0


def sealed_decision_of(dossier: Dossier) -> SealedResult | None:
    """The dossier's latest sealed decision (its PV sealed), or ``None``: nothing before sealing."""
    decision = db.session.scalar(
        select(JuryDecision).join(SessionCandidate, SessionCandidate.id == JuryDecision.candidate_id)
        .where(SessionCandidate.dossier_id == dossier.id, JuryDecision.sealed_at.is_not(None))
        .order_by(JuryDecision.sealed_at.desc(), JuryDecision.id.desc()).limit(1))
    if decision is None:
        return None
    certs = current_app.extensions["livret"].certifications
    cert = certs.get(dossier.certification_code)
    if cert is None:
        return None
    return SealedResult(decision, cert, grid_of(cert))


# ---------------------------------------------------------------------------
# the results dashboard
# ---------------------------------------------------------------------------

@dataclass
class Bar:
    label: str
    value: int


@dataclass
class Rate:
    code: str
    title: str
    validated: int
    assessed: int

    @property
    def rate(self) -> float | None:
        return self.validated / self.assessed if self.assessed else None


@dataclass
class CertificationResults:
    code: str
    title: str
    decisions: int
    outcome_bars: list[Bar]
    blocks: list[Rate]
    competencies: list[Rate]
    block_validation: bool

    @property
    def block_bars(self) -> list[Bar]:
        return [Bar(r.code, r.validated) for r in self.blocks]

    @property
    def competency_bars(self) -> list[Bar]:
        return [Bar(r.code, r.validated) for r in self.competencies]


def _sealed_decisions(org: Organisation, code: str) -> list[JuryDecision]:
    return list(db.session.scalars(
        select(JuryDecision).join(SessionCandidate, SessionCandidate.id == JuryDecision.candidate_id)
        .join(JurySession, JurySession.id == SessionCandidate.session_id)
        .where(JurySession.organisation_id == org.id, JurySession.certification_code == code,
               JuryDecision.sealed_at.is_not(None), JuryDecision.superseded_at.is_(None))))


def _results(cert: Certification, decisions: list[JuryDecision]) -> CertificationResults:
    grid = grid_of(cert)
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.outcome] = counts.get(d.outcome, 0) + 1
    codes = [o.code for o in grid.outcomes] + [ABSENT]
    bars = [Bar(outcome_label(grid, c), counts.get(c, 0)) for c in codes]
    bars += [Bar(c, n) for c, n in counts.items() if c not in codes]
    assessed = [d for d in decisions if d.outcome != ABSENT]
    blocks = [Rate(b.code, b.title, sum(b.code in (d.validated_blocks or []) for d in assessed), len(assessed))
              for b in cert.blocks]
    comps = [Rate(c.code, c.title, sum(c.code in (d.acquired_competencies or []) for d in assessed), len(assessed))
             for c in cert.competencies]
    return CertificationResults(cert.code, cert.title, len(decisions), bars, blocks, comps,
                                bool(cert.rules and cert.rules.block_validation))


def results_by_certification(org: Organisation) -> list[CertificationResults]:
    """For each installed certification the organisation delivers: its sealed decisions by outcome,
    blocks validated / assessed and competencies acquired / assessed (absent candidates are not assessed)."""
    certs = current_app.extensions["livret"].certifications
    return [_results(certs[code], _sealed_decisions(org, code))
            for code in sorted(org.certification_codes) if code in certs]

