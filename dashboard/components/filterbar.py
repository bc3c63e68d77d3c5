"""The filter bar: period presets, custom dates, unit, sector, procedure, channel.

Any change rewrites the URL's query string, so the page re-renders from the URL and a copied
link shows the same view.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, no_update

from dashboard.i18n import current_lang, t
from dashboard.services import today
from dashboard.urlstate import FILTER_KEYS
from queries.catalog import Named
from queries.filters import PRESETS, Filters

HIDDEN_DOSSIER_CONTROLS = ("flt-channel", "flt-sector", "flt-procedure")


def make_filter_bar(
    filters: Filters,
    *,
    units: list[Named],
    sectors: list[Named],
    procedures: list[Named],
    show_unit: bool = True,
    dossier_filters: bool = True,
    extra: Sequence[dbc.Col] = (),
) -> dbc.Card:
    """The bar for `filters`; pages about something other than dossiers (the alert log) drop the
    sector, procedure and channel controls and may add their own columns in `extra`."""
    lang = current_lang()
    all_option = [{"label": t("filter.all"), "value": "all"}]

    def options(items: list[Named]) -> list[dict[str, str]]:
        return all_option + [{"label": item.name(lang), "value": item.code} for item in items]

    def column(label: str, control: object, width: int) -> dbc.Col:
        return dbc.Col([dbc.Label(label, className="small text-muted mb-0"), control], md=width)

    custom = filters.preset == "custom"
    controls = [
        column(
            t("filter.period"),
            dbc.Select(
                id="flt-period",
                options=[{"label": t(f"period.{p}"), "value": p} for p in PRESETS],
                value=filters.preset,
            ),
            2,
        ),
        column(
            t("filter.from"),
            dbc.Input(id="flt-from", type="date", value=filters.start.isoformat(), disabled=not custom),
            2,
        ),
        column(
            t("filter.to"),
            dbc.Input(id="flt-to", type="date", value=filters.end.isoformat(), disabled=not custom),
            2,
        ),
    ]
    if dossier_filters:
        controls.append(
            column(
                t("filter.channel"),
                dbc.Select(
                    id="flt-channel",
                    options=all_option
                    + [{"label": t(f"channel.{c}"), "value": c} for c in ("counter", "online", "postal")],
                    value=filters.channel or "all",
                ),
                2,
            )
        )
    if show_unit:
        controls.append(
            column(
                t("filter.unit"),
                dcc.Dropdown(
                    id="flt-unit", options=options(units)[1:], value=filters.unit, placeholder=t("filter.all")
                ),
                4,
            )
        )
    else:
        controls.append(dcc.Input(id="flt-unit", type="hidden", value=None))
    if not dossier_filters:
        # The URL callback below listens to every control: hidden stand-ins keep it firing.
        hidden = [dcc.Input(id=name, type="hidden", value=None) for name in HIDDEN_DOSSIER_CONTROLS]
        return dbc.Card(
            dbc.CardBody(dbc.Row([*controls, *extra, *hidden], className="g-2")), className="mb-3 filter-bar"
        )
    controls += [
        column(
            t("filter.sector"),
            dcc.Dropdown(
                id="flt-sector",
                options=options(sectors)[1:],
                value=filters.sector,
                placeholder=t("filter.all"),
            ),
            4,
        ),
        column(
            t("filter.procedure"),
            dcc.Dropdown(
                id="flt-procedure",
                options=options(procedures)[1:],
                value=filters.procedure,
                placeholder=t("filter.all"),
                optionHeight=50,
            ),
            8 if show_unit else 12,
        ),
    ]
    return dbc.Card(dbc.CardBody(dbc.Row([*controls, *extra], className="g-2")), className="mb-3 filter-bar")


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("flt-period", "value"),
    Input("flt-from", "value"),
    Input("flt-to", "value"),
    Input("flt-unit", "value"),
    Input("flt-sector", "value"),
    Input("flt-procedure", "value"),
    Input("flt-channel", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def filters_to_url(
    period: str | None,
    start: str | None,
    end: str | None,
    unit: str | None,
    sector: str | None,
    procedure: str | None,
    channel: str | None,
    current: str | None,
) -> str:
    # A page load inserts all the controls at once and Dash fires this callback for them even
    # with prevent_initial_call; a person changes one control at a time.
    if len(ctx.triggered) > 1:
        return no_update
    return build_search(period, start, end, unit, sector, procedure, channel, current) or no_update


def build_search(
    period: str | None,
    start: str | None,
    end: str | None,
    unit: str | None,
    sector: str | None,
    procedure: str | None,
    channel: str | None,
    current: str | None,
) -> str | None:
    """The query string for the controls' values, keeping non-filter keys (kiosk); None if unchanged."""
    values: dict[str, str] = {"period": period or "month"}
    if values["period"] == "custom":
        values["from"] = start or today().isoformat()
        values["to"] = end or values["from"]
    for key, value in (("unit", unit), ("sector", sector), ("procedure", procedure), ("channel", channel)):
        if value and value != "all":
            values[key] = value
    for key, value in parse_qsl((current or "").lstrip("?")):
        if key not in FILTER_KEYS:  # kiosk, check, official…: other state of the page
            values[key] = value
    search = "?" + urlencode(values)
    return None if search == (current or "") else search
