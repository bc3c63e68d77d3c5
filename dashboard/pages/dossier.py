"""One dossier (`/dossier/<code>`): its facts, the clock's verdict now, and what happened to it.

The layout only checks that the code exists (one indexed look-up) and renders the skeleton; one
callback reads the whole dossier (queries.dossier_detail) and fills every section: the facts and
the verdict with the working days left, a timeline of the processing steps against their own
dues with the clock's pauses shaded, the apology letters (a second one flagged: the law allows
re-scheduling once), the status history and the citizen's ratings. A second callback lists the
alerts raised about the dossier (who was told, through which channel, who acknowledged), read
from the alerting process's outbox, so a supervisor sees whether the people responsible knew.
A dossier outside the signed-in user's scope is refused (403) by the layout and by each
callback, since the code in the page's store is browser data.
The applicant (name, ID number, phone, address) has a block of its own, whole for the official
holding the dossier and the unit's chairperson, masked with a note for everyone else
(queries/personal.py decides).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import unquote

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html

from dashboard import fmt
from dashboard.access import current_scope
from dashboard.components.alertlist import make_alert_table
from dashboard.components.figures import STATE_COLOURS, base_layout, empty_figure
from dashboard.i18n import TEXT, current_lang, t
from dashboard.services import clock, engine, now
from queries import personal
from queries.alert_log import dossier_alerts
from queries.domain import OpenState, Outcome
from queries.dossier_detail import DossierDetail, DossierFacts, dossier_detail, dossier_id
from queries.personal import ApplicantView
from queries.sla import END_OF_DAY

dash.register_page(__name__, path_template="/dossier/<code>", name="Hồ sơ", title="Hồ sơ · Giám sát một cửa")

# Bars are coloured by how a step (or the whole dossier) stands against its due; late ones also
# carry a hatch and a text label, so colour is never the only cue.
BAR_COLOURS = {
    "late": STATE_COLOURS["late"],
    "on_time": STATE_COLOURS["on_time"],
    "open": STATE_COLOURS["on_track"],
}
# Supplement requests grey (the clock's paused colour), suspensions for fees Okabe-Ito yellow.
PAUSE_COLOURS = {"supplement": STATE_COLOURS["paused"], "suspension": "#F0E442"}
LETTER_COLOUR = "#7a3e9d"  # reddish purple, apart from the state colours
DARK_TEXT_STATES = {"due_soon", "paused", "on_time"}  # light badges need dark text for contrast
DOSSIER_ROW = "dossier"


def layout(code: str | None = None, **_query: str) -> html.Div:
    code = unquote(code or "").strip()
    if not code:
        return _not_found(None)
    with engine().connect() as conn:
        found = dossier_id(conn, code, scope=current_scope())  # OutOfScope: 403
    if found is None:
        return _not_found(code)
    return html.Div(
        [
            dcc.Store(id="dossier-code", data=code),
            html.H1(t("dossier.title", code=code), className="h3 mb-3"),
            dcc.Loading(html.Div(id="dossier-facts"), type="dot"),
            dcc.Loading(html.Div(id="dossier-applicant", className="mt-3"), type="dot"),
            html.H2(t("dossier.timeline"), className="h5 mt-3"),
            dcc.Loading(html.Div(id="dossier-timeline"), type="dot"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(t("dossier.pauses"), className="h5 mt-3"),
                            dcc.Loading(html.Div(id="dossier-pauses"), type="dot"),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            html.H2(t("dossier.letters"), className="h5 mt-3"),
                            dcc.Loading(html.Div(id="dossier-letters"), type="dot"),
                        ],
                        lg=6,
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(t("dossier.history"), className="h5 mt-3"),
                            dcc.Loading(html.Div(id="dossier-history"), type="dot"),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            html.H2(t("dossier.ratings"), className="h5 mt-3"),
                            dcc.Loading(html.Div(id="dossier-ratings"), type="dot"),
                        ],
                        lg=6,
                    ),
                ]
            ),
            html.H2(t("alerts.section"), className="h5 mt-3", id="dossier-alerts-title"),
            dcc.Loading(html.Div(id="dossier-alerts"), type="dot"),
        ]
    )


def _not_found(code: str | None) -> html.Div:
    body = t("dossier.notfound.body", code=code) if code else t("dossier.notfound.nocode")
    return html.Div(
        [
            html.H1(t("dossier.notfound.title"), className="h3"),
            dbc.Alert(
                [
                    html.P(body, className="mb-2", id="dossier-notfound"),
                    dcc.Link(t("dossier.back.province"), href="/", className="me-3"),
                    dcc.Link(t("dossier.back.quality"), href="/quality"),
                ],
                color="warning",
            ),
        ]
    )


@callback(
    Output("dossier-facts", "children"),
    Output("dossier-timeline", "children"),
    Output("dossier-pauses", "children"),
    Output("dossier-letters", "children"),
    Output("dossier-history", "children"),
    Output("dossier-ratings", "children"),
    Input("dossier-code", "data"),
)
def show_dossier(code: str) -> tuple[Any, ...]:
    moment = now()
    with engine().connect() as conn:
        detail = dossier_detail(conn, clock(), code=code, now=moment, scope=current_scope())
    if detail is None:  # deleted between the page load and this callback
        return (_not_found(code), None, None, None, None, None)
    return (
        make_facts(detail, moment),
        [
            dcc.Graph(
                figure=timeline_figure(detail, moment), config={"displaylogo": False}, id="dossier-graph"
            ),
            None if detail.steps else html.P(t("dossier.timeline.no_steps"), className="small text-muted"),
        ],
        make_pauses(detail),
        make_letters(detail),
        make_history(detail),
        make_ratings(detail),
    )


@callback(Output("dossier-applicant", "children"), Input("dossier-code", "data"))
def show_applicant(code: str) -> Any:
    """The applicant, masked unless the reader holds the dossier or chairs its unit
    (queries/personal.py decides, per dossier)."""
    scope = current_scope()
    with engine().connect() as conn:
        found = dossier_id(conn, code, scope=scope)  # OutOfScope: 403
        applicant = personal.applicant(conn, scope, found) if found is not None else None
    return make_applicant(applicant)


def make_applicant(applicant: ApplicantView | None) -> dbc.Card:
    body: list[Any] = [html.H2(t("dossier.applicant"), className="h6")]
    if applicant is None:
        body.append(html.P(t("dossier.applicant.none"), className="small text-muted mb-0"))
    else:
        body.append(
            _pairs(
                [
                    (t(f"dossier.applicant.{field}"), getattr(applicant, field) or "–")
                    for field in ("full_name", "id_number", "phone", "address")
                ]
            )
        )
        if applicant.masked:
            body.append(
                html.P(
                    [html.I(className="bi bi-eye-slash me-1"), t("dossier.applicant.masked")],
                    className="small text-muted mb-0",
                    id="dossier-applicant-masked",
                )
            )
    return dbc.Card(dbc.CardBody(body), id="dossier-applicant-card")


@callback(Output("dossier-alerts", "children"), Input("dossier-code", "data"))
def show_alerts(code: str) -> Any:
    """Every alert about the dossier, newest first (a dossier gathers a handful, never a page)."""
    with engine().connect() as conn:
        entries = dossier_alerts(conn, code, scope=current_scope())
    if not entries:
        return _empty(t("alerts.section.dossier.empty"))
    return make_alert_table(entries, "dossier-alerts-table", about="dossier")


# --- facts -----------------------------------------------------------------------------------------
def _due(value: datetime | None) -> str:
    """A day-level due (stored as the end of the day) shows as a date, an hour-level one with its time."""
    if value is not None and value.time() == END_OF_DAY:
        return fmt.day(value)
    return fmt.moment(value)


def _label(prefix: str, value: str | None) -> str:
    """The label of a stored code, or the code itself when it has none (never a KeyError)."""
    if value is None:
        return "–"
    key = f"{prefix}.{value}"
    return t(key) if key in TEXT else value


def _time_limit(facts: DossierFacts) -> str:
    if facts.time_unit is None:
        return "–"
    key = f"dossier.time_unit.{facts.time_unit}"
    if key not in TEXT:
        return f"{fmt.number(facts.time_value or 0, 1)} {facts.time_unit}"
    value = facts.time_value or 0
    return t(key, n=fmt.number(value, 0 if float(value).is_integer() else 1))


def _yes_no(value: bool) -> str:
    return t("dossier.yes") if value else t("dossier.no")


def _pairs(items: list[tuple[str, Any]]) -> html.Dl:
    children: list[Any] = []
    for label, value in items:
        children += [
            html.Dt(label, className="col-sm-5 text-muted fw-normal small"),
            html.Dd(value, className="col-sm-7 mb-1"),
        ]
    return html.Dl(children, className="row mb-0")


def _flag(text: str) -> html.Div:
    return html.Div(
        [html.I(className="bi bi-exclamation-triangle-fill me-1"), text],
        className="small fw-semibold",
        style={"color": "#8a5300"},
    )


def verdict_badge(state: str) -> dbc.Badge:
    """The verdict in words on its state colour (a CSS colour in `color`: Bootstrap's classes would win)."""
    return dbc.Badge(
        t(f"dossier.state.{state}"),
        id="dossier-verdict",
        color=STATE_COLOURS[state],
        className="fs-6 me-2",
        style={"color": "#000" if state in DARK_TEXT_STATES else "#fff"},
    )


def remaining_text(detail: DossierDetail) -> str:
    verdict = detail.verdict
    if verdict is None:
        return t(f"dossier.unclocked.{detail.unclocked}")
    days = fmt.number(abs(verdict.remaining_days), 1)
    state = str(verdict.state)
    if state in {str(s) for s in Outcome}:
        key = "finished_before" if verdict.remaining_days >= 0 else "finished_after"
        if state == Outcome.LATE and verdict.remaining_days >= 0:
            # Late although before the working deadline: say which rule made it late.
            key = "late_supplements" if detail.facts.supplement_count > 1 else "late_within_extension"
        return t(f"dossier.remaining.{key}", days=days)
    if state == OpenState.OVERDUE:
        return t("dossier.remaining.overdue", days=days)
    if state == OpenState.PAUSED:
        return t("dossier.remaining.paused", days=days)
    return t("dossier.remaining.open", days=days)


def make_facts(detail: DossierDetail, moment: datetime) -> dbc.Row:
    facts, lang = detail.facts, current_lang()
    unit = facts.unit_name_en if lang == "en" else facts.unit_name_vi
    procedure = facts.procedure_name_en if lang == "en" else facts.procedure_name_vi
    sector = facts.sector_name_en if lang == "en" else facts.sector_name_vi
    digitized = ", ".join(
        f"{t(f'dossier.digitized.{part}')}: {_yes_no(value).lower()}"
        for part, value in (("components", facts.digitized_components), ("result", facts.digitized_result))
    )
    effective = detail.verdict.effective_due if detail.verdict else facts.due_at
    appointment: list[Any] = [_due(facts.appointment_due_at)]
    if facts.late_appointment:
        appointment.append(_flag(t("dossier.flag.late_appointment")))
    supplements: list[Any] = [fmt.number(facts.supplement_count)]
    if facts.supplement_count > 1:
        supplements.append(_flag(t("dossier.flag.repeat_supplement")))
    about = _pairs(
        [
            (t("dossier.fact.code"), facts.code),
            (
                t("dossier.fact.unit"),
                dcc.Link(f"{unit} ({facts.unit_code})", href=f"/unit/{facts.unit_code}"),
            ),
            (t("dossier.fact.procedure"), f"{procedure} ({facts.procedure_code})" if procedure else "–"),
            (t("dossier.fact.sector"), sector or "–"),
            (t("dossier.fact.time_limit"), _time_limit(facts)),
            (t("dossier.fact.channel"), _label("channel", facts.channel)),
            (t("dossier.fact.handler"), facts.handler_name or "–"),
            (t("dossier.fact.step"), _label("dossier.step", facts.current_step)),
            (t("dossier.fact.digitized"), digitized),
            (t("dossier.fact.paid_online"), _yes_no(facts.paid_online)),
        ]
    )
    timing = _pairs(
        [
            (t("dossier.fact.status"), _label("dossier.status", facts.status)),
            (t("dossier.fact.received"), fmt.moment(facts.received_at)),
            (t("dossier.fact.statutory_due"), _due(facts.statutory_due_at)),
            (t("dossier.fact.appointment_due"), appointment),
            (t("dossier.fact.effective_due"), _due(effective)),
            (t("dossier.fact.finished"), fmt.moment(facts.finished_at)),
            (t("dossier.fact.returned"), fmt.moment(facts.returned_at)),
            (t("dossier.fact.supplements"), supplements),
        ]
    )
    verdict = detail.verdict
    verdict_line = html.Div(
        [
            html.Div(t("dossier.fact.verdict", now=fmt.moment(moment)), className="small text-muted"),
            html.Div(
                [
                    verdict_badge(str(verdict.state)) if verdict else None,
                    html.Span(remaining_text(detail), id="dossier-remaining"),
                ],
                className="mt-1",
            ),
        ],
        className="mb-3",
    )
    return dbc.Row(
        [
            dbc.Col(dbc.Card(dbc.CardBody([html.H2(t("dossier.facts"), className="h6"), about])), lg=6),
            dbc.Col(dbc.Card(dbc.CardBody([verdict_line, timing])), lg=6),
        ],
        className="g-3",
    )


# --- timeline --------------------------------------------------------------------------------------
def _bar_state(detail: DossierDetail) -> str:
    """The whole dossier's bar: late when the clock says late or overdue, done, or still open."""
    if detail.verdict is None:
        return "open" if detail.facts.finished_at is None else "on_time"
    state = str(detail.verdict.state)
    if state in (Outcome.LATE, OpenState.OVERDUE):
        return "late"
    return "on_time" if state in (Outcome.EARLY, Outcome.ON_TIME) else "open"


class _Bar(NamedTuple):  # not a dataclass: Dash imports pages outside sys.modules
    label: str  # the row: the whole dossier or a step
    start: datetime | None
    end: datetime | None  # None: still running (drawn up to now)
    due: datetime | None
    state: str  # late | on_time | open | pending: the colour
    text: str  # the words on the bar, so colour is never the only cue
    who: str


def _bars(detail: DossierDetail) -> list[_Bar]:
    facts, verdict = detail.facts, detail.verdict
    bars = []
    if facts.received_at is not None:
        state = _bar_state(detail)
        # The whole dossier carries the clock's own verdict (paused, due soon...) as its words.
        text = t(f"dossier.state.{verdict.state}") if verdict else t(f"dossier.step_state.{state}")
        due = verdict.effective_due if verdict else facts.due_at
        bars.append(
            _Bar(t("dossier.step.dossier"), facts.received_at, facts.finished_at, due, state, text, "")
        )
    for step in detail.steps:
        state = step.state if step.state in BAR_COLOURS else "pending"
        bars.append(
            _Bar(
                _label("dossier.step", step.step),
                step.started_at,
                step.ended_at,
                step.due_at,
                state,
                t(f"dossier.step_state.{state}"),
                step.handler_name or "",
            )
        )
    return bars


def timeline_figure(detail: DossierDetail, moment: datetime) -> go.Figure:
    """Steps as horizontal bars from start to end (or now), each with its own due marked.

    The first row is the whole dossier (receipt to end, against the effective due), so the figure
    says something even when the source system records no steps. Pauses are shaded intervals
    (one legend entry per kind), apology letters, the effective due and, while the dossier is
    open, 'now' are vertical lines labelled above the plot.
    """
    title = t("dossier.timeline.title")
    bars = _bars(detail)
    if not bars:
        return empty_figure(title, t("dossier.timeline.empty"))
    fig = go.Figure()
    hover = t(
        "dossier.timeline.hover", start="%{customdata[0]}", end="%{customdata[1]}", due="%{customdata[2]}"
    )
    for state, colour in BAR_COLOURS.items():
        chosen = [bar for bar in bars if bar.state == state and bar.start is not None]
        if not chosen:
            continue
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[bar.label for bar in chosen],
                base=[bar.start for bar in chosen],
                x=[_milliseconds(bar.start, bar.end or moment) for bar in chosen if bar.start],
                name=t(f"dossier.step_state.{state}"),
                marker={
                    "color": colour,
                    "pattern": {"shape": "/" if state == "late" else "", "fgcolor": "#ffffff"},
                    "line": {"color": "#333333", "width": 0.5},
                },
                text=[bar.text for bar in chosen],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [
                        fmt.moment(bar.start),
                        fmt.moment(bar.end) if bar.end else t("dossier.timeline.running"),
                        _due(bar.due),
                        bar.who,
                        bar.text,
                    ]
                    for bar in chosen
                ],
                hovertemplate="<b>%{y}</b> · %{customdata[4]}<br>"
                + hover
                + "<br>%{customdata[3]}<extra></extra>",
            )
        )
    dues = [bar for bar in bars if bar.due is not None]
    if dues:
        fig.add_trace(
            go.Scatter(
                x=[bar.due for bar in dues],
                y=[bar.label for bar in dues],
                mode="markers",
                name=t("dossier.timeline.step_due"),
                # Open line symbols are stroked with marker.color: black stands out on every bar.
                marker={"symbol": "line-ns-open", "size": 26, "color": "#000000", "line": {"width": 3}},
                customdata=[_due(bar.due) for bar in dues],
                hovertemplate="%{y}: " + t("dossier.timeline.step_due") + " %{customdata}<extra></extra>",
            )
        )
    _shade_pauses(fig, detail, moment)
    # Labels of the vertical lines sit above the plot, one band each, so they never cover a bar.
    if detail.facts.finished_at is None:
        _vertical(fig, moment, t("dossier.timeline.now"), "dot", "#555555", 0)
    effective = detail.verdict.effective_due if detail.verdict else detail.facts.due_at
    if effective is not None:
        _vertical(fig, effective, t("dossier.timeline.effective_due"), "dash", STATE_COLOURS["late"], 16)
    for letter in detail.letters:
        label = t("dossier.timeline.letter", n=letter.number)
        _vertical(fig, letter.issued_at, label, "dashdot", LETTER_COLOUR, 32 + 16 * ((letter.number - 1) % 2))
    return base_layout(
        fig,
        title,
        height=200 + 46 * len(bars),
        x_title=t("dossier.timeline.axis"),
        xaxis={"type": "date", "tickformatstops": _tick_formats()},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [bar.label for bar in bars],
            "autorange": "reversed",
            "type": "category",
        },
        barmode="overlay",
        bargap=0.35,
        margin={"l": 130, "r": 130, "t": 110, "b": 40},
    )


