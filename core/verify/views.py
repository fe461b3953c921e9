"""The public verification page and ``POST /api/v1/verify`` (no account, rate-limited)."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from core.api.spec import declare_error_response, declare_tag
from core.errors import UserError, ValidationFailed
from core.extensions import limiter
from core.verify.blueprint import api, blueprint
from core.verify.forms import VerifyForm
from core.verify.schemas import VerifyReportSchema
from core.verify.services import level_label, read_limited, verify_document

declare_tag("verify", "Vérification d'un PDF signé ou scellé : signatures, horodatages, niveau PAdES, "
                      "intégrité, confiance, modifications après signature, et correspondance avec un "
                      "document émis par la plateforme.", "Vérification")
declare_error_response("DocumentTooLarge", code="too_large",
                       description="Le fichier dépasse la taille maximale acceptée (VERIFY_MAX_SIZE).",
                       message="Le fichier ou la requête est trop volumineux.")
declare_error_response("DocumentUnreadable", code="invalid_document",
                       description="Le fichier n'est pas un PDF lisible (ou dépasse le nombre de pages "
                                   "accepté, code `document_refused`), son analyse dépasserait le budget "
                                   "de vérification (code `verification_too_complex` : trop de révisions, "
                                   "d'objets, une structure trop profonde ou une analyse trop longue — "
                                   "VERIFY_MAX_REVISIONS, VERIFY_MAX_OBJECTS, VERIFY_MAX_STRUCTURE_DEPTH, "
                                   "VERIFY_TIME_BUDGET_SECONDS ; `details` donne la limite atteinte), ou le "
                                   "champ `file` manque (code `validation_failed`).",
                       message="Le document PDF est endommagé ou illisible : il ne peut pas être vérifié.")
declare_error_response("RateLimited", code="rate_limited", description="Trop de vérifications depuis cette adresse.",
                       message="Trop de tentatives. Veuillez patienter avant de réessayer.")


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


_shared_limit = limiter.shared_limit(_verify_limit, scope="verify", methods=["POST"])


def _render(form, result=None, status=200, filename: str | None = None):
    limit_mb = f"{current_app.config['VERIFY_MAX_SIZE'] / (1024 * 1024):.0f}"
    return render_template("verify/verify.html", form=form, result=result, level_label=level_label,
                           limit_mb=limit_mb, max_pages=current_app.config["VERIFY_MAX_PAGES"],
                           max_revisions=current_app.config["VERIFY_MAX_REVISIONS"],
                           time_budget=f"{float(current_app.config['VERIFY_TIME_BUDGET_SECONDS']):g}",
                           filename=filename), status


@blueprint.route("/verifier", methods=["GET", "POST"])
@_shared_limit
def page():
    form = VerifyForm()
    if not form.is_submitted():
        return _render(form)
    if not form.validate():
        return _render(form, status=422)
    try:
        result = verify_document(read_limited(form.file.data.stream))
    except UserError as exc:
        form.file.errors = [*form.file.errors, str(exc)]
        return _render(form, status=exc.status)
    # the name the visitor chose, shown (escaped) so that reports of several files are told apart
    filename = (getattr(form.file.data, "filename", None) or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    return _render(form, result, filename=filename or None)


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    form = VerifyForm(formdata=None)
    form.file.errors = [_("Le document dépasse la taille maximale acceptée (%(mb)s Mo).",
                          mb=f"{current_app.config['VERIFY_MAX_SIZE'] / (1024 * 1024):.0f}")]
    return _render(form, status=413)


@api.post("/verify")
@_shared_limit
def verify_api():
    """Verify a signed PDF (multipart field ``file``); no token needed.
    ---
    post:
      summary: Vérifier un PDF signé
      description: >-
        Envoyez le PDF dans le champ `file` d'un formulaire `multipart/form-data`. La réponse
        détaille chaque signature (signataire, date, horodatage, niveau PAdES atteint, intégrité,
        confiance envers les racines configurées, modifications après la signature), l'empreinte
        SHA-256 du fichier et si elle correspond à un document émis par cette plateforme.
        Aucun jeton n'est nécessaire ; aucune adresse contenue dans le fichier n'est consultée.
        Un document non valide est une réponse 200 avec `valid: false` et ses motifs.
        Un document émis par la plateforme (même empreinte) est annoncé d'abord
        (`platform.statement`) et son rapport est celui établi à l'émission (`platform.from_issuance`).
        Un document dont l'analyse dépasserait le budget de vérification est refusé (422,
        `verification_too_complex`) sans être analysé plus avant.
      tags: [verify]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file:
                  type: string
                  format: binary
                  description: Le document PDF.
      responses:
        200:
          description: Le rapport de vérification.
          content:
            application/json:
              schema: VerifyReportSchema
        413: DocumentTooLarge
        422: DocumentUnreadable
        429: RateLimited
    """
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(_("Envoyez le document PDF dans le champ « file » (multipart/form-data)."),
                               details={"file": [_("Ce champ est obligatoire.")]})
    response = jsonify(VerifyReportSchema().dump(verify_document(read_limited(upload.stream))))
    response.headers["Cache-Control"] = "no-store"
    return response
