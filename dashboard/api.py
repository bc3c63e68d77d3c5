"""The read-only JSON API for provincial operations centres, mounted at /api/v1 on `app.server`.

The numbers are the province page's: the same `period_figures` cache around `kpis_by_unit`, the
same `combine` for the total and the same `service_score`. Parameters are parsed strictly by
`queries.filters.parse_filters` plus the API's own rules (no unknown, empty or repeated
parameter), so every bad input is a 400 naming the parameter and an unknown unit is a 404; the
description lives in dashboard/openapi.py and docs/api.md.

Every answer is read within the caller's scope (dashboard/access.py, queries/scope.py): the
units list and the totals cover only the units and sectors the account may see, and a unit,
sector or procedure outside it answers 403 naming the parameter, with nothing of it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from dashboard.access import current_scope
from dashboard.cached import minute, period_figures
from dashboard.openapi import DEFAULT_LIMIT, KPI_COUNTS, KPI_RATIOS, MAX_LIMIT, MAX_OFFSET, SPEC
from dashboard.services import clock, engine, now, today
from queries import catalog
from queries.atrisk import AtRiskRow, at_risk, count_open
from queries.db import describe, is_unreachable
from queries.filters import FilterError, Filters, check_codes, parse_filters
from queries.kpis import Kpis, check_scope, combine
from queries.scope import OutOfScope, Scope
from queries.service_index import is_problem_unit, service_score
from queries.timeutil import VN

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
api = Blueprint("api", __name__, url_prefix=PREFIX)

FILTER_PARAMS = ("from", "to", "sector", "procedure", "channel")
PAGE_PARAMS = ("limit", "offset")
CACHE_SECONDS = 60
RETRY_AFTER_SECONDS = 15  # a database restart takes seconds; the outage banner retries as often
ECHO_CHARS = 100


class ApiError(Exception):
    """An answer other than 200: `status`, and what the Error schema carries."""

    def __init__(self, status: int, message: str, param: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.value = status, message, param, value


# --- routes ---------------------------------------------------------------------------------


@api.get("/units")
def units() -> Response:
    _params(())
    with engine().connect() as conn:
        every = catalog.units(conn, scope=current_scope())
    return _json({"units": [_unit(u) for u in _by_code(every)]})


@api.get("/units/kpis")
def units_kpis() -> Response:
    filters, scope = _filters(_params(FILTER_PARAMS)), current_scope()
    with engine().connect() as conn:
        check_codes(conn, filters)
        check_scope(conn, filters, scope)
        every = catalog.units(conn, scope=scope)
    as_of = minute()
    figures = period_figures(filters, scope, as_of).current
    province = combine(list(figures.values()))
    entries = [_unit_kpis(unit, figures.get(unit.id, Kpis()), filters, province) for unit in _by_code(every)]
    return _json({"as_of": _as_of(as_of), "filters": _filters_object(filters), "units": entries})


@api.get("/province/kpis")
def province_kpis() -> Response:
    filters, scope = _filters(_params(FILTER_PARAMS)), current_scope()
    with engine().connect() as conn:
        check_codes(conn, filters)
        check_scope(conn, filters, scope)
    as_of = minute()
    total = combine(list(period_figures(filters, scope, as_of).current.values()))
    return _json(
        {"as_of": _as_of(as_of), "filters": _filters_object(filters), "kpis": kpi_object(total, filters)}
    )


@api.get("/units/<code>/kpis")
def unit_kpis(code: str) -> Response:
    scope = current_scope()
    with engine().connect() as conn:
        unit = _known_unit(conn, code, scope)
        filters = _filters(_params(FILTER_PARAMS))
        check_codes(conn, filters)
        check_scope(conn, filters, scope)
    # The unit page's cached figures (scoped to the unit); the same numbers as its row in the units list.
    as_of = minute()
    kpis = combine(list(period_figures(filters.with_unit(unit.code), scope, as_of).current.values()))
    province = combine(list(period_figures(filters.with_unit(None), scope, as_of).current.values()))
    entry = _unit_kpis(unit, kpis, filters, province)
    return _json({"as_of": _as_of(as_of), "filters": _filters_object(filters), **entry})


@api.get("/units/<code>/at-risk")
def unit_at_risk(code: str) -> Response:
    scope = current_scope()
    with engine().connect() as conn:
        unit = _known_unit(conn, code, scope)
        params = _params(PAGE_PARAMS)
        limit = _integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _integer(params, "offset", 0, 0, MAX_OFFSET)
        listed = Filters(start=today(), end=today(), unit=unit.code)  # the period plays no part
        moment = now()
        total = count_open(conn, listed, scope=scope)
        rows = at_risk(conn, clock(), scope=scope, now=moment, filters=listed, offset=offset, limit=limit)
    paging = {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if offset + limit < total else None,
    }
    return _json(
        {
            "as_of": _moment(moment),
            "unit": _unit(unit),
            "paging": paging,
            "items": [_dossier(r) for r in rows],
        }
    )


@api.get("/openapi.json")
def openapi() -> Response:
    _params(())
    return _json(SPEC)


@api.get("/", defaults={"rest": ""}, endpoint="not_found")
@api.get("/<path:rest>", endpoint="not_found")
def not_found(rest: str) -> Response:
    """Any other path under /api/v1/: a JSON 404 rather than the Dash catch-all's HTML page."""
    raise ApiError(404, "no such route; see /api/v1/openapi.json")


# --- errors and headers ---------------------------------------------------------------------


@api.errorhandler(FilterError)
def bad_parameter(error: FilterError) -> Response:
    return _error(ApiError(400, error.reason, error.param, error.value))


@api.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return _error(error)


