"""Review pages for the certifier's staff: the submitted version, its history, notes, decisions."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.certifications.services import get_certification
from core.dossiers import services as dossiers
from core.dossiers.livret import build_livret2
from core.dossiers.models import DossierStatus
from core.errors import UserError
from core.extensions import db
from core.review import services
from core.review.blueprint import blueprint
from core.review.forms import DecisionForm, NoteForm


def _coverage(cert, version) -> list[dict]:
    """Per competency, the annexes of ``version``'s manifest linked to it."""
    rows = []
    for block in cert.blocks:
        for comp in block.competencies:
            rows.append({"block": block, "competency": comp,
                         "annexes": [a["number"] for a in version.manifest or []
                                     if comp.code in (a.get("competencies") or [])]})
    return rows


def _render(dossier, decision_form=None, note_form=None, status: int = 200):
    cert = get_certification(dossier.certification_code)
    number = request.args.get("version", type=int)
    version = services.version_of(dossier, number)
    specs = dossiers.sections_for(cert, dossier)
    decision_form = decision_form or DecisionForm()
    _prepare(decision_form, dossier, cert)
    scans = {a.id: a for a in dossier.annexes}
    annexes = [{**entry, "annex": scans.get(entry.get("annex_id"))} for entry in version.manifest or []]
    found = dossiers.problems(dossier, cert) if version is dossier.latest_version else []
    from core.fees.services import fee_missing

    owed = fee_missing(dossier, staff=True)
    return render_template(
        "review/review.html", dossier=dossier, cert=cert, version=version,
        livret=build_livret2(dossier, version, cert, specs), annexes=annexes,
        blocking=[p for p in found if p.blocking], warnings=[p for p in found if not p.blocking],
        coverage=_coverage(cert, version), history=services.history(dossier), notes=services.notes_of(dossier),
        decision_form=decision_form, note_form=note_form or NoteForm(),
        fee_owed=owed,
        can_decide=dossier.status is DossierStatus.SUBMITTED and version is dossier.latest_version and not owed,
        titles={s.key: str(s.title) for s in specs}), status


def _prepare(form: DecisionForm, dossier, cert) -> None:
    latest = dossier.latest_version
    form.prepare([(s.key, str(s.title)) for s in dossiers.sections_for(cert, dossier)],
                 [(a["number"], f"{a['number']} – {a['title']}") for a in latest.manifest or []])


@blueprint.get("/<int:dossier_id>/recevabilite")
@login_required
def review(dossier_id: int):
    dossier = services.get_dossier_for_review(current_user, dossier_id)
    return _render(dossier)


@blueprint.post("/<int:dossier_id>/recevabilite/notes")
@login_required
def add_note(dossier_id: int):
    dossier = services.get_dossier_for_review(current_user, dossier_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render(dossier, note_form=form, status=422)
    try:
        services.add_note(dossier, actor=current_user, text=form.text.data)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        form.text.errors = [*form.text.errors, str(exc)]
        return _render(dossier, note_form=form, status=exc.status)
    flash(_("Note enregistrée. Elle n'est visible que par l'équipe du certificateur."), "success")
    return redirect(url_for("review.review", dossier_id=dossier.id) + "#notes")


@blueprint.post("/<int:dossier_id>/recevabilite/decision")
@login_required
def decision(dossier_id: int):
    dossier = services.get_dossier_for_review(current_user, dossier_id)
    cert = get_certification(dossier.certification_code)
    form = DecisionForm()
    _prepare(form, dossier, cert)
    if not form.validate_on_submit():
        return _render(dossier, decision_form=form, status=422)
    try:
        services.decide(dossier, actor=current_user, kind=form.kind.data, password=form.password.data or "",
                        reasons=form.reasons.data, items=form.correction_items())
    except UserError as exc:
        db.session.rollback()
        form.attach_errors(exc.details)
        flash(str(exc), "error")
        return _render(dossier, decision_form=form, status=exc.status)
    messages = {
        services.ADMISSIBLE: _("Le dossier %(ref)s est déclaré recevable. Le candidat a été prévenu par courriel et "
                               "la lettre de décision scellée est disponible dans son dossier.", ref=dossier.reference),
        services.INADMISSIBLE: _("Le dossier %(ref)s est déclaré irrecevable. Le candidat a été prévenu par courriel "
                                 "et la lettre de décision scellée est disponible dans son dossier.",
                                 ref=dossier.reference),
        services.CORRECTIONS: _("Les corrections ont été demandées au candidat pour le dossier %(ref)s.",
                                ref=dossier.reference),
    }
    flash(messages[form.kind.data], "success")
    return redirect(url_for("review.review", dossier_id=dossier.id))