def _tick_formats() -> list[dict[str, Any]]:
    """Dates as the reader writes them: hours when zoomed within a day, else the day."""
    hour_format, day_format = (
        ("%H:%M<br>%d/%m", "%d/%m/%Y") if current_lang() == "vi" else ("%H:%M<br>%b %d", "%Y-%m-%d")
    )
    return [
        {"dtickrange": [None, 86_400_000], "value": hour_format},
        {"dtickrange": [86_400_000, None], "value": day_format},
    ]


def _milliseconds(start: datetime, end: datetime) -> float:
    return max(end - start, timedelta(minutes=1)).total_seconds() * 1000


def _shade_pauses(fig: go.Figure, detail: DossierDetail, moment: datetime) -> None:
    """Each pause a shaded interval; each kind present one legend entry naming it."""
    for pause in detail.pauses:
        fig.add_shape(
            type="rect",
            xref="x",
            yref="paper",
            x0=pause.started_at,
            x1=pause.ended_at or moment,
            y0=0,
            y1=1,
            fillcolor=PAUSE_COLOURS.get(pause.kind, PAUSE_COLOURS["supplement"]),
            opacity=0.3,
            line={"width": 0},
            layer="below",
        )
    for kind in sorted({pause.kind for pause in detail.pauses}):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=_label("dossier.pause", kind),
                marker={
                    "symbol": "square",
                    "size": 14,
                    "color": PAUSE_COLOURS.get(kind, PAUSE_COLOURS["supplement"]),
                    "opacity": 0.5,
                },
            )
        )


