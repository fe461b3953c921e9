"""The OpenAPI document, generated from the API views and their marshmallow schemas.

Adding an endpoint is writing its view (in any blueprint made with
:func:`core.api.blueprint.api_blueprint`, in core or in a plugin) with an
apispec YAML docstring after a ``---`` line::

    @blueprint.get("/certifications/<code>")
    @token_optional
    def certification(code):
        '''Developer description (not published).
        ---
        get:
          summary: Détail d'une certification
          tags: [certifications]
          responses:
            200:
              content:
                application/json:
                  schema: CertificationSchema
            404: CertificationNotFound
        '''

What the builder adds by itself, so that views never repeat it:

- every rule under ``/api/v1`` is a path (Flask ``<int:id>`` becomes
  ``{id}``), with its path parameters typed from the URL converters;
- the security requirement and the 401 response, from the decorator
  (``@token_required`` / ``@token_optional``) of :mod:`core.api.auth`;
- the answers every endpoint may give whatever its view does, when the view
  does not describe them itself: 404 when the path has parameters (an id
  above the database's range never matches); 403 when the policy
  (:mod:`core.policy`) keeps the endpoint from some signed-in roles (and 404,
  its answer where an object's existence must not leak); 400 (unreadable or too deeply
  nested JSON), 413 (body too large) and 422 (text not encodable, number out
  of range) when it reads a JSON body (:mod:`core.input_bounds`); 413 for any
  other body; 422 when it has query parameters (a NUL character); 429 when a rate limit (``@limiter.limit``, blueprint, default or
  application limits) covers the method. A 500 is never documented: it is a bug;
- a tag from the first path segment when the view gives none, and an
  ``operationId`` from the endpoint name.

Schemas are named in docstrings by class name (marshmallow's class registry)
and appear under ``components/schemas`` without their ``Schema`` suffix.
Error responses are reusable components (``NotFound``…), each documenting the
``error.code`` a client will receive; areas declare their own with
:func:`declare_error_response` at import time.

The document is built once per application, at the first request of
``/api/v1/openapi.json`` (or of the docs page), after every blueprint and
plugin is registered.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_yaml_from_docstring
from flask import Flask

from core.api.auth import AUTH_OPTIONAL, AUTH_REQUIRED
from core.api.blueprint import API_PREFIX
from core.api.schemas import ErrorSchema
from core.input_bounds import ID_MAX, JSON_MAX_DEPTH

OPENAPI_VERSION = "3.0.3"
TITLE = "Livret API"
VERSION = "1"
SECURITY_SCHEME = "bearerAuth"
_METHODS = ("get", "post", "put", "patch", "delete")
_RULE_ARG = re.compile(r"<(?:([^:<>]+)(?:\([^<>]*\))?:)?([^<>]+)>")
_CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0, "maximum": ID_MAX}, "float": {"type": "number"},
                    "uuid": {"type": "string", "format": "uuid"}}

DESCRIPTION = """\
API REST de Livret, la plateforme de dossiers de VAE et de certifications.

Authentification : jeton d'accès dans l'en-tête `Authorization: Bearer <jeton>`,
obtenu avec l'adresse et le mot de passe du compte (`POST /api/v1/tokens`), sur
la page du compte ou par `livret tokens create --email E`. Un compte se crée
aussi par l'API : `POST /api/v1/accounts`, puis `POST /api/v1/accounts/verification`
avec le jeton du lien reçu par courriel. Les jetons sont stockés sous forme
d'empreinte, propres à un compte et révocables.

Erreurs : toujours `{"error": {"code", "message", "details"}}` avec le statut
HTTP adéquat ; `code` est stable, `message` est en français.

Limites : un identifiant au-delà de 2147483647 répond 404 ; un corps JSON de
plus de 2 Mio (réglage JSON_MAX_SIZE) répond 413 `json_too_large`, imbriqué sur
plus de 64 niveaux 400 `json_too_deep` ; un texte non encodable en UTF-8 (demi-paire
de substitution isolée) ou contenant le caractère nul, un nombre infini ou hors
limites répondent 422 `validation_failed` en nommant le champ.

