"""The policy proved by a generated matrix (issue 12), and the issue's « Done when ».

For every endpoint of ``app.url_map`` listed in :data:`core.policy.ENDPOINTS` (static files aside), for
each of its methods, each persona of :mod:`tests.policy.world` and each object the URL can name in the
world, the endpoint is called (pages with the persona's signed-in session and the CSRF token its pages
render, the API with its bearer token) with an empty body (pages: the few fields that name the object,
:func:`minimal_form`), and the answer compared with :func:`core.policy.allowed`:

- **allowed**: not 401/403/404. A GET answers 2xx/3xx; a write with an empty body may also answer 400,
  409, 415 (JSON where a file upload is expected) or 422. 409 is also an answer to anybody allowed when the
  object's state refuses the action (a juror's candidate pages of a session still being planned, as the table
  says of ``session.evaluate``; the edit pages of a dossier no longer editable). A redirect to the sign-in
  page is not an answer to a signed-in person.
- **refused**: 404 when the person may not even see the object (its existence must not leak), else 403 or
  404; anonymous: 401 from the API, a redirect to the sign-in page from pages (signing out without an
  account simply goes home).
- never a 5xx nor a 429.

A URL pairing an object with the child of another (session S's URL with a candidate of session I, dossier
A's URL with a document of B) is refused: 404 to whoever may act on the parent, else as the parent says.

``PUBLIC`` endpoints are allowed to all; ``SIGNED_IN`` ones to any signed-in person on their own account:
a token id names the person's own token (allowed) or somebody else's (refused, 404). For actions without an
object (``organisation.manage``...), ``core/policy/endpoints.py`` says the object is the person's own
organisation: an object of another organisation in the URL (a staff member, a webhook) is refused with a
404 to the roles that hold the action (the others are refused by the gate, 403, whatever the object).

GETs change nothing: the row counts of every table (reads' audit events aside) are compared before and
after each endpoint's GETs. A write that succeeds is undone (:meth:`World.restore`); a write that fails or
is refused must leave the counts as they were. Every mismatch is collected and reported once, as a table.
``LIVRET_POLICY_MATRIX_LOG=/some/path`` also writes every call and its answer to ``/some/path.<db>.tsv``.
"""
from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.policy.world import ONLINE_PROVIDER, PERSONAS

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SESSIONS = ("S_open", "S_draft", "I_open")
DOSSIERS = ("A", "A_draft", "B")
SECTION = "etat_civil"
# a certification each organisation was granted (the platform's grant and withdrawal routes)
GRANTED = {"S": "RNCP37827", "I": "RS6776"}


def minimal_form(endpoint: str, persona) -> dict[str, str]:
    """The smallest form a page's POST needs to reach its object (the CSRF token is added by the caller).

    The sign-in, reset and resend forms count attempts per submitted e-mail address: each persona
    gives an address of its own, as different people would.
    """
    if endpoint in ("auth.login", "auth.forgot_password", "auth.resend_verification", "auth.register"):
        return {"email": f"inconnu.{persona.name.replace('_', '.')}@example.org"}
    if endpoint == "dossiers.create":
        return {"certification": "RS6776"}
    if endpoint == "organisations.request_certification":
        return {"certification": "RS6776"}
    if endpoint == "platform.grant":
        return {"certification": "RS6776", "role": "centre"}
    return {}


@dataclass(frozen=True)
class Target:
    label: str
    values: dict = field(default_factory=dict, hash=False, compare=False)
    obj: tuple[str, int] | None = None  # ("dossier" | "document" | "session" | "organisation" | "privacy_request", id)
    owner: int | None = None  # SIGNED_IN endpoints: whose object it is
    organisation: int | None = None  # actions without an object: the object's organisation
    query: str = ""
    mismatched: bool = False  # the URL pairs an object with another's child (someone else's document...)


