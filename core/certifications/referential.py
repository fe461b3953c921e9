"""A certification's referential in one TOML file, validated by a JSON Schema.

A plugin describes its certification in ``referential.toml`` (blocks,
competencies, criteria, évaluations, schedule, decision rules and their
parameters, jury rules, fee, deadlines, notes) and builds its descriptor with
:func:`load_referential`; Python is left for the rules that need code. The
format is the JSON Schema ``referential.schema.json`` beside this module
(:data:`SCHEMA_PATH`); its tables and keys have the names of the dataclasses
of :mod:`core.certifications.descriptor` and of their fields.

A malformed file raises :class:`ReferentialError` naming the file, the line
and what is expected; imported by a plugin at load time, it stops
``livret plugins`` and the start-up with the plugin's name.
"""
from __future__ import annotations

import json
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from core.certifications.descriptor import (
    Block,
    BlockOral,
    Certification,
    Competency,
    Criterion,
    Deadline,
    Privacy,
    Deliverable,
    DecisionRules,
    Evaluation,
    EvaluationScheme,
    Fee,
    JuryRule,
    OralPart,
    Outcome,
    Route,
    ScheduleStep,
    SubmittedDocument,
    validate,
)
from core.plugins import PluginLoadError

SCHEMA_PATH = Path(__file__).with_name("referential.schema.json")


class ReferentialError(PluginLoadError, ValueError):
    """A referential file cannot be read or does not follow the schema."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.detail = message
        where = f"{self.path}, line {line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of referential files."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_referential(path: Path | str, **extra: Any) -> Certification:
    """Read, validate and build the certification described by the TOML file ``path``.

    Keyword arguments are added to the certification's ``extra`` (data only
    the plugin's Python knows, e.g. the name of a file it read).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferentialError(path, None, f"cannot be read: {exc}") from exc
    data = parse_referential(text, path)
    cert = build_certification(data)
    problems = validate(cert)
    if problems:
        raise ReferentialError(path, _problem_line(text, problems[0]), "; ".join(problems))
    if extra:
        cert.extra.update(extra)
    return cert


def parse_referential(text: str, path: Path | str = "<referential>") -> dict[str, Any]:
    """The TOML ``text`` as a dict, checked against the schema."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise ReferentialError(path, line, f"invalid TOML: {getattr(exc, 'msg', None) or exc}") from exc
    validator = jsonschema.Draft202012Validator(schema())
    error = best_match(validator.iter_errors(data))
    if error is not None:
        raise ReferentialError(path, _locate(text, error), _describe(error))
    return data


# ---------------------------------------------------------------------------
# Building the descriptor
# ---------------------------------------------------------------------------

def _frozen(value: Any) -> Any:
    """TOML arrays become tuples (descriptors are immutable), recursively."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


def _make(cls: type, table: dict[str, Any], **override: Any) -> Any:
    fields = {k: _frozen(v) for k, v in table.items()}
    fields.update(override)
    return cls(**fields)


def _competency(table: dict[str, Any]) -> Competency:
    code = table["code"]
    criteria = tuple(
        Criterion(code=f"{code}.{i}", text=c) if isinstance(c, str) else Criterion(**c)
        for i, c in enumerate(table.get("criteria", ()), start=1)
    )
    return _make(Competency, table, criteria=criteria)


def _block(table: dict[str, Any]) -> Block:
    return _make(Block, table, competencies=tuple(_competency(c) for c in table["competencies"]))


def _scheme(table: dict[str, Any]) -> EvaluationScheme:
    return _make(EvaluationScheme, table,
                 evaluations=tuple(_make(Evaluation, e) for e in table.get("evaluations", ())),
                 schedule=tuple(_make(ScheduleStep, s) for s in table.get("schedule", ())),
                 block_orals=tuple(_make(BlockOral, o, parts=tuple(_make(OralPart, p) for p in o.get("parts", ())))
                                   for o in table.get("block_orals", ())))


def _route(table: dict[str, Any]) -> Route:
    document = _make(SubmittedDocument, table["document"]) if "document" in table else None
    return _make(Route, table, deliverables=tuple(_make(Deliverable, d) for d in table.get("deliverables", ())),
                 document=document)


