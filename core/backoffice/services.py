"""The certifier's dossier list: filters, search, sort, keyset pagination and exports.

Every query is scoped to the certifications the staff member's organisation
delivers and leaves drafts out (a draft stays private to its candidate).

Pagination is by keyset, never by OFFSET: a page is "the next 50 rows after
this sort key", which an index walks directly, so a page costs the same with
1 000 or 100 000 dossiers. The cursor is opaque to clients (URL-safe base64
of JSON) and carries the sort, the direction and the last row's key; the
filters are re-applied on every page, so a cursor never widens what a user
sees. Counts are capped (:data:`COUNT_CAP`) for the same reason.

Indexes used (declared in :mod:`core.dossiers.models` and
:mod:`core.backoffice.models`): ``(certification_code, submitted_at, id)``
without drafts, ``(certification_code, status, submitted_at, id)`` for a
status filter, ``lower(...)`` prefix indexes on the candidate's names and
e-mail and ``upper(reference)`` for search. The jury-session and fee filters
are ``EXISTS`` subqueries answered by the unique indexes
``jury_session_candidates (session_id, dossier_id)`` and
``fee_requests (dossier_id)``: the order and the keyset walk stay the list's.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, literal_column, or_, select, tuple_
from sqlalchemy.orm import contains_eager

from core.auth.models import Role, User
from core.dossiers.models import Dossier, DossierStatus
from core.errors import Forbidden
from core.extensions import db
from core.fees.models import STATE_LABELS, FeeRequest, FeeState
from core.jury.models import JurySession, SessionCandidate

PAGE_SIZE = 50
COUNT_CAP = 1000
EXPORT_BATCH = 1000
STAFF_ROLES = (Role.CERTIFIER_STAFF, Role.CERTIFIER_ADMIN)
LISTED_STATUSES = tuple(s for s in DossierStatus if s is not DossierStatus.DRAFT)
SORTS = ("submitted_at", "reference", "last_name")
DIRECTIONS = ("asc", "desc")
DEFAULT_SORT, DEFAULT_DIRECTION = "submitted_at", "desc"
MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
NO_FEE = "none"  # fee filter: dossiers without any fee request
FEE_FILTERS = tuple(s.value for s in FeeState) + (NO_FEE,)


class InvalidFilters(Exception):
    """Query parameters that cannot be used; ``errors`` maps each parameter to French messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ListFilters:
    certification: str | None = None
    status: DossierStatus | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    direction: str = DEFAULT_DIRECTION
    session: int | None = None  # a jury session of the staff's organisation
    fee: str | None = None  # a FeeState value, or NO_FEE

    def as_params(self) -> dict[str, str]:
        """The filters as query-string parameters (empty ones left out), for links and the audit trail."""
        raw = {"certification": self.certification or "", "status": self.status.value if self.status else "",
               "submitted_from": self.submitted_from.isoformat() if self.submitted_from else "",
               "submitted_to": self.submitted_to.isoformat() if self.submitted_to else "",
               "session": str(self.session) if self.session is not None else "", "fee": self.fee or "",
               "q": self.q, "sort": self.sort, "direction": self.direction}
        return {k: v for k, v in raw.items() if v}


@dataclass
class Cursor:
    sort: str
    direction: str
    value: Any
    id: int
    before: bool = False  # True: the page before this key (the "previous" link)

    def encode(self) -> str:
        raw = json.dumps(asdict(self), separators=(",", ":"), default=str).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@dataclass
class Page:
    rows: list[Dossier]
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # number of matching dossiers, capped at COUNT_CAP
    count_capped: bool
    filters: ListFilters = field(default_factory=ListFilters)
    is_first: bool = True


# ---------------------------------------------------------------------------
# Who may list, and what
# ---------------------------------------------------------------------------

def staff_codes(user: User) -> list[str]:
    """The certification codes ``user`` reviews; Forbidden for anyone who is not certifier staff."""
    if user is None or user.role not in STAFF_ROLES:
        raise Forbidden(_("Cette page est réservée à l'équipe du certificateur."))
    if user.organisation is None:
        return []
    return sorted(user.organisation.certification_codes)


# ---------------------------------------------------------------------------
# Parsing input
# ---------------------------------------------------------------------------