class HarnessError(Exception):
    pass


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def targets(world, endpoint: str, arguments: set[str], persona) -> list[Target]:
    """The objects of the world the URL of ``endpoint`` can name (its ``arguments`` filled)."""
    ids = world.ids
    args = set(arguments)
    if not args:
        query = "?from=1&to=1" if endpoint == "review_api.versions_diff" else ""
        return [Target("-", {}, None, query=query)]
    found: list[Target] = []
    if "session_id" in args:
        for label in SESSIONS:
            sid = ids["sessions"][label]
            values: dict[str, Any] = {"session_id": sid}
            if "candidate_id" in args:
                values["candidate_id"] = ids["session_candidates"][label]
            if "juror_id" in args:
                values["juror_id"] = ids["session_jurors"][label]
            if "number" in args:
                values["number"] = ids["session_annexes"][label]
            if "pv_id" in args:
                if label not in ids["pvs"]:
                    continue
                values["pv_id"] = ids["pvs"][label]
            rest = args - {"session_id", "candidate_id", "juror_id", "number", "pv_id", "document_id"}
            if rest:
                raise HarnessError(f"cannot fill {sorted(rest)}")
            if "document_id" in args:
                for doc_id in ids["session_documents"].get(label, []):
                    found.append(Target(f"session {label} doc {doc_id}", {**values, "document_id": doc_id},
                                        ("session", sid)))
                continue
            found.append(Target(f"session {label}", values, ("session", sid)))
        # S_open's URL with I_open's candidate, juror or document: nobody reaches them that way
        children = {"candidate_id": ids["session_candidates"]["I_open"], "juror_id": ids["session_jurors"]["I_open"],
                    "pv_id": ids["pvs"]["I_open"], "document_id": ids["session_documents"]["I_open"][0]}
        if args & set(children):
            values = {"session_id": ids["sessions"]["S_open"], **{k: v for k, v in children.items() if k in args}}
            if "number" in args:
                values["number"] = ids["session_annexes"]["I_open"]
            found.append(Target("session S_open, child of I_open", values, ("session", values["session_id"]),
                                mismatched=True))
        return found
    if "dossier_id" in args:
        for label in DOSSIERS:
            did = ids["dossiers"][label]
            values = {"dossier_id": did}
            if "number" in args:
                values["number"] = ids["annexes"][label]
            if "key" in args:
                values["key"] = ONLINE_PROVIDER if endpoint.startswith("fees.") else SECTION
            if "code" in args:  # a deliverable (the world's dossiers are on the VAE route: none expected, 409)
                values["code"] = "E1"
            rest = args - {"dossier_id", "number", "key", "document_id", "code"}
            if rest:
                raise HarnessError(f"cannot fill {sorted(rest)}")
            if "document_id" in args:
                for name, doc_id in ids["documents"].items():
                    if name.split()[0] == label:
                        found.append(Target(f"dossier {label} doc {name}", {**values, "document_id": doc_id},
                                            ("document", doc_id)))
                continue
            query = "?from=1&to=1" if endpoint == "review_api.versions_diff" else ""
            found.append(Target(f"dossier {label}", values, ("dossier", did), query=query))
        if "document_id" in args:  # dossier A's URL with B's document: nobody reaches it that way
            found.append(Target("dossier A, doc B livret2", {"dossier_id": ids["dossiers"]["A"],
                                                            "document_id": ids["documents"]["B livret2"]},
                                ("dossier", ids["dossiers"]["A"]), mismatched=True))
        return found
    if args == {"document_id"}:
        return [Target(f"doc {name}", {"document_id": doc_id}, ("document", doc_id))
                for name, doc_id in ids["documents"].items()]
    if args == {"token_id"}:
        own = world.personas[persona.name]
        other = world.personas["candidate_b" if persona.name == "candidate_a" else "candidate_a"]
        rows = [Target("someone else's token", {"token_id": other.spare_token_id}, owner=other.user_id)]
        if own.spare_token_id is not None:
            rows.insert(0, Target("own token", {"token_id": own.spare_token_id}, owner=own.user_id))
        return rows
    if args == {"user_id"}:
        return [Target(f"user {name}", {"user_id": ids["users"][name]},
                       organisation=ids["org_S" if name.endswith("_s") else "org_I"])
                for name in ("staff_s", "staff_i")]
    if args == {"endpoint_id"}:
        return [Target(f"webhook of {org}", {"endpoint_id": hook}, organisation=ids[f"org_{org}"])
                for org, hook in ids["webhooks"].items()]
    if args == {"organisation_id"}:
        return [Target(f"organisation {org}", {"organisation_id": ids[f"org_{org}"]},
                       ("organisation", ids[f"org_{org}"])) for org in ("S", "I")]
    if "organisation_id" in args and args <= {"organisation_id", "code"}:
        return [Target(f"organisation {org} {GRANTED[org]}", {"organisation_id": ids[f"org_{org}"],
                                                             "code": GRANTED[org]},
                       ("organisation", ids[f"org_{org}"])) for org in ("S", "I")]
    if args == {"code"}:
        return [Target("RNCP37827", {"code": "RNCP37827"})]
    if args == {"request_id"}:  # the register of rights requests: S's, I's, and one of no organisation
        return [Target(f"privacy request {label}", {"request_id": rid}, ("privacy_request", rid),
                       organisation=ids[f"org_{label}"] if label != "none" else None)
                for label, rid in ids["privacy_requests"].items()]
    if args == {"code", "kind"}:  # a retention period of a certification (privacy_api.update_retention)
        return [Target("RNCP37827 draft", {"code": "RNCP37827", "kind": "draft"})]
    if "token" in args:
        token = {"auth.reset_password": ids["reset_token"], "auth.verify_email": ids["verification_token"]}.get(
            endpoint, ids["payer_token"])
        values = {"token": token}
        if "key" in args:
            values["key"] = ONLINE_PROVIDER
        if args - {"token", "key"}:
            raise HarnessError(f"cannot fill {sorted(args - {'token', 'key'})}")
        return [Target("token", values)]
    if args == {"key"}:
        return [Target(ONLINE_PROVIDER, {"key": ONLINE_PROVIDER})]
    raise HarnessError(f"cannot fill {sorted(args)}")


