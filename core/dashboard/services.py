"""What each role's dashboard shows."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from core.auth.models import Role, User
from core.certifications.services import all_certifications
from core.extensions import db
from core.plugins import plugin_names


def dashboard_context(user: User) -> dict[str, Any]:
    context: dict[str, Any] = {"user": user}
    if user.role in (Role.CERTIFIER_ADMIN, Role.CERTIFIER_STAFF):
        org = user.organisation
        context["organisation"] = org
        context["staff"] = db.session.scalars(
            select(User).where(User.organisation_id == org.id).order_by(User.last_name, User.first_name)).all()
        codes = org.certification_codes
        context["certifications"] = [c for c in all_certifications() if c.code in codes]
    elif user.role is Role.PLATFORM_ADMIN:
        counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        context["role_counts"] = [(role, counts.get(role, 0)) for role in Role]
        state = current_app.extensions["livret"]
        context["plugins"] = [(name, [c for c in state.certifications.values() if c.plugin == name])
                              for name in plugin_names(state.pm)]
    else:
        context["certifications"] = all_certifications()
    if user.role is Role.CANDIDATE:
        from core.dossiers.services import delivering_organisations, dossiers_of, sections_for

        context["dossiers"] = dossiers_of(user)
        context["online"] = {c.code for c in context["certifications"] if sections_for(c)}
        context["providers"] = {code: delivering_organisations(code) for code in context["online"]}
    return context
