"""Privacy API: the person's rights, self-service (see core/privacy/api.py and docs/privacy.md).

``GET /me/export`` (the ZIP of everything held about the token's person), ``GET``/``POST /me/requests``
(rectification of sealed data, objection), ``GET /me/erasure`` (what erasing the account would do) and
``DELETE /me`` (erase it, password typed again). The names and language are changed with
``PATCH /api/v1/me`` (:func:`core.api.views.update_me`). Counterparts of the account page and of the pages
« Demander une rectification » and « Supprimer mon compte » (:data:`core.api.parity.PAGE_ACTIONS`).
"""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.auth import attempts  # noqa: F401  (declares the 429 TooManyPasswordAttempts)
from core.extensions import db
from core.privacy import export as export_service  # noqa: F401  (declares the 429 ExportTooFrequent)
from core.privacy.api import blueprint
from core.privacy.erasure import erase
from core.privacy.erasure_plan import plan
from core.privacy.schemas_rights import (  # noqa: F401  (schemas named in the docstrings)
    ErasureCreateSchema, ErasureDoneSchema, ErasurePlanSchema, MyPrivacyRequestCreateSchema,
    MyPrivacyRequestListSchema, MyPrivacyRequestSchema)
from core.privacy.self_service import create_request, requests_of

EXPORT_RESPONSE = "PersonalDataExport"

declare_error_response(
    "ErasureRefused", code="erasure_refused",
    description="Effacement impossible pour l'instant : une session de jury qui tient l'un de vos dossiers "
                "n'est pas terminée (`erasure_refused` ; `details.sessions` les nomme, `details.possible_from` "
                "donne le jour à partir duquel ce sera possible), ou le compte n'est pas un compte candidat "
                "(`erasure_not_self_service` : l'administration de la plateforme le ferme sur demande). Rien "
                "n'est effacé.",
    message="Votre compte ne peut pas encore être supprimé : la session de jury « Session de juin », qui examine "
            "votre dossier, n'est pas terminée. La suppression sera possible à partir du 01/07/2026, une fois le "
            "procès-verbal de la session scellé.")
declare_error_response(
    "ErasurePasswordRefused", code="reauthentication_failed",
    description="Mot de passe incorrect (la tentative est comptée, voir 429) : rien n'est effacé.",
    message="Mot de passe incorrect : votre compte n'a pas été supprimé.")


def _export_file_response():
    from core.api.spec import declare_file_response

    return declare_file_response(
        EXPORT_RESPONSE, checkable=False, media_types=["application/zip"],
        description="L'archive ZIP de vos données, en pièce jointe, produite au fil de l'eau : `donnees.json`, "
                    "le dossier `fichiers/` (pièces jointes et documents délivrés) et `SHA256SUMS` (empreinte "
                    "SHA-256 de chaque fichier de l'archive, format `sha256sum -c`).")


_export_file_response()


def _request_json(row) -> dict:
    return MyPrivacyRequestSchema().dump({
        "id": row.id, "kind": row.kind.value, "status": row.status.value,
        "organisation": {"id": row.organisation.id, "name": row.organisation.name} if row.organisation else None,
        "details": row.details, "received_at": row.received_at, "due_at": row.due_at,
        "handled_at": row.handled_at, "response": row.response or ""})


@blueprint.get("/me/export")
@token_required
def export_me():
    """Everything the platform holds about the token's person, as a ZIP streamed as it is produced.
    ---
    get:
      summary: Télécharger mes données (droit d'accès et portabilité)
      description: >-
        Une archive ZIP de tout ce que la plateforme détient sur vous : `donnees.json` (le compte, ses
        sessions de connexion et jetons — jamais un secret —, chacun de vos dossiers avec ses sections en
        cours, chaque version déposée telle qu'elle a été scellée, ses pièces jointes et documents, les
        frais, les notes de l'équipe du certificateur — sans leur auteur —, les sessions de jury et les
        décisions, vos demandes au titre du RGPD et les événements du journal d'audit qui vous concernent),
        les fichiers eux-mêmes sous `fichiers/` (pièces jointes, documents délivrés, lus dans le stockage)
        et `SHA256SUMS`. Un compte d'équipe, de jury ou d'administration reçoit ses propres données
        seulement (pas les dossiers qu'il traite). Chaque export est inscrit au registre des demandes
        (accès, traitée) et au journal d'audit ; 10 exports par heure et par compte.
      tags: [me]
      responses:
        200: PersonalDataExport
        429: ExportTooFrequent
    """
    return export_service.export_response(current_api_user())


