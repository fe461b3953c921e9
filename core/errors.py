"""A small exception hierarchy and one handler answering HTML or JSON.

Raise a :class:`UserError` (or a subclass) with a French, translatable
message; the handler turns it into the right status, as a page for the
browser or as ``{"error": {"code", "message", "details"}}`` for the API.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from storage.base import StorageError

from core.access_log import mask_path
from core.csrf import page_after_refused_token


class UserError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("La demande n'a pas pu être traitée.")

    def __init__(self, message: str | None = None, *, details: Any = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message or self.default_message)


class NotFound(UserError):
    status = 404
    code = "not_found"
    default_message = _l("Cette page ou cette ressource n'existe pas.")


class Forbidden(UserError):
    status = 403
    code = "forbidden"
    default_message = _l("Vous n'avez pas le droit d'effectuer cette action.")


class Unauthorized(UserError):
    status = 401
    code = "unauthorized"
    default_message = _l("Authentification requise.")


class Conflict(UserError):
    status = 409
    code = "conflict"
    default_message = _l("L'action est impossible dans l'état actuel.")


class ValidationFailed(UserError):
    status = 422
    code = "validation_failed"
    default_message = _l("Certaines données sont invalides.")


_HTTP_MESSAGES = {
    400: _l("La demande est mal formée."),
    401: _l("Authentification requise."),
    403: _l("Vous n'avez pas le droit d'effectuer cette action."),
    404: _l("Cette page ou cette ressource n'existe pas."),
    405: _l("Cette méthode n'est pas acceptée ici."),
    413: _l("Le fichier ou la requête est trop volumineux."),
    429: _l("Trop de tentatives. Veuillez patienter avant de réessayer."),
    500: _l("Une erreur interne est survenue. L'équipe technique a été prévenue."),
}
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 429: "rate_limited", 500: "internal_error"}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str, details: Any = None):
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message, "details": details}})
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="livret"'
        return response
    return render_template("errors/error.html", status=status, message=message, details=details), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(UserError)
    def handle_user_error(exc: UserError):
        # A refused request keeps nothing it had started: views may simply let the refusal propagate.
        from core.extensions import db

        db.session.rollback()
        return error_response(exc.status, exc.code, str(exc), exc.details)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        status = exc.code or 500
        message = str(_HTTP_MESSAGES.get(status, exc.description or ""))
        if isinstance(exc, CSRFError):
            message = _("Le formulaire a expiré ou n'est pas valide (jeton de sécurité absent ou périmé).")
            page = page_after_refused_token(app, message)
            if page is not None:
                return page  # the page of the form, with what was typed
            message = _("Le formulaire a expiré. Rechargez la page et envoyez-le à nouveau.")
        response = make_response(error_response(status, _HTTP_CODES.get(status, "http_error"), message))
        if exc.response is None and "Allow" in (headers := dict(exc.get_headers())):
            response.headers["Allow"] = headers["Allow"]  # a 405 names the accepted methods (RFC 9110)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http_error(exc)
        app.logger.exception("Unhandled error on %s %s", request.method, mask_path(request.path))
        return error_response(500, "internal_error", str(_HTTP_MESSAGES[500]))

    @app.errorhandler(DBAPIError)
    def handle_database_error(exc: DBAPIError):
        # the database cannot be reached (restarted, failed over): a clear 503 rather than a 500, and the
        # connection pool (pool_pre_ping) reconnects by itself once it is back
        if not (isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated):
            return handle_unexpected(exc)
        _rollback_quietly()
        app.logger.warning("database unavailable on %s %s: %s", request.method, mask_path(request.path), type(exc.orig).__name__)
        return _unavailable("database_unavailable", _("Le service est momentanément indisponible. Réessayez dans "
                                                      "quelques instants."))

    @app.errorhandler(StorageError)
    def handle_storage_error(exc: StorageError):
        if type(exc) is not StorageError:  # a missing object, a wrong key, a size refused: not an outage
            return handle_unexpected(exc)
        _rollback_quietly()
        app.logger.warning("storage unavailable on %s %s: %s", request.method, mask_path(request.path), exc)
        return _unavailable("storage_unavailable", _("Le stockage des fichiers est momentanément indisponible. "
                                                     "Réessayez dans quelques instants."))


def _rollback_quietly() -> None:
    from core.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        pass


def _unavailable(code: str, message: str):
    try:
        response = make_response(error_response(503, code, message))
    except Exception:  # noqa: BLE001 - the error page itself needs the database (the signed-in user): plain text
        response = make_response(message, 503, {"Content-Type": "text/plain; charset=utf-8"})
    response.headers["Retry-After"] = "5"
    return response