Dates : ISO 8601, en UTC (suffixe `Z`). Les réponses ne sont pas mises en cache
(`Cache-Control: no-store`).
"""


@dataclass(frozen=True)
class ErrorResponse:
    code: str  # the error.code clients receive
    description: str  # French, shown on the docs page
    message: str  # an example message


ERROR_RESPONSES: dict[str, ErrorResponse] = {}
TAGS: dict[str, dict[str, str]] = {}


def declare_error_response(name: str, *, code: str, description: str, message: str | None = None) -> str:
    """Declare a reusable error response (``components/responses/<name>``); returns ``name``.

    Views then write ``404: <name>`` in their docstring's responses.
    """
    ERROR_RESPONSES[name] = ErrorResponse(code=code, description=description, message=message or description)
    return name


FILE_RESPONSES: dict[str, dict[str, Any]] = {}

# Every download (a 2xx answer with a binary body) is checkable and conditional (core.downloads): the
# builder declares these headers on its success, the 304 and the If-None-Match parameter by itself.
DOWNLOAD_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "Validateur fort : l'empreinte SHA-256 hexadécimale du fichier, entre guillemets "
                            "(`\"<sha256>\"`), égale au champ `sha256` des listes et métadonnées.",
             "schema": {"type": "string", "pattern": '^"[0-9a-f]{64}"$'}},
    "Content-Digest": {"description": "L'empreinte SHA-256 du fichier en base64 (RFC 9530) : "
                                      "`sha-256=:<base64>:`.",
                       "schema": {"type": "string", "pattern": "^sha-256=:[A-Za-z0-9+/]{43}=:$"}},
}
_HEADER_COMPONENTS = {"ETag": "ETag", "Content-Digest": "ContentDigest"}
NOT_MODIFIED = "NotModified"
IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 1000},
    "description": "Les `ETag` déjà détenus (liste, `W/` accepté, ou `*`) : si l'un est celui du fichier, "
                   "réponse 304 sans corps (rien n'est lu ni inscrit au journal d'audit).",
}


UNCHECKABLE_FILE_RESPONSES: set[str] = set()


def declare_file_response(name: str, *, description: str, media_types: list[str], checkable: bool = True) -> str:
    """Declare a reusable file download (``components/responses/<name>``) that may carry any of
    ``media_types`` (binary) with its ``ETag`` and ``Content-Digest``; views write ``200: <name>``
    (the builder adds the 304 and ``If-None-Match``).

    ``checkable=False``: a file generated at each request and streamed as it is produced (an export),
    whose digest is unknown when the headers leave: no ``ETag``/``Content-Digest``, no 304."""
    response: dict[str, Any] = {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in media_types}}
    if checkable:
        response["headers"] = dict(_HEADER_COMPONENTS)
        UNCHECKABLE_FILE_RESPONSES.discard(name)
    else:
        UNCHECKABLE_FILE_RESPONSES.add(name)
    FILE_RESPONSES[name] = response
    return name


SPEC_EXTENSIONS: list[Any] = []


def declare_spec_extension(extend: Any) -> Any:
    """Register ``extend(spec)``, called at the end of :func:`build_spec` to add what no view
    describes (e.g. the webhook payloads: components and the ``x-webhooks`` extension)."""
    if extend not in SPEC_EXTENSIONS:
        SPEC_EXTENSIONS.append(extend)
    return extend


def declare_tag(name: str, description: str, title: str | None = None) -> str:
    """Describe a tag (a group of endpoints); ``title`` is its heading on the docs page (``x-displayName``)."""
    TAGS[name] = {"description": description, **({"x-displayName": title} if title else {})}
    return name


declare_error_response("BadRequest", code="bad_request", description="La requête est mal formée.")
declare_error_response("InvalidJson", code="invalid_json",
                       description="Le corps n'est pas un document JSON lisible envoyé avec l'en-tête "
                                   "« Content-Type: application/json » (`invalid_json`), ou il imbrique plus de "
                                   f"{JSON_MAX_DEPTH} niveaux de tableaux et d'objets (`json_too_deep`).",
                       message="Le corps de la requête doit être un document JSON valide, envoyé avec l'en-tête "
                               "« Content-Type: application/json ».")
declare_error_response("JsonTooLarge", code="json_too_large",
                       description="Le document JSON dépasse la taille acceptée (réglage JSON_MAX_SIZE).",
                       message="Le document JSON est trop volumineux (2097152 octets au plus).")
declare_error_response("RequestTooLarge", code="too_large", description="Le corps de la requête est trop volumineux.",
                       message="Le fichier ou la requête est trop volumineux.")
declare_error_response("RateLimitExceeded", code="rate_limited",
                       description="Trop de demandes : la limite de fréquence est atteinte ; réessayez plus tard "
                                   "(en-tête `Retry-After`).",
                       message="Trop de tentatives. Veuillez patienter avant de réessayer.")
declare_error_response("Unauthorized", code="unauthorized",
                       description="Jeton d'accès absent, invalide, expiré ou révoqué.",
                       message="Le jeton d'accès est invalide, expiré ou révoqué.")
declare_error_response("Forbidden", code="forbidden",
                       description="Le compte du jeton n'a pas le droit d'effectuer cette action.",
                       message="Vous n'avez pas le droit d'effectuer cette action.")
declare_error_response("NotFound", code="not_found", description="La ressource n'existe pas.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("Conflict", code="conflict", description="L'action est impossible dans l'état actuel.")
declare_error_response("ValidationFailed", code="validation_failed",
                       description="Des données sont invalides ; `details` donne les erreurs par champ.",
                       message="Certaines données sont invalides.")
declare_tag("documentation", "Le document OpenAPI et cette page.", "Documentation")


def build_spec(app: Flask) -> APISpec:
    """The OpenAPI document of every view under ``/api/v1`` of ``app``."""
    spec = APISpec(title=TITLE, version=VERSION, openapi_version=OPENAPI_VERSION,
                   plugins=[MarshmallowPlugin()], info={"description": DESCRIPTION})
    spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "Jeton d'accès Livret, envoyé dans l'en-tête « Authorization: Bearer <jeton> ».",
    })
    spec.components.schema("Error", schema=ErrorSchema)
    for header, component in _HEADER_COMPONENTS.items():
        spec.components.header(component, DOWNLOAD_HEADERS[header])
    spec.components.response(NOT_MODIFIED, {
        "description": "Non modifié : `If-None-Match` nomme l'`ETag` du fichier ; pas de corps.",
        "headers": {"ETag": _HEADER_COMPONENTS["ETag"]}})
    for name, response in FILE_RESPONSES.items():
        spec.components.response(name, copy.deepcopy(response))
    for name, err in ERROR_RESPONSES.items():
        spec.components.response(name, {
            "description": err.description,
            "content": {"application/json": {
                "schema": "Error",
                "example": {"error": {"code": err.code, "message": err.message, "details": None}},
            }},
        })

    operation_ids: set[str] = set()
    used_tags: set[str] = set()
    rules = sorted((r for r in app.url_map.iter_rules()
                    if r.rule == API_PREFIX or r.rule.startswith(API_PREFIX + "/")), key=lambda r: r.rule)
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        path, path_params = _openapi_path(rule.rule)
        limited = _rate_limited_methods(view, rule.endpoint)
        operations = {}
        for method in _METHODS:
            if method.upper() not in (rule.methods or ()):
                continue
            operation = _operation(view, method, rule.endpoint, path, path_params, operation_ids)
            _add_common_responses(operation, path_params, rate_limited=method in limited,
                                  restricted=_restricted(rule.endpoint))
            _add_download_conditionals(operation)
            used_tags.update(operation["tags"])
            operations[method] = operation
        if operations:
            spec.path(path=path, operations=operations)
    for tag in sorted(used_tags):
        spec.tag({"name": tag, **TAGS.get(tag, {})})
    for extend in SPEC_EXTENSIONS:
        extend(spec)
    return spec


def get_spec(app: Flask) -> dict[str, Any]:
    """The document as a dict, built at the first call and kept for the application's life."""
    cached = app.extensions.get("livret_openapi")
    if cached is None:
        cached = build_spec(app).to_dict()
        app.extensions["livret_openapi"] = cached
    return cached


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for converter, name in _RULE_ARG.findall(rule):
        schema = dict(_CONVERTER_TYPES.get(converter or "default", {"type": "string"}))
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _RULE_ARG.sub(r"{\2}", rule), params