@blueprint.get("/me/requests")
@token_required
def my_requests():
    """The token's person's requests about their data, newest first.
    ---
    get:
      summary: Mes demandes sur mes données
      description: >-
        Vos demandes au titre du RGPD, des plus récentes aux plus anciennes : exports (accès), effacement,
        rectifications et oppositions, avec leur statut, leur date limite de réponse et la réponse de
        l'organisme.
      tags: [me]
      responses:
        200:
          description: Les demandes.
          content:
            application/json:
              schema: MyPrivacyRequestListSchema
    """
    return jsonify({"items": [_request_json(row) for row in requests_of(current_api_user())]})


@blueprint.post("/me/requests")
@token_required
def create_my_request():
    """Ask the organisation of one of one's dossiers to rectify sealed data, or object to a processing.
    ---
    post:
      summary: Demander une rectification ou s'opposer à un traitement
      description: >-
        Le nom, le prénom et la langue se corrigent directement (`PATCH /api/v1/me`) et les sections d'un
        dossier en brouillon aussi (`PUT /api/v1/dossiers/{dossier_id}/sections/{key}`). Une version
        déposée reste telle qu'elle a été scellée : une rectification en est demandée ici, à l'organisme
        du dossier, qui répond dans un délai d'un mois (`due_at`) et joint la correction au dossier sans
        modifier le document scellé. Un dossier qui n'est pas le vôtre est refusé (422).
      tags: [me]
      requestBody:
        required: true
        content:
          application/json:
            schema: MyPrivacyRequestCreateSchema
      responses:
        201:
          description: La demande est enregistrée (statut `open`).
          content:
            application/json:
              schema: MyPrivacyRequestSchema
    """
    body = load_json(MyPrivacyRequestCreateSchema)
    row = create_request(current_api_user(), kind=body["kind"], details=body["details"],
                         dossier_id=body.get("dossier_id"))
    db.session.commit()
    return jsonify(_request_json(row)), 201


@blueprint.get("/me/erasure")
@token_required
def erasure_plan():
    """What erasing the token's account would delete and keep (why, until when), and whether it is possible now.
    ---
    get:
      summary: Ce que la suppression de mon compte effacerait
      description: >-
        Ce que `DELETE /api/v1/me` ferait maintenant : ce qui est supprimé (compte, brouillons, contenu des
        dossiers déposés), ce qui est conservé, pourquoi et jusqu'à quand (documents scellés, décisions,
        pièces comptables, journal d'audit), les candidatures retirées, et si la suppression est possible
        maintenant (sinon pourquoi et à partir de quand).
      tags: [me]
      responses:
        200:
          description: Le plan.
          content:
            application/json:
              schema: ErasurePlanSchema
    """
    return jsonify(ErasurePlanSchema().dump(plan(current_api_user())))


@blueprint.delete("/me")
@token_required
def erase_me():
    """Erase the token's account at once, its password typed again (RGPD art. 17).
    ---
    delete:
      summary: Supprimer mon compte
      description: >-
        Efface le compte du jeton, tout de suite et en une seule fois, après vérification du mot de passe
        (un mot de passe erroné est compté avec toutes les ressaisies : `REAUTH_RATE_LIMIT`, 429 au-delà) :
        les brouillons sont supprimés avec leurs pièces jointes ; les dossiers déposés sont vidés de ce que
        vous avez saisi et déposé (leurs documents scellés, décisions et pièces comptables restent) et ceux
        en cours sont retirés (statut `closed`) ; le compte est fermé et pseudonymisé (adresse et mot de
        passe effacés, nom conservé seulement si des documents scellés le portent), ses sessions et jetons
        — dont celui de la requête — supprimés. Un courriel de confirmation part vers l'adresse avant son
        effacement ; chaque organisme qui tient l'un des dossiers reçoit le webhook `erasure.done`.
        Voir `GET /api/v1/me/erasure` pour le détail avant de confirmer. Refusé (409) tant qu'une session
        de jury qui tient l'un de vos dossiers n'est pas terminée, et pour un compte qui n'est pas un compte
        candidat. Rien n'est fait à moitié : en cas d'erreur, tout reste en l'état.
      tags: [me]
      requestBody:
        required: true
        content:
          application/json:
            schema: ErasureCreateSchema
      responses:
        200:
          description: Le compte est supprimé ; ce qui est conservé, pourquoi et jusqu'à quand.
          content:
            application/json:
              schema: ErasureDoneSchema
        409: ErasureRefused
        422: ErasurePasswordRefused
        429: TooManyPasswordAttempts
    """
    body = load_json(ErasureCreateSchema)
    done = erase(current_api_user(), body["password"])
    return jsonify(ErasureDoneSchema().dump({
        "status": "erased", "erased_at": done.erased_at, "drafts_deleted": done.drafts_deleted,
        "dossiers_erased": done.dossiers_erased, "dossiers_withdrawn": done.dossiers_withdrawn,
        "annexes_deleted": done.annexes_deleted, "name_kept": done.name_kept, "kept": done.kept,
        "message": _("Votre compte est supprimé. Un courriel de confirmation a été envoyé.")}))
