"""Page filters from the URL query string, with a clear message instead of a traceback.

A filter outside the user's scope is not a typo to explain: it raises OutOfScope, which the app
answers with 403 (dashboard/app.py), so a forged link shows nothing of another unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from sqlalchemy.exc import SQLAlchemyError

from dashboard.access import current_scope
from dashboard.i18n import t
from dashboard.services import engine, today
from queries.filters import FilterError, Filters, check_codes, parse_filters
from queries.kpis import check_scope

FILTER_KEYS = ("period", "from", "to", "unit", "sector", "procedure", "channel")


def page_filters(query: Mapping[str, str], *, forced_unit: str | None = None) -> tuple[Filters, str | None]:
    """The filters a page should show, and a message when the link's filters were not usable.

    Unknown codes give the message; known codes outside the scope raise OutOfScope (403).
    """
    params = {k: v for k, v in query.items() if k in FILTER_KEYS}
    if forced_unit is not None:
        params["unit"] = forced_unit
    try:
        filters = parse_filters(params, today=today())
        with engine().connect() as conn:
            check_codes(conn, filters)
            check_scope(conn, filters, current_scope())
        return filters, None
    except FilterError as error:
        reason = t("filter.error.unknown") if error.reason == "unknown code" else error.reason
        fallback = parse_filters(
            {"unit": forced_unit} if forced_unit and error.param != "unit" else {}, today=today()
        )
        return fallback, f"{t('filter.error')}: {error.param} = “{error.value}” {reason}."
    except SQLAlchemyError:
        return parse_filters({}, today=today()), t("error.database")


def search_for(filters: Filters, *, drop_unit: bool = False, extra: Mapping[str, str] | None = None) -> str:
    values = filters.query()
    if drop_unit:
        values.pop("unit", None)
    values |= dict(extra or {})
    return "?" + urlencode(values) if values else ""