def _vertical(fig: go.Figure, at: datetime, label: str, dash_style: str, colour: str, shift: int) -> None:
    fig.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=at,
        x1=at,
        y0=0,
        y1=1,
        line={"color": colour, "width": 1.5, "dash": dash_style},
    )
    fig.add_annotation(
        x=at,
        y=1,
        yshift=shift,
        xref="x",
        yref="paper",
        text=label,
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font={"size": 11, "color": colour},
    )


# --- pauses, letters, history, ratings ---------------------------------------------------------------
def _table(headers: list[str], rows: list[list[Any]], table_id: str, **row_props: Any) -> dbc.Table:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in headers])),
            html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
        ],
        id=table_id,
        size="sm",
        striped=True,
        bordered=False,
        className="bg-white",
        **row_props,
    )


def _empty(message: str) -> html.P:
    return html.P(message, className="text-muted fst-italic")


def make_pauses(detail: DossierDetail) -> Any:
    if not detail.pauses:
        return _empty(t("dossier.pauses.empty"))
    rows = []
    for pause in detail.pauses:
        rows.append(
            [
                _label("dossier.pause", pause.kind),
                fmt.moment(pause.started_at),
                fmt.moment(pause.ended_at) if pause.ended_at else t("dossier.pause.still"),
                fmt.number(pause.working_days, 1),
                pause.reason or "–",
            ]
        )
    return _table(
        [
            t("dossier.pause.kind"),
            t("dossier.pause.from"),
            t("dossier.pause.to"),
            t("dossier.pause.days"),
            t("dossier.pause.reason"),
        ],
        rows,
        "dossier-pauses-table",
    )


