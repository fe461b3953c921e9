"""Livret core: the application factory.

``create_app(test_config=None)`` builds the Flask application: settings
(:mod:`core.config`), extensions, plugins (:mod:`core.plugins`) and the
feature areas' blueprints. Errors in settings or plugins stop the start-up
with :class:`core.config.ConfigError` / :class:`core.plugins.PluginLoadError`,
whose message names what is wrong.
"""
from __future__ import annotations

import os
from typing import Any

from flask import Flask

from core.config import ConfigError, load_config
from core.plugins import PluginLoadError

__all__ = ["create_app", "ConfigError", "PluginLoadError"]


class LivretState:
    """What core keeps per application: plugin manager, registries, services."""

    def __init__(self, app: Flask, pm) -> None:
        from core.plugins import collect_settings

        self.app = app
        self.pm = pm
        app.config.update(collect_settings(pm, app.config))
        self.mailer = pm.hook.livret_mailer(config=app.config)
        self.jobs = pm.hook.livret_job_queue(config=app.config)
        self.certifications: dict = {}
        self._storage = None
        self.reload()

    @property
    def storage(self):
        """The configured object storage (built on first use)."""
        if self._storage is None:
            from storage import storage_from_settings

            self._storage = storage_from_settings(self.app.config)
        return self._storage

    def reload(self) -> None:
        """Re-read what plugins declare (after a plugin is (un)registered)."""
        from core.certifications.services import load_certifications
        from core.plugins import collect_template_dirs
        from core.templating import install_plugin_loader

        self.certifications = load_certifications(self.pm)
        install_plugin_loader(self.app, collect_template_dirs(self.pm))


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or os.environ.get("LIVRET_INSTANCE_PATH")
    app = Flask(__name__, instance_path=os.path.abspath(instance_path) if instance_path else None,
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    from core.i18n_templates import LocalizedEnvironment

    app.jinja_environment = LocalizedEnvironment  # templates compiled once per language (core.i18n_templates)
    _install_input_bounds(app)

    extra_plugins = tuple(test_config.pop("EXTRA_PLUGINS", ()))
    load_entry_points = test_config.pop("LOAD_ENTRY_POINTS", True)
    settings = load_config(app.instance_path, overrides=test_config)
    app.config.update(settings)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        # a server connection can die between requests (restart, fail-over): tested before use; a SQLite file
        # cannot, and the test would cost every request a statement
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": not settings["DATABASE_URL"].startswith("sqlite")},
        BABEL_DEFAULT_LOCALE=settings["DEFAULT_LANGUAGE"],
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(os.path.dirname(__file__), "translations"),
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=0,
        WTF_CSRF_TIME_LIMIT=None,
    )

    from core.plugins import make_plugin_manager

    pm = make_plugin_manager(load_entry_points=load_entry_points, extra=extra_plugins)
    app.extensions["livret"] = LivretState(app, pm)

    from core.sealing.services import init_app as init_sealing

    init_sealing(app)  # SIGNING_* settings checked at start-up (ConfigError)
    from core.config import check_upload_scan

    check_upload_scan(app.config)  # production needs CLAMD_ADDRESS, unless UPLOAD_SCAN=off (ConfigError)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    _init_extensions(app)
    _register_blueprints(app)
    _install_policy(app)

    from core.cli import register_commands
    from core.errors import register_error_handlers
    from core.templating import init_templating

    register_error_handlers(app)
    from core.auth.attempts import init_app as init_password_attempts

    init_password_attempts(app)  # Retry-After on a refusal for too many wrong passwords
    from core.access_log import install as install_access_log

    install_access_log()  # the development server's access log without query-string values
    from core.operations import logs as operation_logs, metrics as operation_metrics

    operation_metrics.install(app)  # /metrics: requests by endpoint and status
    operation_logs.install(app)  # LOG_FORMAT=json
    init_templating(app)
    register_commands(app)
    return app


def _install_input_bounds(app: Flask) -> None:
    """Path ids within the database's range and checked JSON bodies (:mod:`core.input_bounds`).

    Done before any blueprint is registered: rules pick their converters when added.
    """
    from core.input_bounds import BoundedIntegerConverter, LivretRequest, refuse_nul_characters

    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = LivretRequest
    app.before_request(refuse_nul_characters)


def _install_policy(app: Flask) -> None:
    """The endpoint gate of :mod:`core.policy` before every request.

    Page requests are checked here against the signed-in person; API views
    (marked by :mod:`core.api.auth`) are checked once their bearer token is read.
    """
    from flask import request
    from flask_login import current_user

    from core.policy import check_endpoint, endpoint_action

    @app.before_request
    def _policy_gate():
        endpoint = request.endpoint
        if endpoint is None:
            return None
        if endpoint_action(endpoint) is None:
            check_endpoint(None, endpoint)  # unlisted: refused to everybody
        view = app.view_functions.get(endpoint)
        if getattr(view, "api_auth", None) is None:
            check_endpoint(current_user, endpoint)
        return None


