"""Marshmallow schemas of the juror's API (:mod:`core.evaluation.api`); French descriptions."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


# -- the grid's definition (from the certification plugin) --------------------

class JurorGridCriterionSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du critère (par exemple « C1.1 »)."))
    text = fields.Str(required=True, metadata=_d("Libellé du critère d'évaluation."))


class JurorGridCompetencySchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la compétence."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la compétence."))
    expected = fields.Str(required=True, metadata=_d("« Attendu » : le contexte dans lequel l'évaluation se fait."))
    criteria = fields.List(fields.Nested(JurorGridCriterionSchema), required=True, metadata=_d(
        "Critères à juger « acquis » ou « non acquis » (mode `criteria`) ; en mode `marks`, pour information."))


class JurorGridBlockSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du bloc de compétences."))
    title = fields.Str(required=True, metadata=_d("Intitulé du bloc."))
    competencies = fields.List(fields.Nested(JurorGridCompetencySchema), required=True)


class JurorGridScoreSchema(ResponseSchema):
    key = fields.Str(required=True, metadata=_d("Clé de la note (par exemple « ORAL »)."))
    label = fields.Str(required=True, metadata=_d("Libellé de l'épreuve notée."))
    maximum = fields.Float(required=True, metadata=_d("Note maximale (par exemple 20)."))
    eliminatory_below = fields.Float(required=True, allow_none=True, metadata=_d(
        "Note en dessous de laquelle l'épreuve est éliminatoire, ou null."))
    step = fields.Float(required=True, metadata=_d("Pas de notation conseillé (indicatif)."))


class JurorGridOutcomeSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la décision, à envoyer dans `proposal`."))
    label = fields.Str(required=True, metadata=_d("Libellé français de la décision."))
    description = fields.Str(required=True, metadata=_d("Précision sur la décision."))
    comment_required = fields.Bool(required=True, metadata=_d(
        "Vrai quand le commentaire général est obligatoire avec cette proposition."))


class JurorGridDefinitionSchema(ResponseSchema):
    title = fields.Str(required=True, metadata=_d("Titre de la grille."))
    mode = fields.Str(required=True, metadata={"enum": ["criteria", "marks"], **_d(
        "`criteria` : chaque critère acquis / non acquis ; `marks` : une note par compétence.")})
    scale = fields.Float(required=True, allow_none=True, metadata=_d("Note maximale par compétence (mode marks)."))
    threshold = fields.Float(required=True, allow_none=True, metadata=_d(
        "Note à partir de laquelle une compétence est acquise (mode marks). Aucune moyenne entre compétences."))
    block_proposals = fields.Bool(required=True, metadata=_d(
        "Vrai quand le juré propose, par bloc, « validé » ou « non validé » (`blocks`)."))
    blocks = fields.List(fields.Nested(JurorGridBlockSchema), required=True)
    scores = fields.List(fields.Nested(JurorGridScoreSchema), required=True, metadata=_d(
        "Notes hors compétences (par exemple l'oral sur 20)."))
    outcomes = fields.List(fields.Nested(JurorGridOutcomeSchema), required=True, metadata=_d(
        "Les décisions que le juré peut proposer."))


# -- the juror's grid ---------------------------------------------------------

class JurorGridMarkSchema(ResponseSchema):
    mark = fields.Float(allow_none=True, metadata=_d("La note saisie (mode marks), si c'est un nombre."))
    comment = fields.Str(required=True, metadata=_d("Commentaire sur la compétence."))


class JurorGridDataSchema(ResponseSchema):
    criteria = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata=_d(
        "Par code de critère : « met » (acquis) ou « not_met » (non acquis) ; les critères sans réponse sont absents."))
    competencies = fields.Dict(keys=fields.Str(), values=fields.Nested(JurorGridMarkSchema), required=True,
                               metadata=_d("Par code de compétence : la note et le commentaire."))
    blocks = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata=_d(
        "Par code de bloc : « validated » ou « not_validated »."))
    scores = fields.Dict(keys=fields.Str(), values=fields.Float(), required=True, metadata=_d(
        "Par clé de note (par exemple « ORAL ») : la note."))
    typed = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata=_d(
        "Notes saisies qui ne sont pas des nombres, gardées telles quelles (clé : chemin du champ)."))
    proposal = fields.Str(required=True, metadata=_d("Code de la décision proposée, ou chaîne vide."))
    comment = fields.Str(required=True, metadata=_d("Commentaire général."))


class JurorGridSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    candidate_id = fields.Int(required=True, metadata=_d("Identifiant du candidat dans la session."))
    status = fields.Str(required=True, metadata={"enum": ["new", "draft", "completed"], **_d(
        "`new` : pas encore enregistrée ; `draft` : brouillon ; `completed` : terminée.")})
    revision = fields.Int(required=True, metadata=_d(
        "Révision à renvoyer avec la prochaine modification (0 tant que la grille n'est pas enregistrée)."))
    updated_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Dernier enregistrement."))
    completed_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date à laquelle la grille a été terminée."))
    editable = fields.Bool(required=True, metadata=_d("Vrai quand la grille peut être modifiée maintenant."))
    locked_reason = fields.Str(required=True, allow_none=True, metadata=_d(
        "Pourquoi la grille ne peut pas changer maintenant (en français), ou null."))
    answered = fields.Int(required=True, metadata=_d("Nombre de réponses données."))
    expected = fields.Int(required=True, metadata=_d("Nombre de réponses attendues."))
    data = fields.Nested(JurorGridDataSchema, required=True, metadata=_d("Ce que le juré a saisi."))
    problems = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()), required=True, metadata=_d(
        "Ce qui empêche de terminer la grille, par chemin de champ (`criteria.C1.1`, `competencies.C1.mark`, "
        "`blocks.BC01`, `scores.ORAL`, `proposal`, `comment`)."))
    definition = fields.Nested(JurorGridDefinitionSchema, required=True, metadata=_d("La grille de la certification."))


class JurorGridMarkInputSchema(RequestSchema):
    mark = fields.Raw(load_default=None, allow_none=True, metadata=_d(
        "La note (mode marks) : un nombre, ou un texte (« 3,5 » accepté) ; un texte qui n'est pas un nombre est "
        "gardé tel quel et signalé dans `problems`."))
    comment = fields.Str(load_default="", allow_none=True, validate=validate.Length(max=20000),
                         metadata=_d("Commentaire sur la compétence."))


class JurorGridInputSchema(RequestSchema):
    revision = fields.Int(required=True, validate=validate.Range(min=0), metadata=_d(
        "La révision lue (0 pour une grille jamais enregistrée) ; une révision dépassée est refusée (409)."))
    criteria = fields.Dict(keys=fields.Str(), values=fields.Str(allow_none=True), load_default=dict, metadata=_d(
        "Par code de critère : « met », « not_met » ou null."))
    competencies = fields.Dict(keys=fields.Str(), values=fields.Nested(JurorGridMarkInputSchema),
                               load_default=dict, metadata=_d("Par code de compétence : note et commentaire."))
    blocks = fields.Dict(keys=fields.Str(), values=fields.Str(allow_none=True), load_default=dict, metadata=_d(
        "Par code de bloc : « validated », « not_validated » ou null."))
    scores = fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True), load_default=dict, metadata=_d(
        "Par clé de note : un nombre ou un texte."))
    proposal = fields.Str(load_default=None, allow_none=True, metadata=_d("Code de la décision proposée."))
    comment = fields.Str(load_default="", allow_none=True, validate=validate.Length(max=20000),
                         metadata=_d("Commentaire général (obligatoire pour certaines décisions)."))


class JurorGridRevisionSchema(RequestSchema):
    revision = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0), metadata=_d(
        "La révision lue ; si elle est donnée et dépassée, la demande est refusée (409)."))


# -- the dossier as the juror reads it ----------------------------------------

class JurorAnnexSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de l'annexe dans le dossier déposé."))
    title = fields.Str(required=True, metadata=_d("Titre de l'annexe."))
    filename = fields.Str(required=True, metadata=_d("Nom du fichier."))
    media_type = fields.Str(required=True, metadata=_d("Type du fichier (vérifié au dépôt)."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 scellée avec le dossier."))
    competencies = fields.List(fields.Str(), required=True, metadata=_d("Compétences auxquelles l'annexe se rapporte."))
    scan_state = fields.Str(required=True, metadata=_d("Analyse antivirus : clean, pending, infected, error, "
                                                       "not_scanned ou unknown."))
    readable = fields.Bool(required=True, metadata=_d("Vrai quand le fichier peut être ouvert."))
    inline = fields.Bool(required=True, metadata=_d("Vrai quand le navigateur l'affiche en place (PDF, images)."))
    refusal = fields.Str(required=True, allow_none=True, metadata=_d("Pourquoi il ne peut pas être ouvert, ou null."))
    deliverable = fields.Str(required=True, allow_none=True, metadata=_d(
        "Code du livrable d'épreuve (E1, E2…) quand l'annexe en est un, sinon null."))
    pages = fields.Int(required=True, allow_none=True, metadata=_d(
        "Nombre de pages scellé avec un livrable, sinon null."))
    links = fields.Dict(required=True, metadata=_d(
        "`content` : le fichier (en place pour un PDF ou une image) ; `page` : la page de lecture du dossier."))


class JurorCompetencyAnnexesSchema(ResponseSchema):
    block = fields.Str(required=True, metadata=_d("Code du bloc."))
    code = fields.Str(required=True, metadata=_d("Code de la compétence."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la compétence."))
    annexes = fields.List(fields.Nested(JurorAnnexSchema), required=True, metadata=_d(
        "Les annexes que le candidat a rattachées à cette compétence."))


class JurorEvaluationDeliverablesSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de l'épreuve (E1, E2…)."))
    title = fields.Str(required=True, metadata=_d("Intitulé de l'épreuve."))
    expected = fields.List(fields.Str(), required=True, metadata=_d(
        "Codes des livrables que la voie d'accès du candidat demande pour cette épreuve."))
    deliverables = fields.List(fields.Nested(JurorAnnexSchema), required=True, metadata=_d(
        "Les livrables déposés pour cette épreuve (vide : aucun)."))


class JurorLivretSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du document."))
    title = fields.Str(required=True, metadata=_d("Titre du document."))
    filename = fields.Str(required=True, metadata=_d("Nom du fichier."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du PDF scellé."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    links = fields.Dict(required=True, metadata=_d("`content` : le PDF scellé (API des documents)."))


class JurorDossierSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    candidate_id = fields.Int(required=True, metadata=_d("Identifiant du candidat dans la session."))
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    reference = fields.Str(required=True, metadata=_d("Référence du dossier."))
    candidate_name = fields.Str(required=True, metadata=_d("Prénom et nom du candidat."))
    version = fields.Int(required=True, metadata=_d("Numéro de la version déposée lue (la dernière)."))
    submitted_at = UtcDateTime(required=True, metadata=_d("Date du dépôt de cette version."))
    livret2 = fields.Nested(JurorLivretSchema, required=True, allow_none=True, metadata=_d(
        "Le Livret 2 signé et scellé au dépôt, ou null s'il n'est pas disponible."))
    competencies = fields.List(fields.Nested(JurorCompetencyAnnexesSchema), required=True, metadata=_d(
        "Chaque compétence de la certification, dans l'ordre du référentiel, avec ses annexes."))
    unlinked = fields.List(fields.Nested(JurorAnnexSchema), required=True, metadata=_d(
        "Les annexes rattachées à aucune compétence."))
    annexes = fields.List(fields.Nested(JurorAnnexSchema), required=True, metadata=_d(
        "Toutes les annexes de la version, par numéro."))
    evaluations = fields.List(fields.Nested(JurorEvaluationDeliverablesSchema), required=True, metadata=_d(
        "Les livrables par épreuve d'un candidat d'une voie à livrables (formation) ; vide sinon."))