def _late_without_letter(detail: DossierDetail) -> bool:
    verdict = detail.verdict
    if verdict is None or detail.letters:
        return False
    if verdict.state == OpenState.OVERDUE:
        return True
    return verdict.state in set(Outcome) and verdict.remaining_days < 0


def make_letters(detail: DossierDetail) -> Any:
    missing = (
        dbc.Alert(
            t("dossier.letters.missing"), color="warning", className="py-2", id="dossier-letter-missing"
        )
        if _late_without_letter(detail)
        else None
    )
    if not detail.letters:
        return [missing, _empty(t("dossier.letters.empty"))]
    rows = []
    for letter in detail.letters:
        check = (
            html.Span(t("dossier.letter.allowed"))
            if letter.allowed
            else html.Span(
                [html.I(className="bi bi-exclamation-triangle-fill me-1"), t("dossier.letter.not_allowed")],
                className="text-danger fw-semibold",
            )
        )
        rows.append(
            [
                fmt.number(letter.number),
                fmt.moment(letter.issued_at),
                fmt.day(letter.new_due_date),
                letter.reason or "–",
                check,
            ]
        )
    return [
        missing,
        _table(
            [
                t("dossier.letter.number"),
                t("dossier.letter.issued"),
                t("dossier.letter.new_due"),
                t("dossier.letter.reason"),
                t("dossier.letter.check"),
            ],
            rows,
            "dossier-letters-table",
        ),
    ]


def make_history(detail: DossierDetail) -> Any:
    if not detail.history:
        return _empty(t("dossier.history.empty"))
    return _table(
        [t("dossier.history.at"), t("dossier.history.status")],
        [[fmt.moment(event.changed_at), _label("dossier.status", event.status)] for event in detail.history],
        "dossier-history-table",
    )


def make_ratings(detail: DossierDetail) -> Any:
    if not detail.ratings:
        return _empty(t("dossier.ratings.empty"))
    return _table(
        [
            t("dossier.rating.at"),
            t("dossier.rating.score"),
            t("dossier.rating.channel"),
            t("dossier.rating.comment"),
        ],
        [
            [
                fmt.moment(rating.rated_at),
                t("dossier.rating.of", score=rating.score),
                rating.channel or "–",
                rating.comment or "–",
            ]
            for rating in detail.ratings
        ],
        "dossier-ratings-table",
    )