def _parse_date(raw: str) -> date:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def fee_choices() -> list[tuple[str, str]]:
    """The fee filter's values and French labels."""
    return [(s.value, str(STATE_LABELS[s])) for s in FeeState] + [(NO_FEE, _("Aucuns frais demandés"))]


def session_choices(organisation_id: int | None, codes: list[str]) -> list[JurySession]:
    """The jury sessions the session filter offers: the organisation's, for its certifications, latest first."""
    if organisation_id is None or not codes:
        return []
    return list(db.session.scalars(select(JurySession).where(
        JurySession.organisation_id == organisation_id, JurySession.certification_code.in_(codes))
        .order_by(JurySession.starts_at.desc(), JurySession.id.desc())))


def _parse_session(raw: str, organisation_id: int | None, codes: list[str]) -> int:
    """A session id of the organisation (for one of its certifications); ValueError otherwise."""
    session_id = int(raw)
    if organisation_id is None or not 0 < session_id < 2**31:
        raise ValueError(raw)
    found = db.session.scalar(select(JurySession.id).where(
        JurySession.id == session_id, JurySession.organisation_id == organisation_id,
        JurySession.certification_code.in_(codes)))
    if found is None:
        raise ValueError(raw)
    return session_id


def parse_filters(args, codes: list[str], organisation_id: int | None = None) -> ListFilters:
    """Read the list's query parameters; :class:`InvalidFilters` names every refused one, in French.

    ``organisation_id``: the staff member's organisation, whose jury sessions the ``session``
    filter may name (without it, any session is refused).
    """
    errors: dict[str, list[str]] = {}
    filters = ListFilters()

    cert = (args.get("certification") or "").strip().upper()
    if cert:
        if cert in codes:
            filters.certification = cert
        else:
            errors["certification"] = [_("Certification inconnue ou que votre organisme ne délivre pas.")]
    status = (args.get("status") or "").strip()
    if status:
        try:
            filters.status = DossierStatus(status)
        except ValueError:
            filters.status = None
        if filters.status is None or filters.status is DossierStatus.DRAFT:
            filters.status = None
            errors["status"] = [_("Statut inconnu. Valeurs possibles : %(values)s.",
                                  values=", ".join(s.value for s in LISTED_STATUSES))]
    for name in ("submitted_from", "submitted_to"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                setattr(filters, name, _parse_date(raw))
            except ValueError:
                errors[name] = [_("Date invalide : saisissez-la au format JJ/MM/AAAA, par exemple 31/01/2026.")]
    session = (args.get("session") or "").strip()
    if session:
        try:
            filters.session = _parse_session(session, organisation_id, codes)
        except ValueError:
            errors["session"] = [_("Session de jury inconnue ou d'un autre organisme.")]
    fee = (args.get("fee") or "").strip().lower()
    if fee:
        if fee in FEE_FILTERS:
            filters.fee = fee
        else:
            errors["fee"] = [_("État des frais inconnu. Valeurs possibles : %(values)s.",
                               values=", ".join(FEE_FILTERS))]
    if filters.submitted_from and filters.submitted_to and filters.submitted_from > filters.submitted_to:
        errors.setdefault("submitted_to", []).append(
            _("La date de fin doit être postérieure ou égale à la date de début."))
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = [_("La recherche est limitée à %(n)d caractères.", n=MAX_QUERY_LENGTH)]
    elif len(q.split()) > MAX_TERMS:
        errors["q"] = [_("La recherche est limitée à %(n)d mots.", n=MAX_TERMS)]
    else:
        filters.q = q
    sort = (args.get("sort") or DEFAULT_SORT).strip()
    if sort in SORTS:
        filters.sort = sort
    else:
        errors["sort"] = [_("Tri inconnu. Valeurs possibles : %(values)s.", values=", ".join(SORTS))]
    direction = (args.get("direction") or DEFAULT_DIRECTION).strip()
    if direction in DIRECTIONS:
        filters.direction = direction
    else:
        errors["direction"] = [_("Ordre inconnu. Valeurs possibles : asc, desc.")]
    if errors:
        raise InvalidFilters(errors)
    return filters


def decode_cursor(raw: str, filters: ListFilters) -> Cursor:
    """The cursor sent back by a client; InvalidFilters if it is damaged or made for another sort."""
    invalid = InvalidFilters({"cursor": [_("Curseur de pagination invalide : revenez à la première page.")]})
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        cursor = Cursor(sort=data["sort"], direction=data["direction"], value=data["value"], id=int(data["id"]),
                        before=bool(data.get("before", False)))
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError, RecursionError):
        raise invalid from None
    if cursor.sort != filters.sort or cursor.direction != filters.direction or not isinstance(cursor.value, str):
        raise invalid
    from core.input_bounds import ID_MAX, json_value_errors

    if not 0 <= cursor.id <= ID_MAX or json_value_errors(cursor.value):  # crafted: no overflow, NUL, surrogate
        raise invalid
    if cursor.sort == "submitted_at":
        try:
            cursor.value = _as_utc(datetime.fromisoformat(cursor.value))
        except ValueError:
            raise invalid from None
    return cursor


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------

