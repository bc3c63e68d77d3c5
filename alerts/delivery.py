"""Send one message to one notification URL through Apprise, and say plainly what happened.

Apprise reports failures in its result object and its log, never by raising (apprise 2.x), so
this is the one place that reads them: per-URL status, the log lines as the error, and whether
the failure is permanent (a URL Apprise cannot parse, credentials or an address refused), in
which case retrying is pointless and the channel is marked broken.

Notification URLs carry tokens and passwords (issue 5): whatever leaves this module (the result's
`url` and `error`, stored in alert_attempts and broken_channels, shown on the alerts page, put in
the administrators' "channel broken" message, logged) holds a URL only as `shown(url)`, and an
error only with the URL's hidden parts scrubbed. Apprise's own log never reaches the process log:
its debug lines quote request paths, query strings and whole payloads (the acknowledgement link
among them); it is read from each call's result instead, and only its warnings, errors and
socket exceptions are kept.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import apprise

from alerts import demo_inbox  # noqa: F401  (registers the demo:// channel)
from alerts.messages import Message
from queries.notify_urls import HIDDEN, without_custom_values

# HTTP 4xx other than timeout / too many requests, SMTP 5.x.x authentication and mailbox errors.
PERMANENT = re.compile(
    r"error=4(?!08|29)\d\d\b|\b(530|535|550|553|554)\b|authenticat|unauthori[sz]ed|forbidden|not found",
    re.IGNORECASE,
)


# Apprise's log: captured per call (below) and nowhere else; a NullHandler so that Python's
# last-resort handler does not print it to stderr either. urllib3 logs each request's path and
# query at DEBUG, where a webhook's token may sit.
_APPRISE_LOG = logging.getLogger("apprise")
_APPRISE_LOG.propagate = False
_APPRISE_LOG.addHandler(logging.NullHandler())
logging.getLogger("urllib3").setLevel(logging.INFO)

_WORD = re.compile(r"[^\s/:@?&=#+,;]{4,}")


@dataclass(frozen=True)
class ChannelResult:
    service: str | None
    url: str  # privacy form: safe to store and show
    ok: bool
    permanent: bool
    error: str | None


def fingerprint(url: str) -> str:
    """Identifies a URL without storing it: notification URLs carry tokens and passwords."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def masked(url: str) -> str:
    """What to show of a URL Apprise could not parse: its scheme only."""
    return url.split("://", 1)[0] + "://…" if "://" in url else "…"


def shown(url: str) -> str:
    """A notification URL as it may be shown, stored or logged: Apprise's privacy form (passwords
    and tokens cut to a few characters), with the values of a generic webhook's custom headers,
    GET parameters and payload fields masked too (Apprise leaves those whole); a URL Apprise cannot
    parse shows its scheme only."""
    service = apprise.Apprise.instantiate(url)
    return masked(url) if service is None else without_custom_values(service.url(privacy=True))


def send(url: str, message: Message, *, alert_id: int, urgent: bool, timeout: float) -> ChannelResult:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return ChannelResult(None, masked(url), False, True, "Apprise cannot parse this URL")
    service = notifier[0]
    privacy = without_custom_values(service.url(privacy=True))
    headers = getattr(service, "headers", None)
    if isinstance(headers, dict):
        headers["X-Alert-Id"] = str(alert_id)  # lets a receiver drop a re-sent duplicate
    result = notifier.notify(
        body=message.body,
        title=message.title,
        notify_type=apprise.NotifyType.FAILURE if urgent else apprise.NotifyType.WARNING,
        body_format=apprise.NotifyFormat.TEXT,
        timeout=timeout,
        log_level=logging.DEBUG,
    )
    with result:
        if result:
            return ChannelResult(service.service_name, privacy, True, False, None)
        lines = [entry.message for entry in result.logs() if _explains_failure(entry.level, entry.message)]
        error = " | ".join(line for line in lines if line)[:2000] or str(result.status.name)
        permanent = result.status.name == "FAILURE" and bool(PERMANENT.search(error))
        return ChannelResult(
            service.service_name, privacy, False, permanent, without_secrets(error, url, privacy)
        )


def _explains_failure(level: str, line: str) -> bool:
    """Warnings and errors, and the socket exception behind a connection error (a refused SMTP
    login is only there); never the debug lines that quote the request or its payload."""
    return level in {"WARNING", "ERROR"} or (level == "DEBUG" and line.startswith("Socket Exception"))


def without_secrets(text: str, url: str, privacy: str | None = None) -> str:
    """`text` (an error, a log line) with `url` never whole and none of the parts its privacy
    form hides: password, tokens, header and parameter values, wherever they are quoted (a
    connection error quotes the request's path and query)."""
    privacy = privacy if privacy is not None else shown(url)
    text = text.replace(url, privacy)
    for part in _hidden_parts(url, privacy):
        text = text.replace(part, HIDDEN)
    return text


def _hidden_parts(url: str, privacy: str) -> list[str]:
    """The pieces of `url` that its privacy form does not show, longest first."""
    visible = unquote(privacy)
    parts = set(_WORD.findall(unquote(url)))
    try:
        split = urlsplit(url)
        parts.update(value for value in (split.password, split.username) if value and len(value) >= 3)
        parts.update(value for _, value in parse_qsl(split.query) if len(value) >= 3)
    except ValueError:  # an unparseable port: the words above still cover the URL
        pass
    hidden = {part for part in parts if part not in visible}
    hidden |= {quote(part, safe="") for part in hidden}
    return sorted(hidden, key=len, reverse=True)
