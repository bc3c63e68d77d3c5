"""Notification URLs are secrets (issue 5): how they may be named outside `officials.notify_urls`.

They carry bot tokens, webhook keys and mail passwords. Everything that stores, shows or logs one
uses its Apprise privacy form (alerts/delivery.py `shown`, which needs Apprise) or, where Apprise
is not at hand (queries/ imports none), a fingerprint. Both are never the URL itself.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote, urlencode

HIDDEN = "****"
#: Query arguments of Apprise's generic webhooks (json://, xml://, form://) whose values its
#: privacy form keeps whole: custom headers (+Authorization=...), GET parameters (-token=...),
#: payload fields (:key=...).
CUSTOM_ARGUMENTS = ("+", "-", ":")


def url_fingerprint(url: str) -> str:
    """A URL named without Apprise: its scheme and a short fingerprint that tells two apart."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://… #{hashlib.sha256(url.encode('utf-8')).hexdigest()[:8]}"


def without_custom_values(privacy: str) -> str:
    """An Apprise privacy form with the values of custom headers, GET parameters and payload
    fields masked too; applied again when an older stored form is shown."""
    base, mark, query = privacy.partition("?")
    if not mark:
        return privacy
    pairs = [
        (key, HIDDEN if key.startswith(CUSTOM_ARGUMENTS) and value else value)
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{base}?{urlencode(pairs, quote_via=quote, safe='*')}"