def _load(obj: tuple[str, int] | None):
    from core.auth.models import Organisation
    from core.dossiers.models import Document, Dossier
    from core.extensions import db
    from core.jury.models import JurySession

    if obj is None:
        return None
    kind, oid = obj
    from core.privacy.models import PrivacyRequest

    model = {"dossier": Dossier, "document": Document, "session": JurySession, "organisation": Organisation,
             "privacy_request": PrivacyRequest}[kind]
    return db.session.get(model, oid)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hidden: bool = False  # refused: the person may not know the object exists (404 only)
    state_conflict: bool = False  # allowed, but the object's state refuses the action (409, pages included)


def expectation(world, persona, action: str, target: Target) -> Verdict:
    """What the policy says of ``persona`` doing ``action`` on ``target``."""
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus
    from core.policy import ACTIONS, OPERATOR, POLICY, PUBLIC, SIGNED_IN, VIEW_ACTION, allowed

    if action == PUBLIC:
        return Verdict(True)
    if action == OPERATOR:  # no person: a machine credential (the world's personas come from other addresses)
        return Verdict(False)
    if persona.user_id is None:
        return Verdict(False, hidden=True)
    if target.mismatched:
        # whoever may act on the parent must not reach another's child through it (404); whoever may not is
        # refused on the parent, whatever the child
        parent = expectation(world, persona, action, dataclasses.replace(target, mismatched=False))
        return Verdict(False, hidden=True) if parent.allowed else parent
    with world.app.app_context():
        try:
            user = world.user(persona.name)
            if action == SIGNED_IN:
                return Verdict(target.owner in (None, user.id), hidden=True)
            obj = _load(target.obj)
            # an object of another organisation (or account) behind an action without an object: the role
            # may do the action on its own organisation only; the gate refuses the other roles (403) first
            other_org = (target.organisation is not None and user.organisation_id != target.organisation
                         and user.role in POLICY[action])
            if allowed(user, action, obj) and not other_org:
                conflict = ((action == "session.evaluate" and isinstance(obj, JurySession)
                             and obj.status is SessionStatus.DRAFT)
                            or (action == "dossier.edit" and isinstance(obj, Dossier) and not obj.editable))
                return Verdict(True, state_conflict=conflict)
            spec = ACTIONS[action]
            view = VIEW_ACTION.get(spec.target)
            hidden = other_org or (spec.target != "none" and (view is None or not allowed(user, view, obj)))
            return Verdict(False, hidden=hidden)
        finally:
            db.session.remove()


