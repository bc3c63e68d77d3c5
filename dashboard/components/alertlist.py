"""How an alert reads on every page: its state, rule, recipient and acknowledgement in words.

The alert log (`/alerts`), the dossier page and the official's page all show alerts; the words,
the symbols and the colours live here so the three never disagree. A state is never shown by
colour alone: each has a symbol beside its name. The stored message carries the recipient's
acknowledgement link, which is a capability (whoever holds it can acknowledge in their name), so
bodies are shown only through `redact_ack_links`.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import fmt
from dashboard.i18n import TEXT, current_lang, t
from queries.alert_log import AlertEntry
from queries.outbox import AlertState
from queries.sla import END_OF_DAY

# Okabe-Ito, as the dossier states: failed vermillion, waiting orange, sent blue, acknowledged
# bluish green, sent but unanswered sky blue, rerouted reddish purple, cancelled grey.
ALERT_COLOURS = {
    "sent": "#0072B2",
    "acknowledged": "#009E73",
    "unacknowledged": "#56B4E9",
    "waiting": "#E69F00",
    "failed": "#D55E00",
    "rerouted": "#CC79A7",
    "cancelled": "#999999",
}
ALERT_SYMBOLS = {
    "sent": "✉",
    "acknowledged": "✔",
    "unacknowledged": "✉",
    "waiting": "…",
    "failed": "✖",
    "rerouted": "↑",
    "cancelled": "–",
}
ERROR_KEYS = {
    "no_channel": "alerts.error.no_channel",
    "channel_broken": "alerts.error.channel_broken",
    "condition ended": "alerts.error.condition_ended",
}
ACK_LINK = re.compile(r"(/alerts/ack/)[A-Za-z0-9_\-.]+")
VIA_LINK = " via link"  # what the acknowledgement page stores after the recipient key
ERROR_SHOWN = 120  # characters of a stored error a page section shows


def state_code(entry: AlertEntry) -> str:
    """The delivery state a reader asks about: pending and sending are both 'waiting'."""
    if entry.state in (AlertState.PENDING, AlertState.SENDING):
        return "waiting"
    return entry.state


def state_text(code: str, lang: str | None = None) -> str:
    key = f"alerts.state.{code}"
    label = t(key, lang) if key in TEXT else code
    symbol = ALERT_SYMBOLS.get(code)
    return f"{symbol} {label}" if symbol else label


def rule_text(rule: str, lang: str | None = None) -> str:
    key = f"alerts.rule.{rule}"
    return t(key, lang) if key in TEXT else rule


def level_text(level: int, lang: str | None = None) -> str:
    key = f"alerts.level.{level}"
    return t(key, lang) if key in TEXT else str(level)


def reason_text(reason: str | None, lang: str | None = None) -> str:
    if not reason:
        return ""
    key = f"alerts.reason.{reason}"
    return t(key, lang) if key in TEXT else reason


def error_text(error: str | None, lang: str | None = None) -> str:
    if not error:
        return ""
    key = ERROR_KEYS.get(error)
    return t(key, lang) if key else error[:500]


def recipient_text(entry: AlertEntry, lang: str | None = None) -> str:
    if entry.recipient_key == "admins":
        return t("alerts.admins", lang)
    if entry.recipient_name:
        return f"{entry.recipient_name} ({entry.recipient_code})"
    return entry.recipient_key.removeprefix("official:")


def subject_text(entry: AlertEntry) -> str:
    """What the alert is about: the dossier's code, the official of a broken channel, or nothing."""
    if entry.dossier_code:
        return entry.dossier_code
    return "" if entry.subject == "digest" else entry.subject


def acknowledged_by_text(entry: AlertEntry, lang: str | None = None) -> str:
    """Who acknowledged: the recipient's name when they used their own link, else what was stored."""
    by = entry.acknowledged_by
    if not by:
        return ""
    if by == entry.recipient_key + VIA_LINK:
        return t("alerts.ack.by_link", lang, name=recipient_text(entry, lang))
    return by


