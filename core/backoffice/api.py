"""Back-office API: the certifier staff's dossier list, with the same filters as the page.

Same service as :mod:`core.backoffice.views`; invalid parameters are a 422
``validation_failed`` whose ``details`` names each parameter; an account that
is not certifier staff gets 403 ``forbidden``.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.spec import declare_tag
from core.backoffice import exports, services
from core.backoffice.schemas import BackofficeDossierPageSchema
from core.errors import ValidationFailed

blueprint = api_blueprint("backoffice_api", __name__)

declare_tag("backoffice", "Les listes de dossiers du certificateur : dossiers déposés pour les certifications de "
                          "l'organisme, filtrés, triés et paginés par curseur.", "Back-office du certificateur")


EXPORT_FORMATS = ("csv", "xlsx")


def _item(dossier) -> dict:
    return {
        "id": dossier.id, "reference": dossier.reference, "certification": dossier.certification_code,
        "status": dossier.status.value, "status_label": dossier.status.label, "submitted_at": dossier.submitted_at,
        "candidate": {"last_name": dossier.candidate.last_name, "first_name": dossier.candidate.first_name,
                      "email": dossier.candidate.email},
        "links": {"html": url_for("dossiers.overview", dossier_id=dossier.id),
                  "api": url_for("dossiers_api.dossier", dossier_id=dossier.id)},
    }


@blueprint.get("/backoffice/dossiers")
@token_required
def dossiers():
    """The staff's dossier list, one keyset page at a time.
    ---
    get:
      summary: Lister les dossiers déposés (certificateur)
      description: >-
        Les dossiers déposés pour les certifications que délivre l'organisme du compte
        (équipe ou administration du certificateur) ; les brouillons n'y figurent jamais.
        Pagination par curseur : 50 dossiers par page ; pour la suite, renvoyer `next` dans
        `cursor` avec les mêmes filtres et le même tri.
      tags: [backoffice]
      parameters:
        - {name: certification, in: query, schema: {type: string}, description: "Code d'une certification de l'organisme."}
        - name: status
          in: query
          schema: {type: string, enum: [submitted, corrections_requested, admissible, inadmissible, scheduled, evaluated, decided, closed]}
          description: Statut du dossier.
        - {name: submitted_from, in: query, schema: {type: string, format: date}, description: "Déposé à partir de ce jour (AAAA-MM-JJ, UTC)."}
        - {name: submitted_to, in: query, schema: {type: string, format: date}, description: "Déposé jusqu'à ce jour inclus (AAAA-MM-JJ, UTC)."}
        - {name: session, in: query, schema: {type: integer, minimum: 1}, description: "Identifiant d'une session de jury de l'organisme : les dossiers qui y sont candidats (une session d'un autre organisme est refusée, 422)."}
        - name: fee
          in: query
          schema: {type: string, enum: [requested, paid, waived, cancelled, none]}
          description: "État des frais de recevabilité : en attente de règlement, réglés, exonérés, annulés, ou `none` (aucuns frais demandés)."
        - {name: q, in: query, schema: {type: string, maxLength: 100}, description: "Recherche : chaque mot est le début du nom, du prénom, de l'adresse électronique ou de la référence (sans distinction de casse)."}
        - {name: sort, in: query, schema: {type: string, enum: [submitted_at, reference, last_name], default: submitted_at}, description: "Clé de tri."}
        - {name: direction, in: query, schema: {type: string, enum: [asc, desc], default: desc}, description: "Ordre du tri."}
        - {name: cursor, in: query, schema: {type: string}, description: "Curseur `next` ou `previous` d'une réponse précédente."}
      responses:
        200:
          description: Une page de dossiers.
          content:
            application/json:
              schema: BackofficeDossierPageSchema
        403: Forbidden
        422: ValidationFailed
    """
    user = current_api_user()
    codes = services.staff_codes(user)
    try:
        filters = services.parse_filters(request.args, codes, user.organisation_id)
        cursor = services.decode_cursor(request.args["cursor"], filters) if request.args.get("cursor") else None
    except services.InvalidFilters as exc:
        raise ValidationFailed(details=exc.errors) from None
    page = services.list_page(user, filters, cursor)
    return jsonify(BackofficeDossierPageSchema().dump({
        "items": [_item(d) for d in page.rows], "next": page.next_cursor, "previous": page.previous_cursor,
        "count": page.count, "count_capped": page.count_capped}))


@blueprint.get("/backoffice/dossiers/export")
@token_required
def export():
    """The staff's filtered dossier list as a CSV or XLSX file: the page's export, streamed.
    ---
    get:
      summary: Exporter les dossiers déposés (CSV ou XLSX)
      description: >-
        Les dossiers de la liste du certificateur, avec les mêmes filtres que `GET /backoffice/dossiers`
        (et que les exports de la page) ; tous les dossiers correspondants, sans pagination, dans l'ordre
        demandé. Colonnes : référence, certification, statut, date de dépôt, nom, prénom et adresse
        électronique du candidat ; une valeur qui commencerait une formule de tableur est neutralisée.
        Le CSV est envoyé au fil de l'eau. Chaque export est inscrit au journal d'audit
        (`dossiers.exported` : format, filtres et nombre de lignes, sans donnée personnelle).
      tags: [backoffice]
      parameters:
        - name: format
          in: query
          schema: {type: string, enum: [csv, xlsx], default: csv}
          description: Format du fichier.
        - {name: certification, in: query, schema: {type: string}, description: "Code d'une certification de l'organisme."}
        - name: status
          in: query
          schema: {type: string, enum: [submitted, corrections_requested, admissible, inadmissible, scheduled, evaluated, decided, closed]}
          description: Statut du dossier.
        - {name: submitted_from, in: query, schema: {type: string, format: date}, description: "Déposé à partir de ce jour (AAAA-MM-JJ, UTC)."}
        - {name: submitted_to, in: query, schema: {type: string, format: date}, description: "Déposé jusqu'à ce jour inclus (AAAA-MM-JJ, UTC)."}
        - {name: session, in: query, schema: {type: integer, minimum: 1}, description: "Identifiant d'une session de jury de l'organisme."}
        - name: fee
          in: query
          schema: {type: string, enum: [requested, paid, waived, cancelled, none]}
          description: "État des frais de recevabilité."
        - {name: q, in: query, schema: {type: string, maxLength: 100}, description: "Recherche (début du nom, du prénom, de l'adresse ou de la référence)."}
        - {name: sort, in: query, schema: {type: string, enum: [submitted_at, reference, last_name], default: submitted_at}, description: "Clé de tri."}
        - {name: direction, in: query, schema: {type: string, enum: [asc, desc], default: desc}, description: "Ordre du tri."}
      responses:
        200:
          description: >-
            Le fichier de l'export, en pièce jointe (`Content-Disposition: attachment`) : CSV (UTF-8 avec BOM,
            séparateur `;`, envoyé au fil de l'eau) ou classeur XLSX.
          content:
            text/csv: {schema: {type: string, format: binary}}
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {schema: {type: string, format: binary}}
        403: Forbidden
        422: ValidationFailed
    """
    user = current_api_user()
    codes = services.staff_codes(user)
    errors: dict[str, list[str]] = {}
    fmt = (request.args.get("format") or "csv").strip().lower()
    if fmt not in EXPORT_FORMATS:
        errors["format"] = [_("Format inconnu. Valeurs possibles : %(values)s.", values=", ".join(EXPORT_FORMATS))]
    try:
        filters = services.parse_filters(request.args, codes, user.organisation_id)
    except services.InvalidFilters as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(_("Les paramètres de l'export sont invalides."), details=errors)
    return exports.csv_response(user, filters) if fmt == "csv" else exports.xlsx_response(user, filters)