def judge(persona, method: str, api: bool, endpoint: str, verdict: Verdict, status: int,
          location: str) -> str | None:
    """``None`` when the answer fits the policy, else what is wrong with it."""
    to_sign_in = 300 <= status < 400 and urlsplit(location).path == "/connexion"
    if status >= 500:
        return "server error"
    if status == 429:
        return "rate limited"
    if verdict.allowed:
        if 200 <= status < 300:
            return None
        if 300 <= status < 400:
            return "sent to sign-in" if (to_sign_in and persona.user_id is not None) else None
        # an empty body: refused by validation (415: JSON sent where a file upload is expected), or by state
        if method != "GET" and status in (400, 409, 415, 422):
            return None
        if status == 409 and verdict.state_conflict:
            return None  # e.g. a juror's candidate pages open with the session (409 before, says the table)
        return "refused"
    from core.policy import OPERATOR, endpoint_action

    if endpoint_action(endpoint) == OPERATOR:  # no person, signed in or not: the machine credential is missing
        return None if status == 403 else "not 403"
    if persona.user_id is None:
        if api:
            return None if status == 401 else "not 401"
        if endpoint == "auth.logout" and 300 <= status < 400:
            return None  # signing out without an account: nothing to refuse, the home page
        return None if to_sign_in else "not sent to sign-in"
    if verdict.hidden:
        return None if status == 404 else "existence leaks" if status == 403 else "not refused"
    return None if status in (403, 404) else "not refused"


def _describe(status: int, location: str) -> str:
    if 300 <= status < 400:
        path = urlsplit(location).path
        return f"{status} → {path}"
    return str(status)


@dataclass
class Row:
    endpoint: str
    method: str
    persona: str
    target: str
    expected: str
    got: str


def call(world, persona, endpoint: str, method: str, url: str, api: bool):
    if api:
        kwargs: dict[str, Any] = {"headers": persona.headers}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = {}
        response = persona.api.open(url, method=method, **kwargs)
    elif method == "GET":
        response = persona.client.get(url)
    else:
        response = persona.client.open(url, method=method,
                                       data={**minimal_form(endpoint, persona), "csrf_token": persona.csrf})
    try:
        response.get_data()  # a streamed download runs to its end
    finally:
        response.close()
    return response.status_code, response.headers.get("Location", "")


