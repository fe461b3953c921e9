"""One dashboard per role, each showing only what that person may see."""
from flask import render_template
from flask_login import current_user, login_required

from core.auth.models import Role
from core.dashboard.blueprint import blueprint
from core.dashboard.services import dashboard_context

TEMPLATES = {
    Role.CANDIDATE: "dashboard/candidate.html",
    Role.JUROR: "dashboard/juror.html",
    Role.SESSION_MANAGER: "dashboard/session_manager.html",
    Role.CERTIFIER_STAFF: "dashboard/certifier.html",
    Role.CERTIFIER_ADMIN: "dashboard/certifier.html",
    Role.PLATFORM_ADMIN: "dashboard/platform_admin.html",
}


@blueprint.get("/")
@login_required
def index():
    return render_template(TEMPLATES[current_user.role], **dashboard_context(current_user))
