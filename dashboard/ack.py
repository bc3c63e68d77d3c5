"""Acknowledgement links (`/alerts/ack/<token>`): a recipient answers an alert without signing in.

Every message the alerting process sends ends with such a link (alerts/sending.py). The token is
signed with the shared SECRET_KEY and names one alert, one recipient and its own expiry
(queries/ack_links.py), so it is the recipient's capability: whoever holds it may answer for
them, and nobody else can make one.

1. GET shows what the alert is about and two buttons. It never writes: mail scanners and link
   previews fetch every link in a message, and must not acknowledge for the recipient.
2. The buttons POST the token back in the form body. A cross-site page cannot know the token,
   so it cannot forge the request; as a second wall a POST whose Origin (or, without one,
   Referer) names another host is refused. No cookie or session is involved, so none can be
   ridden.
3. "Acknowledge" is a conditional update of an unacknowledged row (queries/outbox.py), so a
   link works once however often it is pressed; "Snooze" holds the climb to the next level for
   ALERT_SNOOZE_HOURS, once. Each answer that takes is in the audit trail (actor: the token's
   recipient, "official:<code>"), written in the same transaction as the answer.

Every refusal is a page saying what happened and that nothing changed: a forged or damaged token
or one naming another recipient 400, an expired one 410, an unknown alert 404, an alert already
acknowledged 409 (with when and by whom), a cross-site POST 403. Pages are in the alert's
language unless the reader chose one with the language switch (the `lang` cookie).
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from dashboard import fmt, metrics, plain_pages
from dashboard.access import client_address
from dashboard.components.alertlist import (
    VIA_LINK,
    acknowledged_by_text,
    deadline_text,
    dossier_href,
    recipient_text,
    rule_text,
)
from dashboard.i18n import COOKIE, LANGS, t
from dashboard.services import engine, now
from queries import audit, outbox
from queries.ack_links import AckClaim, LinkError, read_token
from queries.alert_log import AlertEntry, alert_entry
from queries.outbox import Answer
from queries.scope import Scope
from queries.settings import alert_snooze_hours, secret_key

log = logging.getLogger(__name__)

#: No login here: the signed token is the authorisation, and each route reads only the alert the
#: token names and shows it only when its recipient is the token's (`entry.recipient_key`).
LINK_SCOPE = Scope.province()

ack = Blueprint("ack", __name__, template_folder="templates")

HEADERS = {
    # The URL holds a capability: keep it out of caches, other sites' Referer headers and frames.
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
# kind of page -> (HTTP status, Bootstrap tone, Bootstrap icon)
PAGES = {
    "form": (200, "primary", "bi-bell-fill"),
    "done": (200, "success", "bi-check-circle-fill"),
    "snoozed": (200, "info", "bi-alarm-fill"),
    "already": (409, "secondary", "bi-check2-all"),
    "already_snoozed": (409, "secondary", "bi-alarm"),
    "invalid": (400, "danger", "bi-x-octagon-fill"),
    "forbidden": (403, "danger", "bi-shield-fill-exclamation"),
    "unknown": (404, "warning", "bi-question-circle-fill"),
    "expired": (410, "warning", "bi-hourglass-bottom"),
}


@ack.record_once
def _read_settings(state: BlueprintSetupState) -> None:
    """ALERT_SNOOZE_HOURS is read once at start, so a bad value stops the app with its name."""
    state.app.config.setdefault("ALERT_SNOOZE_HOURS", alert_snooze_hours())


@ack.get("/alerts/ack/<token>")
def show(token: str) -> Response:
    """What the alert is about, with the two buttons; reads only."""
    claim = _claim(token)
    if isinstance(claim, Response):
        return claim
    with engine().connect() as conn:
        entry = alert_entry(conn, claim.alert_id, scope=LINK_SCOPE)
    if entry is None or entry.recipient_key != claim.recipient_key:
        return _refusal(entry)
    if entry.acknowledged_at is not None:
        return _page("already", entry)
    return _page("form", entry, token=token)


@ack.post("/alerts/ack/<token>")
def answer(token: str) -> Response:
    """Acknowledge or snooze once; every other outcome changes nothing."""
    if not plain_pages.same_origin():
        return _page("forbidden")
    sent = request.form.get("token", "")
    action = request.form.get("action")
    if not hmac.compare_digest(sent.encode("utf-8"), token.encode("utf-8")) or action not in (
        "ack",
        "snooze",
    ):
        return _page("invalid")
    claim = _claim(token)
    if isinstance(claim, Response):
        return claim
    moment = now()
    with engine().begin() as conn:
        entry = alert_entry(conn, claim.alert_id, scope=LINK_SCOPE)
        if entry is None or entry.recipient_key != claim.recipient_key:
            return _refusal(entry)
        if action == "ack":
            result = outbox.acknowledge(
                conn,
                claim.alert_id,
                recipient_key=claim.recipient_key,
                by=claim.recipient_key + VIA_LINK,
                now=moment,
            )
            detail: dict[str, Any] = {}
        else:
            until = moment + timedelta(hours=float(current_app.config["ALERT_SNOOZE_HOURS"]))
            result = outbox.snooze(conn, claim.alert_id, recipient_key=claim.recipient_key, until=until)
            detail = {"until": until.isoformat(timespec="minutes")}
        if result is Answer.DONE:  # in the answer's transaction: recorded if and only if it is kept
            audit.record(
                conn,
                actor=claim.recipient_key,
                action="alert_acknowledged" if action == "ack" else "alert_snoozed",
                target=str(claim.alert_id),
                detail={"via": "link", "rule": entry.rule, "dossier": entry.dossier_code, **detail},
                address=client_address(),
                at=moment,
            )
        entry = alert_entry(conn, claim.alert_id, scope=LINK_SCOPE)
    if result is Answer.UNKNOWN or entry is None:
        return _page("unknown")
    if result is Answer.DONE:
        log.info("alert %s %s by %s via its link", claim.alert_id, action, claim.recipient_key)
        if action == "ack":
            metrics.count_acknowledged(entry.rule, entry.channels)
        return _page("done" if action == "ack" else "snoozed", entry)
    return _page("already" if entry.acknowledged_at is not None else "already_snoozed", entry)


def _claim(token: str) -> AckClaim | Response:
    """The token's claim, or the page for a token that is forged, damaged or expired."""
    try:
        return read_token(secret_key(), token, now=now())
    except LinkError as error:
        return _page("expired" if error.reason == "expired" else "invalid")


