"""Headline cards: each figure of the period with its change against the previous period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import html

from dashboard import fmt
from dashboard.i18n import t
from queries.kpis import Kpis
from queries.service_index import ServiceScore


@dataclass(frozen=True)
class CardSpec:
    key: str
    value: Callable[[Kpis], float | int | None]
    kind: str  # count | ratio
    good_when_up: bool | None  # colours the change; None: neutral


CARDS = [
    CardSpec("received", lambda k: k.received, "count", None),
    CardSpec("resolved", lambda k: k.resolved, "count", True),
    CardSpec("on_time_rate", lambda k: k.on_time_rate, "ratio", True),
    CardSpec("resolved_late", lambda k: k.resolved_late, "count", False),
    CardSpec("open", lambda k: k.open, "count", None),
    CardSpec("overdue", lambda k: k.overdue, "count", False),
    CardSpec("due_soon", lambda k: k.due_soon, "count", None),
    CardSpec("online_share", lambda k: k.online_share, "ratio", True),
    CardSpec("digitized_share", lambda k: k.digitized_share, "ratio", True),
    CardSpec("digitized_result_share", lambda k: k.digitized_result_share, "ratio", True),
    CardSpec("payment_share", lambda k: k.payment_share, "ratio", True),
    CardSpec("satisfaction", lambda k: k.satisfaction, "ratio", True),
]
NOW_FIGURES = {"open", "overdue", "due_soon"}  # the backlog now: no previous period to compare


def make_kpi_cards(
    current: Kpis, previous: Kpis, score: ServiceScore | None, previous_score: ServiceScore | None
) -> dbc.Row:
    cards = [_card(spec, current, previous) for spec in CARDS]
    cards.append(
        _card_body(
            "service_score",
            fmt.number(score.total, 1) if score else "–",
            _delta(
                score.total if score else None,
                previous_score.total if previous_score else None,
                "points",
                True,
            ),
        )
    )
    return dbc.Row([dbc.Col(card, xs=6, md=4, lg=3, xl=2) for card in cards], className="g-2 mb-3 kpi-cards")


def _card(spec: CardSpec, current: Kpis, previous: Kpis) -> dbc.Card:
    value = spec.value(current)
    shown = fmt.percent(value) if spec.kind == "ratio" else fmt.number(value)
    delta = (
        None if spec.key in NOW_FIGURES else _delta(value, spec.value(previous), spec.kind, spec.good_when_up)
    )
    return _card_body(spec.key, shown, delta)


def _card_body(key: str, shown: str, delta: html.Span | None) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t(f"kpi.{key}"), className="small text-muted kpi-label", title=t(f"kpi.{key}")),
                html.Div(shown, id=f"kpi-{key}", className="fs-4 fw-semibold kpi-value"),
                delta or html.Div(" ", className="small"),
            ],
            className="p-2",
        ),
        className="h-100 kpi-card",
    )


def _delta(
    value: float | int | None, before: float | int | None, kind: str, good_when_up: bool | None
) -> html.Span | None:
    if value is None or before is None:
        return html.Div(t("kpi.no_data") if value is None else " ", className="small text-muted")
    change = value - before
    if kind == "ratio":
        text = fmt.signed(change * 100, 1, suffix=" pp")
    elif kind == "points":
        text = fmt.signed(change, 1)
    else:
        text = fmt.signed(change)
    tone = "text-muted"
    if good_when_up is not None and change:
        tone = "delta-good" if (change > 0) == good_when_up else "delta-bad"
    return html.Div(
        [html.Span(text, className=tone), " ", html.Span(t("compare.previous"), className="text-muted")],
        className="small",
    )