def _docstring_parts(func: Any, method: str) -> tuple[str, dict[str, Any]]:
    """(first docstring line, YAML operation for ``method``) of a view or a MethodView method."""
    view_class = getattr(func, "view_class", None)
    if view_class is not None and hasattr(view_class, method):
        doc = getattr(view_class, method).__doc__ or ""
        data = load_yaml_from_docstring(doc)
        operation = data.get(method, data)  # a method's docstring may hold the operation directly
    else:
        doc = func.__doc__ or ""
        operation = load_yaml_from_docstring(doc).get(method) or {}
    first_line = doc.strip().splitlines()[0].strip() if doc.strip() else ""
    return first_line, copy.deepcopy(operation or {})


def _operation(view: Any, method: str, endpoint: str, path: str, path_params: list[dict[str, Any]],
               operation_ids: set[str]) -> dict[str, Any]:
    first_line, operation = _docstring_parts(view, method)
    operation.setdefault("summary", first_line or f"{method.upper()} {path}")

    segments = [s for s in path[len(API_PREFIX):].split("/") if s and not s.startswith("{")]
    operation.setdefault("tags", [segments[0] if segments else "api"])

    operation_id = operation.get("operationId") or endpoint.replace(".", "_") + "_" + method
    base, n = operation_id, 2
    while operation_id in operation_ids:
        operation_id, n = f"{base}_{n}", n + 1
    operation_ids.add(operation_id)
    operation["operationId"] = operation_id

    declared = {(p.get("in"), p.get("name")) for p in operation.get("parameters", []) if isinstance(p, dict)}
    missing = [p for p in path_params if ("path", p["name"]) not in declared]
    if missing:
        operation["parameters"] = missing + list(operation.get("parameters", []))
    # A path parameter the docstring describes still gets the converter's type when it gives none.
    for param in operation.get("parameters", []):
        if isinstance(param, dict) and param.get("in") == "path":
            param["required"] = True
            typed = next((p for p in path_params if p["name"] == param.get("name")), None)
            if typed and "schema" not in param and "content" not in param:
                param["schema"] = dict(typed["schema"])

    responses = operation.setdefault("responses", {})
    if not any(str(code).startswith("2") for code in responses):
        responses.setdefault("default", {"description": "Réponse non documentée."})
    auth = getattr(view, "api_auth", None)
    if auth in (AUTH_REQUIRED, AUTH_OPTIONAL):
        operation["security"] = ([{SECURITY_SCHEME: []}] if auth == AUTH_REQUIRED
                                 else [{}, {SECURITY_SCHEME: []}])
        if 401 not in responses and "401" not in responses:
            responses[401] = "Unauthorized"
    else:
        operation["security"] = []
    return operation


