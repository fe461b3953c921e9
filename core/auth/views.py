"""Sign-up, e-mail verification, sign-in, sign-out, password reset, account."""
from flask import abort, redirect, url_for
from flask_login import login_required, logout_user

from core.auth.blueprint import blueprint
from core.auth.models import User
from core.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


@blueprint.route("/connexion", methods=["GET", "POST"])
def login():
    abort(404)


@blueprint.route("/inscription", methods=["GET", "POST"])
def register():
    abort(404)


@blueprint.post("/deconnexion")
def logout():
    logout_user()
    return redirect(url_for("certifications.home"))


@blueprint.get("/compte")
@login_required
def account():
    abort(404)