@api.errorhandler(OutOfScope)
def out_of_scope(error: OutOfScope) -> Response:
    """A unit, sector or procedure the account may not see: 403 naming it, nothing of it."""
    log.warning("API refused: %s", error)
    message = f"{error.param} {_cut(error.value)!r} is outside what your account may see"
    return _error(ApiError(403, message, error.param, _cut(error.value)))


@api.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    return _error(ApiError(error.code or 500, error.description or error.name))


@api.errorhandler(SQLAlchemyError)
def database_error(error: SQLAlchemyError) -> Response:
    """503 either way; an unreachable database (a restart, a failover) says so, logs one line
    without a traceback and tells clients when to ask again (Retry-After)."""
    if is_unreachable(error):
        log.warning("API: the database cannot be reached", extra={"error": describe(error)})
        response = _error(ApiError(503, "the database cannot be reached; try again shortly"))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.exception("API query failed", exc_info=error)
    return _error(ApiError(503, "the database could not answer; try again"))


@api.errorhandler(Exception)
def unexpected_error(error: Exception) -> Response:
    log.exception("API request failed", exc_info=error)
    return _error(ApiError(500, "internal error"))


@api.app_errorhandler(405)
def method_not_allowed(error: HTTPException) -> Response | HTTPException:
    """Routing errors are the app's, not the blueprint's: answer JSON only under /api/v1."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        response = _error(ApiError(405, "the API is read-only: GET only"))
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return error


@api.after_request
def cache_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = (
        f"max-age={CACHE_SECONDS}" if response.status_code == 200 else "no-store"
    )
    return response


# --- parameters -----------------------------------------------------------------------------


def _params(allowed: tuple[str, ...]) -> dict[str, str]:
    """The query string as single, non-empty values of allowed names; FilterError otherwise."""
    values = {}
    for name in request.args:
        given = request.args.getlist(name)
        if name not in allowed:
            takes = ", ".join(allowed) if allowed else "no parameters"
            raise FilterError(_cut(name), _cut(given[0]), f"unknown parameter (this route takes {takes})")
        if len(given) > 1:
            raise FilterError(name, _cut(given[-1]), "given more than once")
        if not given[0].strip():
            raise FilterError(name, given[0], "must not be empty")
        values[name] = given[0].strip()
    return values


def _filters(params: dict[str, str]) -> Filters:
    try:
        return parse_filters(params, today=today())
    except FilterError as error:
        raise FilterError(error.param, _cut(error.value), error.reason) from None


def _integer(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,10}", text) or not low <= int(text) <= high:
        raise FilterError(name, _cut(text), f"must be a whole number from {low} to {high}")
    return int(text)


def _known_unit(conn: Connection, code: str, scope: Scope) -> catalog.Named:
    """The unit with this code, a 404 when there is none, a 403 when it is outside the scope."""
    try:
        found = catalog.find_unit(conn, code, scope=scope)  # a malformed code: None
    except OutOfScope:
        raise OutOfScope("code", code) from None  # the path's parameter, as the 404 names it
    if found is None:
        raise ApiError(404, "unknown unit", "code", _cut(code))
    return found


def _cut(text: str) -> str:
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"


# --- serialization --------------------------------------------------------------------------


def kpi_object(kpis: Kpis, filters: Filters) -> dict[str, Any]:
    """The Kpis schema: the period, every documented count and ratio, and the service score."""
    score = service_score(kpis)
    return {
        "from": filters.start.isoformat(),
        "to": filters.end.isoformat(),
        **{name: getattr(kpis, name) for name in KPI_COUNTS},
        **{name: getattr(kpis, name) for name in KPI_RATIOS},
        "service_score": None if score is None else score.total,
        "service_score_groups": None
        if score is None
        else {f.name: getattr(score, f.name) for f in fields(score)},
    }


def _unit_kpis(unit: catalog.Named, kpis: Kpis, filters: Filters, province: Kpis) -> dict[str, Any]:
    return {
        "unit": _unit(unit),
        "kpis": kpi_object(kpis, filters),
        "problem": is_problem_unit(kpis, service_score(kpis), province),
    }


def _unit(unit: catalog.Named) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name_vi": unit.name_vi,
        "name_en": unit.name_en,
        "level": unit.kind,
        "parent_code": unit.parent_code,
    }


def _by_code(every: list[catalog.Named]) -> list[catalog.Named]:
    return sorted(every, key=lambda u: u.code)  # not by name: collations differ between databases


def _filters_object(filters: Filters) -> dict[str, Any]:
    return {
        "from": filters.start.isoformat(),
        "to": filters.end.isoformat(),
        "sector": filters.sector,
        "procedure": filters.procedure,
        "channel": filters.channel,
    }


def _dossier(row: AtRiskRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "procedure_code": row.procedure_code,
        "procedure_name": row.procedure_name,
        "procedure_name_en": row.procedure_name_en,
        "step": row.step,
        "handler_code": row.handler_code,
        "handler_name": row.handler_name,
        "received_at": _moment(row.received_at),
        "due_at": _moment(row.due_at),
        "state": row.state,
        "remaining_working_days": row.remaining_days,
        "apology_letter": row.apology,
    }


def _moment(value: datetime | None) -> str | None:
    """Stored naive Vietnam time, written with its +07:00 offset."""
    return None if value is None else value.replace(tzinfo=VN, microsecond=0).isoformat()


def _as_of(cache_minute: str) -> str:
    """The minute the cached figures belong to (the backlog is counted within it)."""
    return _moment(datetime.fromisoformat(cache_minute)) or ""


def _json(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, default=_plain)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _error(error: ApiError) -> Response:
    return _json(
        {"error": {"param": error.param, "value": error.value, "message": error.message}}, error.status
    )