def _declares(responses: dict[Any, Any], status: int) -> bool:
    return status in responses or str(status) in responses


def _add_common_responses(operation: dict[str, Any], path_params: list[dict[str, Any]], *,
                          rate_limited: bool, restricted: bool) -> None:
    """The answers any view may give (see the module): added where the view describes none."""
    responses = operation["responses"]

    def add(status: int, name: str) -> None:
        if not _declares(responses, status):
            responses[status] = name

    if path_params:
        add(404, "NotFound")
    if restricted and operation.get("security") and {} not in operation["security"]:
        add(403, "Forbidden")  # a role the policy excludes: 403, or 404 where the object must not leak
        add(404, "NotFound")
    body = operation.get("requestBody")
    media_types = set(body.get("content") or {}) if isinstance(body, dict) else set()
    if any(m == "application/json" or m.endswith("+json") for m in media_types):
        add(400, "InvalidJson")
        add(413, "JsonTooLarge")
        add(422, "ValidationFailed")
    elif media_types:
        add(413, "RequestTooLarge")
    if any(isinstance(p, dict) and p.get("in") == "query" for p in operation.get("parameters", [])):
        add(422, "ValidationFailed")  # a NUL character in a query-string parameter
    if rate_limited:
        add(429, "RateLimitExceeded")


