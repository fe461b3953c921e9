"""The API does everything the pages do (issue 13): every page action has its API counterpart."""
from __future__ import annotations

from core.api.parity import PAGE_ACTIONS, PAGE_READS, Exempt


def _rules(app):
    return list(app.url_map.iter_rules())


def _page_actions(app) -> set[str]:
    return {r.endpoint for r in _rules(app)
            if not r.rule.startswith("/api/") and ({"POST", "PUT", "PATCH", "DELETE"} & set(r.methods or ()))}


def _api_endpoints(app) -> set[str]:
    return {r.endpoint for r in _rules(app) if r.rule.startswith("/api/")}


def test_every_page_action_has_its_api_counterpart(app):
    missing = sorted(_page_actions(app) - set(PAGE_ACTIONS))
    assert not missing, ("page actions without an API counterpart declared in core/api/parity.py: "
                         + ", ".join(missing))


def test_every_declared_counterpart_exists(app):
    api = _api_endpoints(app)
    problems = []
    for page, counterpart in {**PAGE_ACTIONS, **PAGE_READS}.items():
        if isinstance(counterpart, Exempt):
            if len(counterpart.reason) < 30:
                problems.append(f"{page}: an exemption needs its reason")
            continue
        if not counterpart:
            problems.append(f"{page}: no API endpoint named")
        problems += [f"{page} → {name}: no such API endpoint" for name in counterpart if name not in api]
    assert not problems, "\n".join(problems)


def test_the_mapping_names_only_existing_pages(app):
    pages = {r.endpoint for r in _rules(app) if not r.rule.startswith("/api/")}
    stale = sorted(set(PAGE_ACTIONS) - _page_actions(app)) + sorted(set(PAGE_READS) - pages)
    assert not stale, "core/api/parity.py names pages that are not (or no longer) page actions: " + ", ".join(stale)


def test_exemptions_stay_rare():
    exempt = [p for p, c in PAGE_ACTIONS.items() if isinstance(c, Exempt)]
    assert len(exempt) <= 2, exempt


def _resolved(spec, response) -> dict:
    """A response, or the shared one its ``$ref`` names (a file response: core.api.spec.declare_file_response)."""
    if isinstance(response, dict) and "$ref" in response:
        response = spec["components"]["responses"].get(response["$ref"].rpartition("/")[2], {})
    return response if isinstance(response, dict) else {}


def test_every_counterpart_is_in_the_openapi_document_with_a_schema(app):
    """Each API counterpart is documented: a path in the OpenAPI document, and a JSON body or answer schema."""
    from core.api.spec import get_spec

    spec = get_spec(app)
    by_endpoint = {}
    for rule in _rules(app):
        if rule.rule.startswith("/api/v1"):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", "{" + arg + "}").replace(f"<{arg}>", "{" + arg + "}")
            by_endpoint.setdefault(rule.endpoint, []).append((path, {m.lower() for m in rule.methods or ()}))
    problems = []
    names = {n for c in {**PAGE_ACTIONS, **PAGE_READS}.values() if not isinstance(c, Exempt) for n in c}
    for name in sorted(names):
        for path, methods in by_endpoint.get(name, []):
            operations = {m: op for m, op in spec["paths"].get(path, {}).items() if m in methods}
            if not operations:
                problems.append(f"{name}: {path} is not in the OpenAPI document")
                continue
            for method, op in operations.items():
                responses = op.get("responses", {})
                ok = [s for s in responses if str(s).startswith("2")]
                if not ok:
                    problems.append(f"{name}: {method.upper()} {path} documents no success status")
                    continue
                has_schema = bool(op.get("requestBody")) or any(
                    _resolved(spec, responses[s]).get("content") for s in ok) or ok == ["204"]
                if not has_schema:
                    problems.append(f"{name}: {method.upper()} {path} has neither a body nor an answer schema")
    assert not problems, "\n".join(problems)