def run_matrix(world, log: list[str] | None = None) -> tuple[list[Row], dict[str, Any]]:
    """Call everything (see the module); ``log`` collects one tab-separated line per call."""
    from core.policy import ENDPOINTS

    app = world.app
    adapter = app.url_map.bind("localhost")
    pristine = world.fingerprint()
    rows: list[Row] = []
    stats = {"requests": 0, "endpoints": 0, "by_endpoint": {}}
    rules = sorted((r for r in app.url_map.iter_rules() if not _is_static(r.endpoint) and r.endpoint in ENDPOINTS),
                   key=lambda r: (r.rule, r.endpoint))

    def expected_text(verdict, persona, api):
        if verdict.allowed:
            return "allowed"
        if persona.user_id is None:
            return "401" if api else "sign-in"
        return "404" if verdict.hidden else "403/404"

    for rule in rules:
        endpoint, action = rule.endpoint, ENDPOINTS[rule.endpoint]
        api = rule.rule.startswith("/api/")
        methods = [m for m in ("GET", *WRITE_METHODS) if m in (rule.methods or ())]
        started = time.perf_counter()
        stats["endpoints"] += 1
        for method in methods:
            before = world.fingerprint() if method == "GET" else None
            for name in PERSONAS:
                persona = world.personas[name]
                try:
                    found = targets(world, endpoint, set(rule.arguments), persona)
                except HarnessError as exc:
                    rows.append(Row(endpoint, method, name, "-", "-", f"harness: {exc}"))
                    break
                for target in found:
                    url = adapter.build(endpoint, target.values, method=method) + target.query
                    verdict = expectation(world, persona, action, target)
                    try:
                        status, location = call(world, persona, endpoint, method, url, api)
                    except Exception as exc:  # noqa: BLE001 - reported with the others
                        status, location = 599, f"{type(exc).__name__}: {exc}"
                    stats["requests"] += 1
                    problem = judge(persona, method, api, endpoint, verdict, status, location)
                    if problem:
                        got = _describe(status, location) if status != 599 else location[:80]
                        rows.append(Row(endpoint, method, name, target.label, expected_text(verdict, persona, api),
                                        f"{got} ({problem})"))
                    if log is not None:
                        log.append("\t".join((endpoint, method, name, target.label, expected_text(verdict, persona, api),
                                              _describe(status, location), problem or "ok")))
                    if method == "GET":
                        continue
                    sent_to_sign_in = 300 <= status < 400 and urlsplit(location).path == "/connexion"
                    succeeded = status < 400 and not (persona.user_id is None and sent_to_sign_in)
                    after = world.fingerprint()
                    if after != pristine:
                        if not succeeded:
                            rows.append(Row(endpoint, method, name, target.label, "nothing written",
                                            f"{status}, rows changed: {_diff(pristine, after)}"))
                        world.restore()
                    elif succeeded:
                        world.restore()  # updates do not show in the counts
            if method == "GET":
                after = world.fingerprint()
                if after != before:
                    rows.append(Row(endpoint, "GET", "(all)", "-", "GET changes nothing",
                                    f"rows changed: {_diff(before, after)}"))
                    world.restore()
        stats["by_endpoint"][endpoint] = stats["by_endpoint"].get(endpoint, 0) + time.perf_counter() - started
    return rows, stats


def _diff(before: dict[str, int], after: dict[str, int]) -> str:
    return ", ".join(f"{t} {before.get(t, 0)}→{n}" for t, n in sorted(after.items()) if before.get(t, 0) != n)


def table(rows: list[Row]) -> str:
    head = Row("endpoint", "method", "persona", "object", "expected", "got")
    allrows = [head, *rows]
    widths = [max(len(getattr(r, f)) for r in allrows) for f in ("endpoint", "method", "persona", "target",
                                                                   "expected", "got")]
    lines = []
    for r in allrows:
        cells = (r.endpoint, r.method, r.persona, r.target, r.expected, r.got)
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def test_every_endpoint_answers_as_the_policy_says(world, database_kind):
    started = time.perf_counter()
    path = os.environ.get("LIVRET_POLICY_MATRIX_LOG")  # every call and its answer, to read the matrix whole
    log: list[str] | None = [] if path else None
    rows, stats = run_matrix(world, log)
    elapsed = time.perf_counter() - started
    if path and log is not None:
        with open(f"{path}.{database_kind}.tsv", "w", encoding="utf-8") as out:
            out.write("endpoint\tmethod\tpersona\tobject\texpected\tgot\tverdict\n" + "\n".join(log) + "\n")
    slowest = sorted(stats["by_endpoint"].items(), key=lambda kv: -kv[1])[:8]
    summary = (f"[{database_kind}] world built in {world.build_seconds:.1f}s; matrix: {stats['endpoints']} endpoints, "
               f"{stats['requests']} requests in {elapsed:.1f}s, {world.restores} restores "
               f"({world.restore_seconds:.1f}s); slowest: "
               + ", ".join(f"{e} {s:.1f}s" for e, s in slowest))
    print(summary)
    if rows:
        pytest.fail(f"{len(rows)} answer(s) differ from the policy\n{summary}\n\n{table(rows)}", pytrace=False)


