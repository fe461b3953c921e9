"""The floor of ``bench/load_bench.py``: the candidates' four requests written on the stack alone.

The benchmark's scenario (sign in; the dossier page; a section page; a section draft saved
through the page's POST with its CSRF token and revision) with nothing but the libraries
Livret is built on, used the way their own documentation shows: Flask, Flask-Login (the user
loaded by id from the signed session cookie), Flask-WTF (a CSRF token checked on every
POST), WTForms (the section's form, rendered field by field in a layout), Flask-SQLAlchemy on
a SQLite file in WAL mode (a draft row per section, with a revision refused when stale),
Jinja (a layout and a page), a flashed message after a save.

None of what makes the product: no server-side session (revocation, idle and absolute
limits), no rate limit, no access policy beyond « your own dossier », no audit record, no
translation catalogue, no completeness rules or competency coverage, no annexes, no
accessibility markup beyond labels. What this application gives per second is the most any
implementation of the scenario on this stack can give; ``load_bench.py`` runs it in the same
run as Livret and the bare page, and prints its ratio beside Livret's.

    STACK_FLOOR_DATABASE=/tmp/floor.sqlite3 gunicorn -c core/gunicorn.conf.py --pythonpath bench stack_floor_app:app

``prepare(path, n)`` writes the ``n`` candidates (``candidat.plancher000@exemple.fr``…, the
password of ``PASSWORD``) and returns ``[(e-mail, dossier id)]``.
"""
from __future__ import annotations

import json
import os
from datetime import date

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error
from flask import Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import (DateField, EmailField, IntegerField, PasswordField, SelectField, StringField, TextAreaField,
                     validators)
from wtforms.fields.choices import SelectChoice

PASSWORD = "motdepasse-solide-bench"
SECTIONS = {  # the sections the benchmark reads, with fields of the kinds Livret's have
    "etat_civil": "État civil", "situation": "Situation", "lettre_motivation": "Lettre de motivation",
    "cv": "Curriculum vitae", "recapitulatif": "Récapitulatif des activités", "fiches_activite": "Fiches d'activité",
    "fiches_poste": "Fiches de poste", "declaration_honneur": "Déclaration sur l'honneur",
}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))


