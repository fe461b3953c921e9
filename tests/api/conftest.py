"""Fixtures for the API tests: bearer tokens and a throwaway certification plugin."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

import pytest

from core.certifications.descriptor import (
    Block, Certification, Competency, Criterion, DecisionRules, Deadline, Evaluation, EvaluationScheme, Fee,
    JuryRule, Outcome, ScheduleStep)
from core.hookspecs import hookimpl


@pytest.fixture
def make_token(app) -> Callable[..., str]:
    """``make_token(user, name="test", days=None, expired=False, revoked=False)`` returns the secret."""
    from core.api.services import issue_token
    from core.auth.models import User, utcnow
    from core.extensions import db

    def factory(user: Any, name: str = "test", days: int | None = None, expired: bool = False,
                revoked: bool = False) -> str:
        with app.app_context():
            secret, token = issue_token(db.session.get(User, user.id), name=name, days=days)
            if expired:
                token.expires_at = utcnow() - timedelta(minutes=1)
            if revoked:
                token.revoked_at = utcnow()
            db.session.commit()
        return secret

    return factory


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    """``bearer(secret)``: the request headers carrying that token."""
    return lambda secret: {"Authorization": f"Bearer {secret}"}


THROWAWAY = Certification(
    code="TEST42",
    title="Certification de test",
    certifier="Organisme de test",
    registry="RS",
    level="Niveau 5",
    summary="Une certification déclarée par une extension jetable.",
    access_routes=("VAE",),
    blocks=(
        Block(code="B1", title="Premier bloc", reference="TEST42BC01", evaluations=("E1",),
              evidence_examples=("Rapport",),
              competencies=(
                  Competency(code="C1", title="Analyser un besoin", evaluations=("E1",), expected="En entreprise",
                             criteria=(Criterion("C1.1", "Le besoin est reformulé"),
                                       Criterion("C1.2", "Les contraintes sont listées"))),
                  Competency(code="C2", title="Rédiger une synthèse", evaluations=("E2",), editable=True,
                             criteria=(Criterion("C2.1", "La synthèse est claire"),)),
              )),
        Block(code="B2", title="Second bloc", competencies=(
            Competency(code="C3", title="Présenter un résultat", evaluations=("E2",)),)),
    ),
    scheme=EvaluationScheme(
        summary="Un cas pratique puis un oral.",
        evaluations=(
            Evaluation(code="E1", kind="Cas pratique", title="Étude de cas", competencies=("C1",),
                       duration_minutes=120, deliverable="Un rapport", candidate_tasks=("Analyser",)),
            Evaluation(code="E2", kind="Oral", title="Soutenance", competencies=("C2", "C3"),
                       duration_minutes=30, max_score=20, eliminatory_below=10),
        ),
        schedule=(ScheduleStep("Présentation", 20, True), ScheduleStep("Délibération", 10, False)),
        total_minutes=150,
    ),
    rules=DecisionRules(
        summary=("Chaque compétence doit atteindre 3,5 sur 5.",),
        outcomes=(Outcome("valid", "Validation totale"), Outcome("refused", "Refus", comment_required=True)),
        competency_scale=5, competency_threshold=3.5, averaging=False, retakes=1, retake_within_days=365,
        retake_free=True,
    ),
    jury_rules=(JuryRule("size", "Deux membres au moins."),),
    fee=Fee(amount_cents=12050, currency="EUR", label="Frais d'examen", refundable=True),
    deadlines=(Deadline("written", "Remise de l'écrit", 10, "la fin de la formation"),),
    notes=("Intitulés à confirmer.",),
)


class CertificationPlugin:
    """A throwaway plugin declaring the given certifications."""

    def __init__(self, *certifications: Certification):
        self.certifications = list(certifications)

    @hookimpl
    def livret_certifications(self):
        return self.certifications


@pytest.fixture
def throwaway_descriptor() -> Certification:
    return THROWAWAY


@pytest.fixture
def certification_plugin() -> Callable[..., CertificationPlugin]:
    """``certification_plugin(*certifications)``: a plugin object to register."""
    return CertificationPlugin


@pytest.fixture
def throwaway_certification(register_plugin) -> Certification:
    register_plugin(CertificationPlugin(THROWAWAY), "throwaway_api_test")
    return THROWAWAY