# ---------------------------------------------------------------------------
# issue 12, « Done when »
# ---------------------------------------------------------------------------

def _status(persona, url: str, api: bool = True) -> int:
    response = persona.api.get(url, headers=persona.headers) if api else persona.client.get(url)
    response.get_data()
    response.close()
    return response.status_code


SIMPLON_API = ("/api/v1/dossiers/{A}", "/api/v1/dossiers/{A}/sections/etat_civil",
               "/api/v1/dossiers/{A}/annexes/1/content", "/api/v1/documents/{A_livret2}/content",
               "/api/v1/dossiers/{A}/fee")


def _simplon_urls(world) -> list[str]:
    ids = world.ids
    return [u.format(A=ids["dossiers"]["A"], A_livret2=ids["documents"]["A livret2"]) for u in SIMPLON_API]


def _delivers(world, organisation_id: int, code: str) -> bool:
    from core.auth.models import Organisation
    from core.extensions import db

    with world.app.app_context():
        try:
            return code in db.session.get(Organisation, organisation_id).certification_codes
        finally:
            db.session.remove()


@pytest.fixture
def inkrea_without_rncp(world):
    """The world before any grant of RNCP37827 to Inkréa (org I): its grant taken back; restored after."""
    from core.auth.models import OrganisationCertification
    from core.extensions import db

    world.restore()
    org_i = world.ids["org_I"]
    with world.app.app_context():
        db.session.delete(db.session.get(OrganisationCertification, (org_i, "RNCP37827")))
        db.session.commit()
        db.session.remove()
    assert not _delivers(world, org_i, "RNCP37827")
    try:
        yield world
    finally:
        world.restore()


def _inkrea_staff_reach_nothing_of_simplon(world) -> None:
    staff_i, da = world.personas["staff_i"], world.ids["dossiers"]["A"]
    for url in _simplon_urls(world):
        assert _status(staff_i, url) == 404, url
    assert _status(staff_i, f"/dossiers/{da}", api=False) == 404
    assert _status(staff_i, f"/certificateur/dossiers/{da}/recevabilite", api=False) == 404


def test_done_when_the_inkrea_admin_cannot_give_inkrea_rncp37827(inkrea_without_rncp):
    """Ticking RNCP37827 on the organisation's certifications form is refused: only a platform admin grants."""
    world = inkrea_without_rncp
    admin_i, org_i = world.personas["admin_i"], world.ids["org_I"]
    answer = admin_i.client.post("/certificateur/organisation/certifications",
                                 data={"certifications": ["RS6776", "RNCP37827"]}, page="/certificateur/organisation")
    assert 400 <= answer.status_code < 500, answer.status_code
    assert not _delivers(world, org_i, "RNCP37827")
    _inkrea_staff_reach_nothing_of_simplon(world)


def test_done_when_asking_for_rncp37827_grants_nothing(inkrea_without_rncp):
    """The certifier admin may ask for a certification: a request, not a grant."""
    world = inkrea_without_rncp
    admin_i, org_i = world.personas["admin_i"], world.ids["org_I"]
    answer = admin_i.client.post("/certificateur/organisation/certifications/demande",
                                 data={"certification": "RNCP37827"}, page="/certificateur/organisation")
    assert answer.status_code in (200, 302, 303), answer.status_code
    assert not _delivers(world, org_i, "RNCP37827"), "a request made the certification delivered (granted)"
    _inkrea_staff_reach_nothing_of_simplon(world)


