"""RS6776 « Création de contenus rédactionnels et visuels par l'usage
responsable de l'intelligence artificielle générative » (Inkréa Certifications).

Every rule below is transcribed from the certification's règlement (sections
1 to 8); the README of this distribution says where each piece comes from.

The règlement says that the written test has six practical cases, each one
matching one competency of the référentiel, but it does not name the six
competencies. Their titles are therefore data, read from
``competencies.toml`` beside this module: provisional labels marked
``editable`` (« intitulé à confirmer ») until the certifier records the
official wording there. Nothing here invents official wording.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.certifications.descriptor import (
    Block,
    Certification,
    Competency,
    Criterion,
    Deadline,
    DecisionRules,
    Evaluation,
    EvaluationScheme,
    Outcome,
)

CODE = "RS6776"
TITLE = (
    "Création de contenus rédactionnels et visuels par l'usage responsable de l'intelligence artificielle générative"
)
CERTIFIER = "Inkréa Certifications"
COMPETENCY_COUNT = 6
COMPETENCIES_FILE = Path(__file__).parent / "competencies.toml"

# Section 3: what the written test assesses « pour chaque compétence ».
CRITERION = (
    "La capacité du candidat à mobiliser les usages responsables de l'intelligence artificielle générative dans la "
    "création de contenus rédactionnels et visuels, conformément aux critères définis par le certificateur."
)

UNCONFIRMED_NOTE = (
    "Les intitulés officiels des six compétences du référentiel ne figurent pas dans le règlement de certification : "
    "les intitulés affichés sont provisoires et doivent être complétés par le certificateur."
)
FEE_NOTE = (
    "Le règlement ne précise pas le montant des frais de certification ; ils ne sont pas facturés par Inkréa "
    "Certifications pour le second passage (rattrapage)."
)


@dataclass(frozen=True)
class CompetencyData:
    """One entry of ``competencies.toml``."""

    code: str
    title: str
    confirmed: bool = False
    criteria: tuple[str, ...] = ()


class CompetencyDataError(ValueError):
    """``competencies.toml`` does not describe the six competencies C1..C6."""


def load_competencies(path: Path = COMPETENCIES_FILE) -> tuple[CompetencyData, ...]:
    """Read and check the competency data file (six entries, codes C1..C6 in order, titles not empty)."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CompetencyDataError(f"{path}: cannot be read: {exc}") from exc
    entries = raw.get("competency", [])
    expected_codes = [f"C{n}" for n in range(1, COMPETENCY_COUNT + 1)]
    codes = [str(entry.get("code", "")) for entry in entries]
    if codes != expected_codes:
        raise CompetencyDataError(f"{path}: expected competencies {expected_codes}, found {codes}")
    data = []
    for entry in entries:
        title = str(entry.get("title", "")).strip()
        if not title:
            raise CompetencyDataError(f"{path}: competency {entry['code']} has no title")
        criteria = entry.get("criteria", [])
        if not isinstance(criteria, list) or not all(isinstance(c, str) and c.strip() for c in criteria):
            raise CompetencyDataError(f"{path}: competency {entry['code']}: criteria must be a list of texts")
        confirmed = entry.get("confirmed", False)
        if not isinstance(confirmed, bool):
            raise CompetencyDataError(f"{path}: competency {entry['code']}: confirmed must be true or false")
        data.append(CompetencyData(entry["code"], title, confirmed, tuple(c.strip() for c in criteria)))
    return tuple(data)


def _competency(number: int, data: CompetencyData) -> Competency:
    texts = data.criteria or (CRITERION,)
    return Competency(
        code=data.code,
        title=data.title,
        criteria=tuple(Criterion(f"{data.code}.{i}", text) for i, text in enumerate(texts, start=1)),
        evaluations=("ECRIT", "ORAL"),
        expected=f"Cas pratique {number} de l'épreuve écrite.",
        editable=not data.confirmed,
    )


COMPETENCY_CODES = tuple(f"C{n}" for n in range(1, COMPETENCY_COUNT + 1))

SCHEME = EvaluationScheme(
    summary=(
        "Le passage de la certification consiste en un écrit à rendre sous 10 jours après la fin de la formation, "
        "basé sur 6 cas pratiques, suivi d'une soutenance orale de 20 minutes."
    ),
    evaluations=(
        Evaluation(
            code="ECRIT",
            kind="Épreuve écrite",
            title="Évaluation pratique composée de six cas pratiques, chacun correspondant à une compétence du "
                  "référentiel",
            competencies=COMPETENCY_CODES,
            deliverable="Évaluation écrite complétée, à transmettre dans un délai de dix jours après la fin de la "
                        "formation",
            assessment="L'évaluation écrite permet d'apprécier, pour chaque compétence, la capacité du candidat à "
                       "mobiliser les usages responsables de l'intelligence artificielle générative dans la création "
                       "de contenus rédactionnels et visuels, conformément aux critères définis par le certificateur.",
            max_score=5,
        ),
        Evaluation(
            code="ORAL",
            kind="Épreuve orale",
            title="Échange entre le candidat et le jury",
            competencies=COMPETENCY_CODES,
            duration_minutes=20,
            assessment="La soutenance orale fait l'objet d'une notation sur 20 points. Une note inférieure à 10/20 "
                       "est éliminatoire. La note de l'épreuve orale est reportée dans la grille d'évaluation "
                       "transmise au certificateur.",
            candidate_tasks=(
                # « au cours duquel le candidat : »
                "justifie les réponses apportées lors de l'épreuve écrite",
                "explicite ses choix et démarches",
                "démontre la maîtrise des compétences visées par la certification",
            ),
            max_score=20,
            eliminatory_below=10,
        ),
    ),
)

