"""Send one message to one notification URL through Apprise, and say plainly what happened.

Apprise reports failures in its result object and its log, never by raising (apprise 2.x), so
this is the one place that reads them: per-URL status, the log lines as the error, and whether
the failure is permanent (a URL Apprise cannot parse, credentials or an address refused), in
which case retrying is pointless and the channel is marked broken.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

import apprise

from alerts import demo_inbox  # noqa: F401  (registers the demo:// channel)
from alerts.messages import Message

# HTTP 4xx other than timeout / too many requests, SMTP 5.x.x authentication and mailbox errors.
PERMANENT = re.compile(
    r"error=4(?!08|29)\d\d\b|\b(530|535|550|553|554)\b|authenticat|unauthori[sz]ed|forbidden|not found",
    re.IGNORECASE,
)


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


def send(url: str, message: Message, *, alert_id: int, urgent: bool, timeout: float) -> ChannelResult:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return ChannelResult(None, masked(url), False, True, "Apprise cannot parse this URL")
    service = notifier[0]
    privacy = service.url(privacy=True)
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
        lines = [entry.message for entry in result.logs() if entry.level in {"WARNING", "ERROR", "DEBUG"}]
        error = " | ".join(line for line in lines if line)[:2000] or str(result.status.name)
        permanent = result.status.name == "FAILURE" and bool(PERMANENT.search(error))
        return ChannelResult(service.service_name, privacy, False, permanent, _without_secrets(error, url))


def _without_secrets(text: str, url: str) -> str:
    """Log lines may quote the URL; never store it whole."""
    return text.replace(url, masked(url))