def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _like_prefix(expr, term: str):
    return expr.startswith(term, autoescape=True)


def _search_condition(q: str):
    """Each word must be the start of the candidate's last name, first name, e-mail or the reference."""
    conditions = []
    for term in q.split():
        lowered = term.lower()
        matching_users = select(User.id).where(or_(
            _like_prefix(func.lower(User.last_name), lowered),
            _like_prefix(func.lower(User.first_name), lowered),
            _like_prefix(User.email, lowered)))
        conditions.append(or_(Dossier.candidate_id.in_(matching_users),
                              _like_prefix(func.upper(Dossier.reference), term.upper())))
    return and_(*conditions)


def filtered_query(codes: list[str], filters: ListFilters, organisation_id: int) -> Select:
    """Dossiers opened with organisation ``organisation_id`` for ``codes`` (never drafts) matching
    ``filters``, without order or limit."""
    stmt = select(Dossier).join(User, User.id == Dossier.candidate_id).where(
        Dossier.organisation_id == organisation_id)
    if filters.certification:
        stmt = stmt.where(Dossier.certification_code == filters.certification)
    elif len(codes) == 1:
        stmt = stmt.where(Dossier.certification_code == codes[0])
    else:
        stmt = stmt.where(Dossier.certification_code.in_(codes))
    if filters.status is not None:
        stmt = stmt.where(Dossier.status == filters.status)
    else:
        # A literal, so that PostgreSQL matches the partial index ``WHERE status <> 'draft'``.
        stmt = stmt.where(Dossier.status != literal_column("'draft'"))
    # A dossier leaves the draft state by being submitted: submitted_at is set on every listed row.
    stmt = stmt.where(Dossier.submitted_at.is_not(None))
    if filters.submitted_from:
        stmt = stmt.where(Dossier.submitted_at >= _day_start(filters.submitted_from))
    if filters.submitted_to:
        stmt = stmt.where(Dossier.submitted_at < _day_start(filters.submitted_to + timedelta(days=1)))
    if filters.q:
        stmt = stmt.where(_search_condition(filters.q))
    if filters.session is not None:
        stmt = stmt.where(exists().where(SessionCandidate.session_id == filters.session,
                                         SessionCandidate.dossier_id == Dossier.id))
    if filters.fee == NO_FEE:
        stmt = stmt.where(~exists().where(FeeRequest.dossier_id == Dossier.id))
    elif filters.fee:
        stmt = stmt.where(exists().where(FeeRequest.dossier_id == Dossier.id,
                                         FeeRequest.state == FeeState(filters.fee)))
    return stmt


def _sort_column(sort: str):
    return {"submitted_at": Dossier.submitted_at, "reference": Dossier.reference,
            "last_name": func.lower(User.last_name)}[sort]


def _cursor_value(key: Any) -> str:
    """A sort key as the database returned it, in the cursor's JSON form."""
    if isinstance(key, datetime):
        return _as_utc(key).isoformat()
    return "" if key is None else str(key)


def _ordered(stmt: Select, sort: str, descending: bool) -> Select:
    column = _sort_column(sort)
    if descending:
        return stmt.order_by(column.desc(), Dossier.id.desc())
    return stmt.order_by(column.asc(), Dossier.id.asc())