RULES = DecisionRules(
    summary=(
        "Chaque compétence est évaluée individuellement à partir de critères définis dans la grille d'évaluation "
        "du certificateur.",
        "Une compétence est considérée comme acquise lorsque la note minimale de 3,5 / 5 est atteinte.",
        "Toute compétence non validée entraîne la non-validation de la certification.",
        "Il n'est pas appliqué de moyenne globale entre les compétences.",
        "La soutenance orale fait l'objet d'une notation sur 20 points ; une note inférieure à 10/20 est "
        "éliminatoire.",
        "À l'issue des épreuves, les résultats font l'objet d'une délibération par le jury.",
        "Les résultats sont communiqués par Inkréa Certifications.",
        "En cas d'échec à la certification, le candidat peut se présenter à une session de rattrapage.",
        "Le rattrapage peut être effectué dans un délai maximal d'un an après l'échec.",
        "Un seul rattrapage est autorisé.",
        "Les frais de certification ne sont pas facturés par Inkréa Certifications pour ce second passage.",
    ),
    outcomes=(
        Outcome("acquise", "Certification obtenue",
                "Obtention de la certification professionnelle RS6776, délivrée par Inkréa Certifications."),
        Outcome("non_acquise", "Certification non obtenue",
                "Non-obtention de la certification professionnelle RS6776."),
    ),
    block_validation=False,
    competency_scale=5,
    competency_threshold=3.5,
    averaging=False,
    retakes=1,
    retake_within_days=365,
    retake_free=True,
    notify_success="En cas de réussite, le candidat reçoit un courriel de réussite de la part du certificateur, "
                   "incluant son certificat nominatif.",
    notify_failure="Aucun courrier n'est adressé directement au candidat par le certificateur concernant l'échec.",
)

DEADLINES = (
    Deadline(
        key="written_after_training",
        label="Transmission de l'évaluation écrite complétée",
        days=10,
        after="après la fin de la formation",
    ),
    Deadline(
        key="retake_after_failure",
        label="Rattrapage (un seul, délai maximal d'un an)",
        days=365,
        after="après l'échec",
    ),
)

EXTRA = {
    # Section 4: when the oral takes place and what it may be used for.
    "oral_timing": "Elle se déroule quelques jours après le rendu de l'évaluation écrite.",
    # « l'épreuve orale peut permettre : »
    "oral_may": (
        "d'approfondir certains éléments jugés insuffisamment démontrés à l'écrit",
        "de compléter l'évaluation d'une compétence lorsque les éléments apportés lors de la soutenance permettent "
        "au jury de statuer sur son acquisition",
    ),
    # Section 2: obligation for candidates financed by their CPF.
    "cpf": (
        "Le passage de l'évaluation est obligatoire pour tout candidat utilisant ses droits CPF pour financer la "
        "formation.",
        "En cas de refus de passer l'examen, un remboursement de la formation pourra lui être demandé.",
    ),
    "written_cases": COMPETENCY_COUNT,
    "competencies_file": COMPETENCIES_FILE.name,
}


def build_certification(competencies: tuple[CompetencyData, ...]) -> Certification:
    """The RS6776 descriptor for the given competency data (see :func:`load_competencies`)."""
    notes = [FEE_NOTE]
    if not all(c.confirmed for c in competencies):
        notes.insert(0, UNCONFIRMED_NOTE)
    return Certification(
        code=CODE,
        title=TITLE,
        certifier=CERTIFIER,
        registry="RS",
        level="",
        summary="Certification enregistrée auprès de France Compétences par Inkréa Certifications sous le numéro "
                "RS6776.",
        blocks=(
            Block(
                code=CODE,
                title=TITLE,
                competencies=tuple(_competency(n, c) for n, c in enumerate(competencies, start=1)),
                evaluations=("ECRIT", "ORAL"),
            ),
        ),
        scheme=SCHEME,
        rules=RULES,
        fee=None,
        deadlines=DEADLINES,
        notes=tuple(notes),
        extra=dict(EXTRA),
    )


CERTIFICATION = build_certification(load_competencies())
