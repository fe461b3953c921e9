"""API of the documents the platform issued: one route and one access rule for all of them.

A document is a sealed PDF recorded as a :class:`~core.dossiers.models.Document`: a dossier's Livret 2,
receipts and letters, the sealed PV and grids of a jury session, the certificates issued when its PV was
sealed. Who may see one is the policy action ``document.view`` (:mod:`core.documents.access`); anyone
else gets a 404. The download carries ``ETag`` and ``Content-Digest`` (the recorded SHA-256, checked
against the stored bytes before the first byte leaves) and answers ``If-None-Match`` (see
:mod:`core.downloads`).
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.spec import TAGS, declare_tag
from core.documents import access
from core.documents.schemas import DocumentPageSchema, DocumentSchema
from core.dossiers.models import Document, DossierVersion
from core.errors import ValidationFailed
from core.extensions import db
from core.input_bounds import ID_MAX

blueprint = api_blueprint("documents_api", __name__, url_prefix="/documents")

TAGS.pop("documents", None)  # this area owns the tag
declare_tag("documents", "Les documents émis par la plateforme (Livret 2 déposé, accusés, lettres, factures, "
                         "procès-verbaux et grilles scellés, certificats) : liste, métadonnées et téléchargement "
                         "vérifiable (`ETag`, `Content-Digest`, `If-None-Match`).", "Documents")

PAGE_SIZE, PAGE_MAX = 50, 200
KIND_MAX = 40


def _metadata(doc: Document) -> dict[str, Any]:
    session = access.issuing_session(doc)
    version = db.session.get(DossierVersion, doc.version_id) if doc.version_id else None
    return {
        "id": doc.id, "kind": doc.kind, "title": doc.title, "filename": doc.filename, "media_type": doc.media_type,
        "size": doc.size, "sha256": doc.sha256, "created_at": doc.created_at, "dossier_id": doc.dossier_id,
        "version": version.number if version is not None else None,
        "session_id": session.id if session is not None else None,
        "links": {"self": url_for("documents_api.document", document_id=doc.id),
                  "content": url_for("documents_api.document_content", document_id=doc.id)},
    }


def _encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> int | None:
    try:
        data = json.loads(base64.urlsafe_b64decode((raw + "=" * (-len(raw) % 4)).encode("ascii")))
        after = data["after"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError, RecursionError):
        return None
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= ID_MAX:
        return None
    return after


def _filters() -> dict[str, Any]:
    """The query parameters, checked; a 422 ``validation_failed`` naming each bad one."""
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    for name in ("dossier_id", "session_id", "limit"):
        raw = request.args.get(name)
        if raw is None or raw == "":
            continue
        high = PAGE_MAX if name == "limit" else ID_MAX
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= high:
            errors[name] = [_("Nombre entier attendu, de %(min)s à %(max)s.", min=1, max=high)]
        else:
            found[name] = int(raw)
    kind = request.args.get("kind")
    if kind:
        if len(kind) > KIND_MAX:
            errors["kind"] = [_("Nature de document inconnue.")]
        else:
            found["kind"] = kind
    cursor = request.args.get("cursor")
    if cursor:
        after = _decode_cursor(cursor) if len(cursor) <= 200 else None
        if after is None:
            errors["cursor"] = [_("Curseur de pagination invalide : revenez à la première page.")]
        else:
            found["after_id"] = after
    if errors:
        raise ValidationFailed(details=errors)
    return found


@blueprint.get("")
@token_required
def documents():
    """Every issued document the token's person may see, one page at a time.
    ---
    get:
      summary: Lister les documents accessibles
      description: >-
        Les documents émis que le compte peut lire, par identifiant croissant : le candidat, ceux
        de ses dossiers ; le personnel du certificateur, ceux des dossiers déposés auprès de son
        organisme et ceux qu'ont émis les sessions de jury de l'organisme ; le responsable de
        session, ceux qu'ont émis les sessions de son organisme (procès-verbal et grilles scellés,
        certificats) ; le juré, le Livret 2 des candidats de ses jurys et le procès-verbal et les
        grilles des sessions où il siège. Pagination par curseur (`next`, à renvoyer dans
        `cursor` avec les mêmes filtres) ; une page peut compter moins de `limit` documents sans
        être la dernière.
      tags: [documents]
      parameters:
        - {name: dossier_id, in: query, schema: {type: integer, minimum: 1, maximum: 2147483647}, description: "Les documents de ce dossier."}
        - {name: session_id, in: query, schema: {type: integer, minimum: 1, maximum: 2147483647}, description: "Les documents émis par cette session de jury (procès-verbal, grilles, certificats)."}
        - {name: kind, in: query, schema: {type: string, maxLength: 40}, description: "Nature (livret2, receipt, jury_pv, jury_grid, certificate, parchment_record, blocks_attestation…)."}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}, description: "Taille de la page."}
        - {name: cursor, in: query, schema: {type: string, maxLength: 200}, description: "Curseur `next` d'une réponse précédente."}
      responses:
        200:
          description: Une page de documents.
          content:
            application/json:
              schema: DocumentPageSchema
        422: ValidationFailed
    """
    filters = _filters()
    limit = filters.pop("limit", PAGE_SIZE)
    rows, after = access.visible_page(current_api_user(), limit=limit, **filters)
    return jsonify(DocumentPageSchema().dump({"items": [_metadata(d) for d in rows],
                                              "next": _encode_cursor(after) if after is not None else None}))


@blueprint.get("/<int:document_id>")
@token_required
def document(document_id: int):
    """A document's metadata.
    ---
    get:
      summary: Métadonnées d'un document
      description: >-
        Nature, titre, nom de fichier, type, taille et empreinte SHA-256 du fichier servi par
        `links.content`, dossier, version, session de jury émettrice. Un document que le compte ne
        peut pas lire répond 404.
      tags: [documents]
      responses:
        200:
          description: Le document.
          content:
            application/json:
              schema: DocumentSchema
        404: DocumentNotFound
    """
    return jsonify(DocumentSchema().dump(_metadata(access.get_document_for(current_api_user(), document_id))))


@blueprint.get("/<int:document_id>/content")
@token_required
def document_content(document_id: int):
    """Download a document's file (verified against its SHA-256, streamed, as an attachment; audited).
    ---
    get:
      summary: Télécharger un document
      description: >-
        Le fichier du document, en pièce jointe (`Content-Disposition: attachment`), avec
        `X-Content-Type-Options: nosniff` et `Cache-Control: no-store`. `ETag` (fort) porte
        l'empreinte SHA-256 hexadécimale et `Content-Digest` la même empreinte en base64
        (RFC 9530) : ce sont celles des métadonnées et des listes. Les octets stockés sont
        comparés à l'empreinte enregistrée avant l'envoi : s'ils diffèrent, 503
        `document_unavailable` et rien n'est envoyé. `If-None-Match` avec l'`ETag` (ou `*`) :
        304 sans corps, rien n'est lu ni inscrit au journal. Chaque téléchargement est inscrit au
        journal d'audit.
      tags: [documents]
      responses:
        200:
          description: Le fichier.
          content:
            application/pdf:
              schema:
                type: string
                format: binary
            application/octet-stream:
              schema:
                type: string
                format: binary
        404: DocumentNotFound
        503: DocumentUnavailable
    """
    from core.downloads import document_response

    user = current_api_user()
    return document_response(access.get_document_for(user, document_id), actor_id=user.id)