class Dossier(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reference: Mapped[str] = mapped_column(String(40))


class Draft(db.Model):
    __table_args__ = (UniqueConstraint("dossier_id", "section"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    section: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text, default="{}")
    revision: Mapped[int] = mapped_column(default=0)


def _fields(key: str) -> dict:
    optional = [validators.Optional()]
    if key == "etat_civil":
        return {"nom": StringField("Nom", optional), "prenom": StringField("Prénom", optional),
                "naissance": DateField("Date de naissance", optional), "email": EmailField("Courriel", optional),
                "adresse": StringField("Adresse", optional), "code_postal": StringField("Code postal", optional),
                "ville": StringField("Ville", optional), "telephone": StringField("Téléphone", optional)}
    if key == "situation":
        statuses = [SelectChoice("", "—"), SelectChoice("salarie", "Salarié"), SelectChoice("independant", "Indépendant")]
        return {"statut": SelectField("Statut", choices=statuses),
                "employeur": StringField("Employeur", optional), "quotite": IntegerField("Quotité (%)", optional),
                "depuis": DateField("Depuis", optional)}
    if key in ("recapitulatif", "fiches_activite", "fiches_poste"):
        return {f"{name}_{n}": kind(f"{label} {n}", optional) for n in range(1, 7)
                for name, kind, label in (("activite", StringField, "Activité"),
                                          ("description", TextAreaField, "Description"))}
    return {key.split("_")[0]: TextAreaField(SECTIONS[key], optional)}


FORMS = {key: type(f"{key}Form", (FlaskForm,), {**_fields(key), "revision": IntegerField(default=0)})
         for key in SECTIONS}


class SignInForm(FlaskForm):
    email = EmailField("Adresse électronique", [validators.InputRequired()])
    password = PasswordField("Mot de passe", [validators.InputRequired()])


TEMPLATES = {
    "layout.html": """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}
 — Plancher</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<header><a href="/">Plancher</a>{% if current_user.is_authenticated %} <span>{{ current_user.name }}</span>{% endif %}
</header><main>{% for category, message in get_flashed_messages(with_categories=true) %}
<p class="{{ category }}" role="status">{{ message }}</p>{% endfor %}
<h1>{{ self.title() }}</h1>{% block content %}{% endblock %}</main><footer><a href="/">Accueil</a></footer>
</body></html>""",
    "sign_in.html": """{% extends "layout.html" %}{% block title %}Connexion{% endblock %}{% block content %}
<form method="post">{{ form.csrf_token }}{% for field in [form.email, form.password] %}
<p>{{ field.label }} {{ field() }}</p>{% endfor %}<button>Se connecter</button></form>{% endblock %}""",
    "home.html": """{% extends "layout.html" %}{% block title %}Accueil{% endblock %}{% block content %}
<p>Bonjour</p>{% endblock %}""",
    "overview.html": """{% extends "layout.html" %}{% block title %}Mon dossier{% endblock %}{% block content %}
<p>Dossier {{ dossier.reference }}</p><ol>{% for key, title in sections.items() %}
<li><a href="{{ url_for('section', dossier_id=dossier.id, key=key) }}">{{ title }}</a>
{{ filled.get(key, 0) }} champ(s) rempli(s)</li>{% endfor %}</ol>{% endblock %}""",
    "section.html": """{% extends "layout.html" %}{% block title %}{{ title }}{% endblock %}{% block content %}
<form method="post">{{ form.csrf_token }}<input type="hidden" name="revision" value="{{ revision }}">
{% for field in form if field.name not in ('csrf_token', 'revision') %}<p>{{ field.label }} {{ field() }}
{% for error in field.errors %}<span class="error">{{ error }}</span>{% endfor %}</p>{% endfor %}
<button name="action" value="draft">Enregistrer le brouillon</button></form>
<p><a href="{{ url_for('overview', dossier_id=dossier.id) }}">Retour au dossier</a></p>{% endblock %}""",
}


def stored(key: str, data: dict) -> dict:
    """A draft's JSON as its form's data (dates back to dates)."""
    dates = {name for name, field in _fields(key).items() if field.field_class is DateField}
    return {name: date.fromisoformat(value) if name in dates and value else value for name, value in data.items()}


def create_app(path: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="plancher-" + "k" * 40, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.jinja_loader = DictLoader(TEMPLATES)
    db.init_app(app)
    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "sign_in"
    hasher = PasswordHasher()

    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def _pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    @login.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @app.route("/connexion", methods=["GET", "POST"])
    def sign_in():
        form = SignInForm()
        if form.validate_on_submit():
            user = db.session.scalar(select(User).where(User.email == form.email.data))
            try:
                if user is None or not hasher.verify(user.password_hash, form.password.data):
                    raise Argon2Error
            except Argon2Error:
                flash("Adresse ou mot de passe incorrect.", "error")
            else:
                login_user(user)
                return redirect("/")
        return render_template("sign_in.html", form=form)

    @app.get("/")
    @login_required
    def home():
        return render_template("home.html")

    def own_dossier(dossier_id: int) -> Dossier:
        dossier = db.session.get(Dossier, dossier_id)
        if dossier is None or dossier.candidate_id != current_user.id:
            abort(404)
        return dossier

    @app.get("/dossiers/<int:dossier_id>")
    @login_required
    def overview(dossier_id: int):
        dossier = own_dossier(dossier_id)
        drafts = db.session.scalars(select(Draft).where(Draft.dossier_id == dossier.id)).all()
        filled = {d.section: sum(1 for value in json.loads(d.data).values() if value not in (None, "")) for d in drafts}
        return render_template("overview.html", dossier=dossier, sections=SECTIONS, filled=filled)

    @app.route("/dossiers/<int:dossier_id>/sections/<key>", methods=["GET", "POST"])
    @login_required
    def section(dossier_id: int, key: str):
        dossier = own_dossier(dossier_id)
        if key not in FORMS:
            abort(404)
        draft = db.session.scalar(select(Draft).where(Draft.dossier_id == dossier.id, Draft.section == key))
        if draft is None:
            draft = Draft(dossier_id=dossier.id, section=key, data="{}", revision=0)  # a row once saved
        if request.method == "POST":
            form = FORMS[key]()
            if form.validate_on_submit() and form.revision.data == draft.revision:
                draft.data = json.dumps({name: field.data for name, field in form._fields.items()
                                         if name not in ("csrf_token", "revision")}, default=str)
                draft.revision += 1
                db.session.add(draft)
                db.session.commit()
                flash("Brouillon enregistré.", "success")
                return redirect(url_for("section", dossier_id=dossier.id, key=key))
            return render_template("section.html", title=SECTIONS[key], dossier=dossier, form=form,
                                   revision=form.revision.data), 422
        form = FORMS[key](formdata=None, data=stored(key, json.loads(draft.data)))
        return render_template("section.html", title=SECTIONS[key], dossier=dossier, form=form,
                               revision=draft.revision)

    return app


def prepare(path: str, n: int) -> list[tuple[str, int]]:
    """``n`` candidates, each with a dossier whose sections hold a draft (two left empty)."""
    floor = create_app(path)
    accounts = []
    with floor.app_context():
        db.create_all()
        digest = PasswordHasher().hash(PASSWORD)
        for i in range(n):
            user = User(email=f"candidat.plancher{i:03d}@exemple.fr", password_hash=digest, name=f"Camille {i:03d}")
            db.session.add(user)
            db.session.flush()
            dossier = Dossier(candidate_id=user.id, reference=f"PL-{i:05d}")
            db.session.add(dossier)
            db.session.flush()
            for key in SECTIONS:
                if key in ("fiches_poste", "declaration_honneur"):
                    continue
                data = {name: {DateField: "1985-04-12", IntegerField: 80, SelectField: "salarie"}.get(
                    field.field_class, f"Valeur {name} " * 8) for name, field in _fields(key).items()}
                db.session.add(Draft(dossier_id=dossier.id, section=key, data=json.dumps(data), revision=1))
            accounts.append((user.email, dossier.id))
        db.session.commit()
    return accounts


if os.environ.get("STACK_FLOOR_DATABASE"):
    app = create_app(os.environ["STACK_FLOOR_DATABASE"])