def _init_extensions(app: Flask) -> None:
    from core import models  # noqa: F401 - import every model before Alembic/SQLAlchemy use them
    from core.extensions import babel, csrf, db, install_session_teardown, limiter, login_manager, migrate
    from core.i18n import install_request_domain, install_template_gettext, select_locale

    db.init_app(app)
    install_session_teardown(app)  # before Flask-SQLAlchemy's: a connection lost at the end is not a 500
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)  # the same strings, without Flask-Babel's per-string look-ups
    install_request_domain(app, babel)  # Python's gettext: the catalogue looked up once per request
    limiter.init_app(app)
    login_manager.init_app(app)

    if app.config["DATABASE_URL"].startswith("sqlite"):
        from sqlalchemy import event

        with app.app_context():
            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=5000")
                cursor.close()


def _register_blueprints(app: Flask) -> None:
    from core.api.blueprint import blueprint as api_bp
    from core.auth.api import blueprint as auth_api_bp
    from core.auth.blueprint import blueprint as auth_bp
    from core.certifications.blueprint import blueprint as certifications_bp
    from core.dashboard.blueprint import blueprint as dashboard_bp
    from core.dossiers.api import blueprint as dossiers_api_bp
    from core.dossiers.blueprint import blueprint as dossiers_bp
    from core.i18n import blueprint as i18n_bp
    from core.pages.blueprint import blueprint as pages_bp

    for bp in (certifications_bp, auth_bp, dashboard_bp, dossiers_bp, api_bp, auth_api_bp, i18n_bp, pages_bp):
        app.register_blueprint(bp)
    from core.sealing.blueprint import blueprint as sealing_bp
    from core.verify.blueprint import api as verify_api_bp, blueprint as verify_bp

    for bp in (sealing_bp, verify_bp, verify_api_bp):
        app.register_blueprint(bp)
    app.register_blueprint(dossiers_api_bp)
    from core.documents.api import blueprint as documents_api_bp

    app.register_blueprint(documents_api_bp)
    from core.annexes.api import blueprint as annexes_api_bp
    from core.annexes.blueprint import blueprint as annexes_bp

    app.register_blueprint(annexes_bp)
    app.register_blueprint(annexes_api_bp)
    from core.review.api import blueprint as review_api_bp
    from core.review.blueprint import blueprint as review_bp

    app.register_blueprint(review_bp)
    app.register_blueprint(review_api_bp)
    from core.fees.api import blueprint as fees_api_bp
    from core.fees.blueprint import blueprint as fees_bp

    app.register_blueprint(fees_bp)
    app.register_blueprint(fees_api_bp)
    from core.backoffice.api import blueprint as backoffice_api_bp
    from core.backoffice.blueprint import blueprint as backoffice_bp

    app.register_blueprint(backoffice_bp)
    app.register_blueprint(backoffice_api_bp)
    from core.webhooks.api import blueprint as webhooks_api_bp

    app.register_blueprint(webhooks_api_bp)
    from core.organisations.blueprint import blueprint as organisations_bp

    app.register_blueprint(organisations_bp)
    from core.organisations.api import blueprint as organisations_api_bp

    app.register_blueprint(organisations_api_bp)
    from core.operations import views as _operations_views  # noqa: F401 - the probes' routes
    from core.operations.blueprint import blueprint as operations_bp
    from core.platform.api import blueprint as platform_api_bp
    from core.platform.blueprint import blueprint as platform_bp

    app.register_blueprint(operations_bp)

    app.register_blueprint(platform_bp)
    app.register_blueprint(platform_api_bp)
    from core.privacy.api import blueprint as privacy_api_bp
    from core.privacy.blueprint import blueprint as privacy_bp

    app.register_blueprint(privacy_bp)
    app.register_blueprint(privacy_api_bp)

    # the jury: sessions (manager), evaluation (jurors), deliberation, procès-verbal and signed documents
    from core.deliberation import api as deliberation_api, blueprint as deliberation_pages
    from core.evaluation import api as evaluation_api, blueprint as evaluation_pages
    from core.pv import api as pv_api, blueprint as pv_pages
    from core.sessions import api as sessions_api, blueprint as sessions_pages

    for module in (sessions_pages, sessions_api, evaluation_pages, evaluation_api, deliberation_pages,
                   deliberation_api, pv_pages, pv_api):
        app.register_blueprint(module.blueprint)

    from forms import init_app as init_forms  # templates and script of the reusable form blocks

    init_forms(app)

    from core.documents import init_app as init_documents  # PDF templates, print stylesheet, doc_* filters

    init_documents(app)