def test_done_when_a_centre_granted_by_the_platform_sees_only_its_own_dossiers(inkrea_without_rncp):
    from core.dossiers.models import Dossier
    from core.extensions import db

    world = inkrea_without_rncp
    platform, staff_i, org_i = world.personas["platform"], world.personas["staff_i"], world.ids["org_I"]
    da, db_ = world.ids["dossiers"]["A"], world.ids["dossiers"]["B"]
    answer = platform.client.post(f"/plateforme/organisations/{org_i}/certifications",
                                  data={"certification": "RNCP37827", "role": "centre"},
                                  page=f"/plateforme/organisations/{org_i}")
    assert answer.status_code in (302, 303), answer.status_code
    assert _delivers(world, org_i, "RNCP37827")
    assert _status(staff_i, f"/api/v1/dossiers/{db_}") == 200
    assert _status(staff_i, f"/dossiers/{db_}", api=False) == 200
    _inkrea_staff_reach_nothing_of_simplon(world)
    listed = staff_i.api.get("/api/v1/backoffice/dossiers", headers=staff_i.headers).get_data(as_text=True)
    with world.app.app_context():
        ref_a, ref_b = (db.session.get(Dossier, i).reference for i in (da, db_))
        db.session.remove()
    assert ref_b in listed and ref_a not in listed


def test_done_when_staff_get_404_on_a_drafts_fee(world):
    """Even in the organisation the draft was opened with; nothing is written (no request, no invoice number)."""
    world.restore()
    people, draft = world.personas, world.ids["dossiers"]["A_draft"]
    before = world.fingerprint()
    for name in ("staff_s", "admin_s", "staff_i", "admin_i"):
        assert _status(people[name], f"/api/v1/dossiers/{draft}/fee") == 404, name
        assert _status(people[name], f"/dossiers/{draft}/frais", api=False) == 404, name
        waive = people[name].client.post(f"/dossiers/{draft}/frais/exoneration",
                                         data={"reason": "Essai", "csrf_token": people[name].csrf})
        assert waive.status_code == 404, name
        pay = people[name].api.post(f"/api/v1/dossiers/{draft}/fee/payments", headers=people[name].headers,
                                    json={"amount_cents": 30000})
        assert pay.status_code == 404, name
    assert world.fingerprint() == before, "a refused fee action left rows (fee request, invoice number...)"
    assert _status(people["candidate_a"], f"/api/v1/dossiers/{draft}/fee") == 200


def test_done_when_a_juror_gets_the_livret2_and_nothing_else_issued(world):
    """Juror J1, on the open session of candidate A: the sealed Livret 2, not the fee invoice, the
    admissibility letter or the receipt."""
    world.restore()
    juror, docs = world.personas["juror_1"], world.ids["documents"]
    assert _status(juror, f"/api/v1/documents/{docs['A livret2']}/content") == 200
    for name in ("A receipt_fee", "A admissibility_letter", "A receipt"):
        assert _status(juror, f"/api/v1/documents/{docs[name]}/content") == 404, name
    # ... and a juror who does not sit on that session, nothing at all
    assert _status(world.personas["juror_2"], f"/api/v1/documents/{docs['A livret2']}/content") == 404


def test_done_when_a_juror_of_a_planned_session_gets_409_on_the_grid(world):
    world.restore()
    people, ids = world.personas, world.ids
    planned, candidate = ids["sessions"]["S_draft"], ids["session_candidates"]["S_draft"]
    assert _status(people["juror_2"], f"/jury/sessions/{planned}/candidats/{candidate}/grille", api=False) == 409
    assert _status(people["juror_2"], f"/api/v1/sessions/{planned}/candidates/{candidate}/grid") == 409
    # the juror who does not sit on it: 404, its existence does not leak
    assert _status(people["juror_1"], f"/api/v1/sessions/{planned}/candidates/{candidate}/grid") == 404