def _outcomes(tables: list[dict[str, Any]]) -> tuple[Outcome, ...]:
    return tuple(_make(Outcome, o) for o in tables)


def build_certification(data: dict[str, Any]) -> Certification:
    """The :class:`Certification` of a referential already checked against the schema."""
    data = dict(data)
    data.pop("referential_version", None)
    built: dict[str, Any] = {}
    built["blocks"] = tuple(_block(b) for b in data.pop("blocks"))
    if "scheme" in data:
        built["scheme"] = _scheme(data.pop("scheme"))
    if "rules" in data:
        rules = data.pop("rules")
        built["rules"] = _make(DecisionRules, rules, outcomes=_outcomes(rules.get("outcomes", ())))
    built["routes"] = tuple(_route(r) for r in data.pop("routes", ()))
    built["jury_rules"] = tuple(_make(JuryRule, r) for r in data.pop("jury_rules", ()))
    if "fee" in data:
        built["fee"] = _make(Fee, data.pop("fee"))
    built["deadlines"] = tuple(_make(Deadline, d) for d in data.pop("deadlines", ()))
    if "privacy" in data:
        privacy = data.pop("privacy")
        built["privacy"] = _make(Privacy, privacy, retention=tuple(sorted(privacy.get("retention", {}).items())))
    extra = dict(data.pop("extra", {}))
    if "vae_outcomes" in extra:
        extra["vae_outcomes"] = _outcomes(extra["vae_outcomes"])
    built["extra"] = {k: v if k == "vae_outcomes" else _frozen(v) for k, v in extra.items()}
    return _make(Certification, data, **built)


# ---------------------------------------------------------------------------
# Error messages: what is expected, and where
# ---------------------------------------------------------------------------

def _dotted(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    where = _dotted(error.absolute_path)
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"at {where}: unknown key {', '.join(map(repr, unknown))}; expected one of: {allowed}"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "oneOf" and description:
        return f"at {where}: expected {description}"
    if description and error.validator != "required":
        return f"at {where}: {error.message} (expected {description})"
    return f"at {where}: {error.message}"


def _problem_line(text: str, problem: str) -> int | None:
    """The line of the code a consistency problem names last (its second mention when declared twice)."""
    codes = re.findall(r"[A-Za-z0-9_.-]+", problem.split(" declared twice")[0])
    if not codes:
        return None
    twice = "declared twice" in problem
    code = re.escape(f'"{codes[-1]}"')
    pattern = re.compile(rf"^\s*code\s*=\s*{code}" if twice else code)
    mentions = [i for i, line in enumerate(text.splitlines(), start=1) if pattern.search(line)]
    return mentions[int(twice)] if len(mentions) > int(twice) else None


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _key_line(lines: list[str], start: int, key: str) -> int | None:
    """Index of the first line at or after ``start`` that sets ``key`` (``key =`` or a table header ending with it)."""
    pattern = re.compile(
        rf"""^\s*(?:["']?{re.escape(key)}["']?\s*=|\[\[?\s*(?:[\w"'.-]+\.)?["']?{re.escape(key)}["']?\s*\]\]?)""")
    for index in range(start, len(lines)):
        if pattern.match(lines[index]):
            return index
    return None


def _locate(text: str, error: jsonschema.ValidationError) -> int | None:
    """The 1-based line of the key the error is about, found by searching its path in the text."""
    lines = text.splitlines()
    cursor, tables, last = 0, [], None
    for part in error.absolute_path:
        if isinstance(part, str):
            tables.append(part)
            found = _key_line(lines, cursor, part)
            if found is not None:
                cursor = last = found
        else:
            header = re.compile(rf"^\s*\[\[\s*{re.escape('.'.join(tables))}\s*\]\]")
            hits = [i for i in range(cursor, len(lines)) if header.match(lines[i])]
            if len(hits) > part:
                cursor = last = hits[part]
            elif last is not None and lines[last].rstrip().endswith("["):  # one item a line in a multi-line array
                cursor = last = min(last + 1 + part, len(lines) - 1)
    if error.validator == "additionalProperties":
        for key in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
            found = _key_line(lines, cursor, key)
            if found is not None:
                return found + 1
    return last + 1 if last is not None else 1
