"""Turn the OpenAPI document into what the docs page shows.

The template stays simple: this module resolves ``$ref``s, names types in
words, and groups operations by tag, in the order of the document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

_REF_SCHEMA = "#/components/schemas/"
_REF_RESPONSE = "#/components/responses/"


@dataclass
class TypeInfo:
    label: str  # e.g. "chaîne (date-time)", "liste de", "objet"
    ref: str | None = None  # a component schema name, linked on the page
    nullable: bool = False
    enum: list[Any] | None = None


@dataclass
class FieldRow:
    name: str
    type: TypeInfo
    required: bool
    description: str = ""


@dataclass
class Body:
    content_type: str
    type: TypeInfo
    example: Any = None


@dataclass
class ResponseRow:
    status: str
    description: str
    bodies: list[Body] = field(default_factory=list)
    error_code: str | None = None  # error.code of an error response

    @property
    def is_error(self) -> bool:
        return self.status[:1] in ("4", "5")


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    auth: str  # "required", "optional" or "none"
    parameters: list[dict[str, Any]]
    request_bodies: list[Body]
    responses: list[ResponseRow]


@dataclass
class Tag:
    name: str
    title: str
    anchor: str
    description: str
    operations: list[Operation] = field(default_factory=list)


@dataclass
class SchemaDoc:
    name: str
    anchor: str
    description: str
    fields: list[FieldRow]


@dataclass
class DocsModel:
    title: str
    version: str
    description: str
    tags: list[Tag]
    schemas: list[SchemaDoc]


def schema_anchor(name: str) -> str:
    return "schema-" + name


_TYPE_LABELS = {
    "string": "chaîne", "integer": "entier", "number": "nombre", "boolean": "booléen",
    "object": "objet", "array": "liste",
}


def type_info(schema: dict[str, Any] | None) -> TypeInfo:
    """A schema object described in words (French), with the component it refers to."""
    if not schema:
        return TypeInfo(_("quelconque"))
    nullable = bool(schema.get("nullable"))
    if "$ref" in schema:
        return TypeInfo(_("objet"), ref=schema["$ref"].removeprefix(_REF_SCHEMA), nullable=nullable)
    for combinator in ("allOf", "oneOf", "anyOf"):
        if schema.get(combinator):
            members = schema[combinator]
            inner = type_info(next((m for m in members if "$ref" in m), members[0]))
            inner.nullable = inner.nullable or nullable or any(m.get("nullable") for m in members)
            return inner
    kind = schema.get("type")
    if kind == "array":
        items = type_info(schema.get("items"))
        label = _("liste de %(item)s", item=items.label if not items.ref else _("objets"))
        return TypeInfo(label, ref=items.ref, nullable=nullable)
    label = _TYPE_LABELS.get(kind, kind or _("quelconque"))
    if schema.get("format"):
        label = f"{label} ({schema['format']})"
    return TypeInfo(label, nullable=nullable, enum=schema.get("enum"))


def _bodies(content: dict[str, Any] | None) -> list[Body]:
    return [Body(content_type=ctype, type=type_info(media.get("schema")), example=media.get("example"))
            for ctype, media in (content or {}).items()]


def _response_row(status: str, response: dict[str, Any], components: dict[str, Any]) -> ResponseRow:
    if "$ref" in response:
        response = components.get("responses", {}).get(response["$ref"].removeprefix(_REF_RESPONSE), {})
    bodies = _bodies(response.get("content"))
    code = None
    for body in bodies:
        example = body.example
        if isinstance(example, dict) and isinstance(example.get("error"), dict):
            code = example["error"].get("code")
    return ResponseRow(status=str(status), description=response.get("description", ""), bodies=bodies,
                       error_code=code)


def _auth(operation: dict[str, Any]) -> str:
    security = operation.get("security")
    if not security:
        return "none"
    return "optional" if {} in security else "required"


def docs_model(spec: dict[str, Any]) -> DocsModel:
    components = spec.get("components", {})
    tags: dict[str, Tag] = {
        t["name"]: Tag(name=t["name"], title=t.get("x-displayName", t["name"]), anchor="tag-" + t["name"],
                       description=t.get("description", ""))
        for t in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or method.startswith("x-") or method == "parameters":
                continue
            tag_name = (operation.get("tags") or ["api"])[0]
            tag = tags.setdefault(tag_name, Tag(name=tag_name, title=tag_name, anchor="tag-" + tag_name,
                                                description=""))
            parameters = [{
                "name": p.get("name"), "in": p.get("in"), "required": bool(p.get("required")),
                "description": p.get("description", ""), "type": type_info(p.get("schema")),
            } for p in operation.get("parameters", [])]
            request_body = operation.get("requestBody") or {}
            tag.operations.append(Operation(
                anchor="op-" + operation.get("operationId", f"{method}-{path}"),
                method=method.upper(), path=path, summary=operation.get("summary", ""),
                description=operation.get("description", ""), auth=_auth(operation),
                parameters=parameters, request_bodies=_bodies(request_body.get("content")),
                responses=[_response_row(status, response, components)
                           for status, response in sorted(operation.get("responses", {}).items())],
            ))
    schemas = []
    for name, schema in sorted(components.get("schemas", {}).items()):
        required = set(schema.get("required", []))
        rows = [FieldRow(name=prop_name, type=type_info(prop), required=prop_name in required,
                         description=prop.get("description", ""))
                for prop_name, prop in schema.get("properties", {}).items()]
        schemas.append(SchemaDoc(name=name, anchor=schema_anchor(name), description=schema.get("description", ""),
                                 fields=rows))
    info = spec.get("info", {})
    return DocsModel(title=info.get("title", ""), version=info.get("version", ""),
                     description=info.get("description", ""), tags=[t for t in tags.values() if t.operations],
                     schemas=schemas)


def rich_text(text: str | None):
    """Plain text with ``code`` spans and blank-line paragraphs, as HTML (everything else escaped)."""
    from markupsafe import Markup, escape

    paragraphs = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    html = []
    for paragraph in paragraphs:
        parts = " ".join(paragraph.split()).split("`")
        inner = "".join(f"<code>{escape(part)}</code>" if i % 2 else str(escape(part)) for i, part in enumerate(parts))
        html.append(f"<p>{inner}</p>")
    return Markup("".join(html))