def _refusal(entry: AlertEntry | None) -> Response:
    """No such alert (404), or a validly signed token naming someone else (400, shown nothing)."""
    return _page("unknown") if entry is None else _page("invalid")


def _lang(entry: AlertEntry | None) -> str:
    """The reader's choice (the language switch's cookie), else the alert's own language."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    if entry is not None and entry.language in LANGS:
        return entry.language
    return "vi"


def _facts(entry: AlertEntry, lang: str) -> list[tuple[str, str, str | None]]:
    """What the alert is about, in the page's language (the stored title is in the alert's)."""
    title = entry.title if entry.title and lang == entry.language else rule_text(entry.rule, lang)
    facts: list[tuple[str, str, str | None]] = [(t("ack.alert", lang), title, None)]
    if entry.dossier_code:
        facts += [
            (t("ack.dossier", lang), entry.dossier_code, dossier_href(entry.dossier_code)),
            (t("ack.deadline", lang), deadline_text(entry.deadline, lang), None),
        ]
    facts += [
        (t("ack.recipient", lang), recipient_text(entry, lang), None),
        (t("ack.sent_at", lang), fmt.moment(entry.sent_at or entry.created_at, lang), None),
        (t("ack.reference", lang), f"#{entry.id}", None),
    ]
    return facts


def _page(kind: str, entry: AlertEntry | None = None, *, token: str | None = None) -> Response:
    status, tone, icon = PAGES[kind]
    lang = _lang(entry)
    hours = float(current_app.config["ALERT_SNOOZE_HOURS"])
    values: dict[str, Any] = {}
    if entry is not None:
        values = {
            "at": fmt.moment(entry.acknowledged_at, lang),
            "who": acknowledged_by_text(entry, lang),
            "until": fmt.moment(entry.snoozed_until, lang),
        }
    if kind == "form":
        heading = t("ack.heading", lang)
        message = t("ack.lead", lang, hours=fmt.number(hours, 0 if hours.is_integer() else 1, lang))
    else:
        heading = t(f"ack.{kind}.title", lang)
        message = t(f"ack.{kind}.body", lang, **values)
    show_facts = entry is not None and kind not in ("invalid", "unknown", "forbidden", "expired")
    html = plain_pages.render(
        "ack.html",
        lang,
        kind=kind,
        tone=tone,
        icon=icon,
        heading=heading,
        message=message,
        facts=_facts(entry, lang) if show_facts and entry is not None else [],
        show_form=kind == "form",
        token=token,
        can_snooze=entry is not None and entry.snoozed_until is None,
        snoozed_note=t("ack.snoozed_note", lang, until=values["until"])
        if entry is not None and entry.snoozed_until is not None and kind == "form"
        else None,
        home=f"{request.script_root}/",
    )
    return Response(html, status=status, headers=HEADERS, mimetype="text/html")