def _after(sort: str, descending: bool, value: Any, last_id: int):
    key = tuple_(_sort_column(sort), Dossier.id)
    return key < tuple_(value, last_id) if descending else key > tuple_(value, last_id)


def list_page(user: User, filters: ListFilters, cursor: Cursor | None = None,
              page_size: int = PAGE_SIZE) -> Page:
    """One page of the list: ``page_size`` rows after (or, for a "previous" cursor, before) ``cursor``."""
    codes = staff_codes(user)
    if not codes:
        return Page([], None, None, 0, False, filters)
    base = filtered_query(codes, filters, user.organisation_id)
    descending = filters.direction == "desc"
    # Walking backwards ("previous"): the reverse order from the cursor, then the rows turned round.
    walk_descending = descending != bool(cursor and cursor.before)
    stmt = base
    if cursor is not None:
        stmt = stmt.where(_after(filters.sort, walk_descending, cursor.value, cursor.id))
    stmt = stmt.options(contains_eager(Dossier.candidate))
    stmt = _ordered(stmt.add_columns(_sort_column(filters.sort).label("sort_key")), filters.sort,
                    walk_descending).limit(page_size + 1)
    found = db.session.execute(stmt).all()
    more = len(found) > page_size
    found = found[:page_size]
    if cursor is not None and cursor.before:
        found.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = cursor is not None, more
    rows = [row[0] for row in found]
    next_cursor = previous_cursor = None
    if rows and has_next:
        last = found[-1]
        next_cursor = Cursor(filters.sort, filters.direction, _cursor_value(last.sort_key), last[0].id).encode()
    if rows and has_previous:
        first = found[0]
        previous_cursor = Cursor(filters.sort, filters.direction, _cursor_value(first.sort_key), first[0].id,
                                 before=True).encode()
    count = capped_count(base)
    return Page(rows, next_cursor, previous_cursor, min(count, COUNT_CAP), count > COUNT_CAP, filters,
                is_first=previous_cursor is None)


def capped_count(stmt: Select, cap: int = COUNT_CAP) -> int:
    """How many rows ``stmt`` matches, counting at most ``cap + 1`` (the cost does not grow with the table)."""
    limited = stmt.with_only_columns(Dossier.id).limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(limited)) or 0


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------

EXPORT_COLUMNS = ("reference", "certification", "status", "status_label", "submitted_at",
                  "last_name", "first_name", "email")


def export_headers() -> list[str]:
    return [_("Référence"), _("Certification"), _("Code du statut"), _("Statut"), _("Déposé le (UTC)"),
            _("Nom"), _("Prénom"), _("Adresse électronique")]


def export_count(user: User, filters: ListFilters) -> int:
    codes = staff_codes(user)
    if not codes:
        return 0
    stmt = filtered_query(codes, filters, user.organisation_id).with_only_columns(func.count(Dossier.id))
    return db.session.scalar(stmt) or 0


def export_rows(user: User, filters: ListFilters, batch: int = EXPORT_BATCH) -> Iterator[tuple]:
    """Every matching dossier in the list's order, as plain tuples, read by keyset batches of ``batch``.

    Only the exported fields are selected; memory stays bounded whatever the number of rows.
    """
    codes = staff_codes(user)
    if not codes:
        return
    descending = filters.direction == "desc"
    column = _sort_column(filters.sort)
    base = filtered_query(codes, filters, user.organisation_id).with_only_columns(
        Dossier.id, column.label("sort_key"), Dossier.reference, Dossier.certification_code, Dossier.status,
        Dossier.submitted_at, User.last_name, User.first_name, User.email)
    last: tuple | None = None
    while True:
        stmt = base
        if last is not None:
            stmt = stmt.where(_after(filters.sort, descending, last[1], last[0]))
        stmt = _ordered(stmt, filters.sort, descending).limit(batch)
        chunk = db.session.execute(stmt).all()
        for row in chunk:
            yield (row.reference, row.certification_code, row.status.value, row.status.label,
                   _as_utc(row.submitted_at), row.last_name, row.first_name, row.email)
        if len(chunk) < batch:
            return
        last = (chunk[-1].id, chunk[-1].sort_key)