def acknowledgement_text(entry: AlertEntry, lang: str | None = None) -> str:
    if entry.acknowledged_at is not None:
        return t(
            "alerts.ack.at_by",
            lang,
            at=fmt.moment(entry.acknowledged_at, lang),
            who=acknowledged_by_text(entry, lang),
        )
    if entry.snoozed_until is not None:
        return t("alerts.ack.snoozed", lang, until=fmt.moment(entry.snoozed_until, lang))
    if entry.state == AlertState.SENT:
        return t("alerts.ack.not_yet", lang)
    return ""


def deadline_text(deadline: datetime, lang: str | None = None) -> str:
    """A day-level due (the end of a day) or a digest's day (its midnight) as a date, else a moment."""
    if deadline.time() in (END_OF_DAY, time.min):
        return fmt.day(deadline, lang)
    return fmt.moment(deadline, lang)


def redact_ack_links(body: str) -> str:
    """The message as sent, its acknowledgement link cut to the path: the token is the recipient's."""
    return ACK_LINK.sub(r"\1…", body)


def dossier_href(code: str) -> str:
    return f"/dossier/{quote(code, safe='')}"


def state_badge(entry: AlertEntry) -> html.Span:
    code = state_code(entry)
    colour = ALERT_COLOURS.get(code, "#666666")
    return html.Span(
        state_text(code),
        className="fw-semibold" if code == "failed" else "",
        style={"borderLeft": f"5px solid {colour}", "paddingLeft": "6px"},
    )


def _ack_cell(entry: AlertEntry) -> Any:
    text = acknowledgement_text(entry)
    if entry.acknowledged_at is not None:
        return html.Span(
            [
                html.Span(
                    ALERT_SYMBOLS["acknowledged"] + " ", style={"color": ALERT_COLOURS["acknowledged"]}
                ),
                text,
            ]
        )
    return html.Span(text, className="text-muted") if text else "–"


def make_alert_table(entries: list[AlertEntry], table_id: str, *, about: str) -> dbc.Table:
    """A compact table of alerts for a page section.

    `about` is "dossier" (the recipient is the column that varies) or "official" (the dossier
    does). Failed alerts carry Bootstrap's danger row colour as well as their symbol.
    """
    headers = [t("alerts.col.created_at"), t("alerts.col.rule")]
    headers += (
        [t("alerts.col.recipient"), t("alerts.col.level")]
        if about == "dossier"
        else [t("alerts.col.subject"), t("alerts.col.unit")]
    )
    headers += [
        t("alerts.col.state"),
        t("alerts.col.channels"),
        t("alerts.col.sent_at"),
        t("alerts.col.acknowledgement"),
    ]
    body = []
    for entry in entries:
        if about == "dossier":
            who: list[Any] = [
                recipient_text(entry),
                [level_text(entry.level)]
                + (
                    [html.Div(reason_text(entry.reason), className="small text-muted")]
                    if entry.reason
                    else []
                ),
            ]
        else:
            subject = subject_text(entry)
            who = [
                dcc.Link(subject, href=dossier_href(subject)) if entry.dossier_code else (subject or "–"),
                (entry.unit_name_en if current_lang() == "en" else entry.unit_name_vi) or "–",
            ]
        error = error_text(entry.last_error)
        state: list[Any] = [state_badge(entry)]
        if error and state_code(entry) != "sent":
            # Apprise's errors can run long (the URL, the log lines): cut here, whole in the log.
            shown = error if len(error) <= ERROR_SHOWN else error[: ERROR_SHOWN - 1] + "…"
            state.append(
                html.Div(
                    shown, title=error, className="small text-muted text-break", style={"maxWidth": "22rem"}
                )
            )
        cells = [
            html.Span(fmt.moment(entry.created_at), className="text-nowrap"),
            rule_text(entry.rule),
            *who,
            state,
            entry.channels or "–",
            html.Span(fmt.moment(entry.sent_at), className="text-nowrap"),
            _ack_cell(entry),
        ]
        body.append(
            html.Tr(
                [html.Td(cell) for cell in cells],
                className="table-danger" if state_code(entry) == "failed" else None,
            )
        )
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)],
        id=table_id,
        size="sm",
        striped=True,
        responsive=True,
        className="bg-white small",
    )
