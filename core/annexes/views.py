"""Pages of the annexes: list and upload (several files, progress bar), edit, remove, download.

The upload form works without JavaScript (one multipart POST, one row per
file); ``static/annexes/upload.js`` sends each row on its own with
XMLHttpRequest to show its progress, and the same view answers it in JSON.
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from core.annexes import services
from core.annexes.api import UPLOAD_STATUS
from core.annexes.blueprint import blueprint
from core.annexes.schemas import AnnexSchema
from core.certifications.services import get_certification
from core.dossiers.services import get_dossier_for
from core.errors import ValidationFailed, wants_json
from core.extensions import db

DEFAULT_ROWS = 3
MAX_ROWS = 20
ADDED_KEY = "annexes_added"  # numbers added by the upload script, announced once on the list


def human_size(n: int | None) -> str:
    if n is None:
        return "—"
    if n >= 1024 * 1024 * 1024:
        return f"{n / 1024 ** 3:.1f}".replace(".", ",") + " Go"
    if n >= 1024 * 1024:
        return f"{n / 1024 ** 2:.1f}".replace(".", ",") + " Mo"
    if n >= 1024:
        return f"{n / 1024:.0f} ko"
    return ngettext("%(num)d octet", "%(num)d octets", n)


def type_label(media_type: str) -> str:
    from storage.safety import FILE_TYPES

    return next((t.label for t in FILE_TYPES.values() if t.media_type == media_type), media_type)


def _row_count(value) -> int:
    try:
        return max(1, min(MAX_ROWS, int(value)))
    except (TypeError, ValueError):
        return DEFAULT_ROWS


def _page(dossier, *, rows=None, added=(), status=200):
    cert = get_certification(dossier.certification_code)
    policy = services.upload_policy()
    is_owner = dossier.candidate_id == current_user.id
    if rows is None:
        rows = [{"index": i, "title": "", "competencies": [], "errors": {}}
                for i in range(_row_count(request.args.get("lignes", DEFAULT_ROWS)))]
    accept = ",".join(ext for t in policy.types() for ext in t.extensions)
    return render_template(
        "annexes/index.html", dossier=dossier, cert=cert, annexes=services.list_annexes(dossier),
        can_edit=is_owner and dossier.editable, rows=rows, added=added, policy=policy, accept=accept,
        usage=services.usage_of(dossier.id), quota=services.dossier_quota(), human_size=human_size,
        type_label=type_label, scan_label=services.scan_label, downloadable=services.downloadable,
        download_refusal=services.download_refusal, max_rows=MAX_ROWS,
        antivirus=services.antivirus_configured()), status


@blueprint.get("/<int:dossier_id>/annexes")
@login_required
def index(dossier_id: int):
    dossier = get_dossier_for(current_user, dossier_id)
    added = session.pop(ADDED_KEY, None)
    if added:
        _flash_added(added)
    return _page(dossier)


def _flash_added(numbers: list[int]) -> None:
    flash(ngettext("Annexe n° %(n)s ajoutée.", "Annexes n° %(n)s ajoutées.", len(numbers),
                   n=", ".join(str(n) for n in numbers)), "success")


@blueprint.post("/<int:dossier_id>/annexes")
@login_required
def upload(dossier_id: int):
    from storage.safety import UploadRefused

    dossier = get_dossier_for(current_user, dossier_id, write=True)
    services.require_editable(dossier, current_user)
    count = _row_count(request.form.get("rows"))
    rows, added = [], []
    for i in range(count):
        upload_file = request.files.get(f"file-{i}")
        title = request.form.get(f"title-{i}", "")
        competencies = request.form.getlist(f"competencies-{i}")
        role = request.form.get(f"role-{i}") or "evidence"
        row = {"index": len(rows), "title": title, "role": role, "competencies": competencies, "errors": {}}
        if upload_file is None or not upload_file.filename:
            if title.strip() or competencies:
                row["errors"]["file"] = _("Choisissez le fichier de cette ligne (ou videz son titre et ses "
                                          "compétences).")
                rows.append(row)
            continue
        try:
            # werkzeug has spooled the part to a temporary file; it is read in chunks from there.
            annex = services.add_annex(dossier, user=current_user, stream=upload_file.stream,
                                       filename=upload_file.filename, declared_type=upload_file.mimetype,
                                       title=title or None, role=role, competencies=competencies)
            added.append(annex)
        except UploadRefused as refused:
            db.session.rollback()
            row.update(code=refused.code, status=UPLOAD_STATUS.get(refused.code, 422), filename=upload_file.filename)
            row["errors"]["file"] = _("« %(f)s » refusé : %(m)s", f=upload_file.filename, m=str(refused))
            rows.append(row)
        except ValidationFailed as exc:
            db.session.rollback()
            row.update(code=exc.code, status=422, filename=upload_file.filename)
            row["errors"].update({k: " ".join(v) for k, v in (exc.details or {}).items()})
            rows.append(row)
    if not added and not rows:
        rows = [{"index": 0, "title": "", "competencies": [], "errors": {
            "file": _("Choisissez au moins un fichier à déposer.")}, "status": 422, "code": "no_file"}]
    if added and wants_json():
        # the script sends one file per request, then shows the list: one message for them all there
        session[ADDED_KEY] = [*session.get(ADDED_KEY, []), *(a.number for a in added)]
    elif added:
        _flash_added([a.number for a in added])
    if wants_json():
        return _json_answer(added, rows)
    if not rows:
        return redirect(url_for("annexes.index", dossier_id=dossier.id))
    return _page(dossier, rows=rows, added=added, status=422)


def _json_answer(added, rows):
    """The answer to the script (one file per request)."""
    if rows:
        row = rows[0]
        message = next(iter(row["errors"].values()))
        response = jsonify({"error": {"code": row.get("code", "validation_failed"), "message": message,
                                      "details": row["errors"]}})
        response.status_code = row.get("status", 422)
        return response
    annex = added[0]
    response = jsonify({"annex": AnnexSchema().dump(annex),
                        "message": _("Annexe n° %(n)d « %(t)s » ajoutée.", n=annex.number, t=annex.title)})
    response.status_code = 201
    return response


@blueprint.route("/<int:dossier_id>/annexes/<int:number>/modifier", methods=["GET", "POST"])
@login_required
def edit(dossier_id: int, number: int):
    dossier = get_dossier_for(current_user, dossier_id, write=True)
    services.require_editable(dossier, current_user)
    annex = services.get_annex(dossier, number)
    cert = get_certification(dossier.certification_code)
    values = {"title": annex.title, "competencies": annex.competency_codes}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {"title": request.form.get("title", ""), "competencies": request.form.getlist("competencies")}
        try:
            services.update_annex(dossier, number, user=current_user, title=values["title"],
                                  competencies=values["competencies"])
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors = {k: " ".join(v) for k, v in (exc.details or {}).items()}
            status = 422
        else:
            flash(_("Annexe n° %(n)d enregistrée.", n=number), "success")
            return redirect(url_for("annexes.index", dossier_id=dossier.id) + f"#annexe-{number}")
    return render_template("annexes/edit.html", dossier=dossier, cert=cert, annex=annex, values=values,
                           errors=errors), status


@blueprint.route("/<int:dossier_id>/annexes/<int:number>/retirer", methods=["GET", "POST"])
@login_required
def remove(dossier_id: int, number: int):
    dossier = get_dossier_for(current_user, dossier_id, write=True)
    services.require_editable(dossier, current_user)
    annex = services.get_annex(dossier, number)
    if request.method == "POST":
        services.remove_annex(dossier, number, user=current_user)
        db.session.commit()
        flash(_("Annexe n° %(n)d « %(t)s » retirée du dossier.", n=number, t=annex.title), "success")
        return redirect(url_for("annexes.index", dossier_id=dossier.id))
    return render_template("annexes/remove.html", dossier=dossier, annex=annex, human_size=human_size)


@blueprint.get("/<int:dossier_id>/annexes/<int:number>/contenu")
@login_required
def download(dossier_id: int, number: int):
    dossier = get_dossier_for(current_user, dossier_id)
    return services.download_response(services.open_annex_for_download(current_user, dossier, number))
