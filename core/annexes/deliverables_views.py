"""Page of the deliverables of a dossier's access route: one row per deliverable, one upload form per row.

Registered on the annexes' blueprint (imported at the end of :mod:`core.annexes.blueprint`). A refused
file comes back on the same page, its message beside its row; the other rows are kept as they were.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from core.annexes import deliverables, services
from core.annexes.api import UPLOAD_STATUS
from core.annexes.blueprint import blueprint
from core.annexes.views import human_size
from core.certifications.services import get_certification
from core.dossiers.services import get_dossier_for
from core.errors import ValidationFailed
from core.extensions import db


def _page(dossier, *, errors: dict[str, str] | None = None, status: int = 200):
    cert = get_certification(dossier.certification_code)
    deliverables.require_expected(dossier, cert)
    policy = services.upload_policy()
    return render_template(
        "annexes/deliverables.html", dossier=dossier, cert=cert, rows=deliverables.rows(dossier, cert),
        errors=errors or {}, can_edit=dossier.candidate_id == current_user.id and dossier.editable,
        human_size=human_size, scan_label=services.scan_label, downloadable=services.downloadable,
        max_file_size=policy.max_file_size, antivirus=services.antivirus_configured(),
        intro=next((s.intro for s in _sections(cert, dossier) if s.kind == "deliverables"), "")), status


def _sections(cert, dossier):
    from core.dossiers.services import sections_for

    return sections_for(cert, dossier)


@blueprint.get("/<int:dossier_id>/livrables")
@login_required
def deliverables_page(dossier_id: int):
    dossier = get_dossier_for(current_user, dossier_id)
    if not deliverables.expected(dossier):  # a route without deliverables (VAE): back to the dossier
        flash(_("Ce dossier n'a pas de livrable à déposer : sa voie d'accès n'en prévoit pas."), "info")
        return redirect(url_for("dossiers.overview", dossier_id=dossier.id))
    return _page(dossier)


@blueprint.post("/<int:dossier_id>/livrables/<code>")
@login_required
def deliverable_upload(dossier_id: int, code: str):
    from storage.safety import UploadRefused

    dossier = get_dossier_for(current_user, dossier_id, write=True)
    services.require_editable(dossier, current_user)
    deliverable = deliverables.deliverable_of(dossier, code)
    upload_file = request.files.get("file")
    error = None
    status = 422
    if upload_file is None or not upload_file.filename:
        error = _("Choisissez le fichier PDF du livrable %(code)s.", code=deliverable.code)
    else:
        try:
            annex = deliverables.add_deliverable(dossier, deliverable.code, user=current_user,
                                                 stream=upload_file.stream, filename=upload_file.filename,
                                                 declared_type=upload_file.mimetype)
        except UploadRefused as refused:
            db.session.rollback()
            status = UPLOAD_STATUS.get(refused.code, 422)
            error = _("« %(f)s » refusé : %(m)s", f=upload_file.filename, m=str(refused))
        except ValidationFailed as exc:
            db.session.rollback()
            error = " ".join(" ".join(v) for v in (exc.details or {}).values()) or str(exc)
        else:
            flash(ngettext("Livrable %(code)s déposé : « %(f)s », %(num)d page.",
                           "Livrable %(code)s déposé : « %(f)s », %(num)d pages.", annex.pages or 0,
                           code=deliverable.code, f=annex.filename), "success")
            return redirect(url_for("annexes.deliverables_page", dossier_id=dossier.id) + f"#livrable-{deliverable.code}")
    db.session.refresh(dossier)
    return _page(dossier, errors={deliverable.code: error}, status=status)