def is_binary_response(response: Any) -> bool:
    """Whether a response (inline, or the name of a declared file response) carries a checkable binary body
    (a file response declared ``checkable=False`` does not count)."""
    if isinstance(response, str):
        return response in FILE_RESPONSES and response not in UNCHECKABLE_FILE_RESPONSES
    if not isinstance(response, dict):
        return False
    return any(isinstance(media, dict) and isinstance(media.get("schema"), dict)
               and media["schema"].get("format") == "binary" for media in (response.get("content") or {}).values())


def _add_download_conditionals(operation: dict[str, Any]) -> None:
    """A download: ``ETag`` and ``Content-Digest`` on its success, the 304 and ``If-None-Match``."""
    responses = operation["responses"]
    downloads = [status for status, response in responses.items()
                 if str(status).startswith("2") and is_binary_response(response)]
    if not downloads:
        return
    for status in downloads:
        response = responses[status]
        if isinstance(response, dict):
            headers = response.setdefault("headers", {})
            for header, component in _HEADER_COMPONENTS.items():
                headers.setdefault(header, component)
    if not _declares(responses, 304):
        responses[304] = NOT_MODIFIED
    params = operation.setdefault("parameters", [])
    if not any(isinstance(p, dict) and p.get("in") == "header" and str(p.get("name", "")).lower() == "if-none-match"
               for p in params):
        params.append(dict(IF_NONE_MATCH))


def _restricted(endpoint: str) -> bool:
    """Whether the policy (:mod:`core.policy`) keeps the endpoint from some signed-in roles (403 or 404 then)."""
    try:
        from core.policy import PUBLIC, SIGNED_IN, endpoint_action
    except ImportError:  # pragma: no cover - no policy table: any role may be refused
        return True
    return endpoint_action(endpoint) not in (PUBLIC, SIGNED_IN)


def _rate_limited_methods(view: Any, endpoint: str) -> set[str]:
    """The methods (lower case) of ``endpoint`` that a Flask-Limiter limit covers."""
    from flask_limiter.util import get_qualified_name

    from core.extensions import limiter

    manager = getattr(limiter, "limit_manager", None)
    if manager is None:  # limiter not bound: no limit is enforced
        return set()
    limits: list[Any] = [*getattr(manager, "_application_limits", ()), *getattr(manager, "_default_limits", ())]
    limits += getattr(manager, "_decorated_limits", {}).get(get_qualified_name(view), ())
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:  # nested blueprints inherit their parents' limits
        limits += getattr(manager, "_blueprint_limits", {}).get(blueprint, ())
        blueprint = blueprint.rpartition(".")[0]
    methods: set[str] = set()
    for limit in limits:
        limit_methods = getattr(limit, "methods", None)
        methods.update(m.lower() for m in limit_methods) if limit_methods else methods.update(_METHODS)
    return methods
