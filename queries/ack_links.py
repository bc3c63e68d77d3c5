"""Signed, expiring acknowledgement links: one alert, one recipient, no login needed.

The token carries its own expiry (chosen by the scheduler's configuration when the message is
written), so the web side needs only the shared secret to check it. Being usable once comes from
the database: an acknowledgement is a conditional update of an unacknowledged row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "alert-acknowledgement"


class LinkError(ValueError):
    """The link is forged, damaged or expired: nothing may change."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


@dataclass(frozen=True)
class AckClaim:
    alert_id: int
    recipient_key: str
    expires: datetime  # Vietnam local time


def make_token(secret: str, claim: AckClaim) -> str:
    payload = [claim.alert_id, claim.recipient_key, claim.expires.isoformat(timespec="seconds")]
    return URLSafeSerializer(secret, salt=SALT).dumps(payload)


def read_token(secret: str, token: str, *, now: datetime) -> AckClaim:
    try:
        alert_id, recipient_key, expires = URLSafeSerializer(secret, salt=SALT).loads(token)
        claim = AckClaim(int(alert_id), str(recipient_key), datetime.fromisoformat(expires))
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkError("invalid") from exc
    if now > claim.expires:
        raise LinkError("expired")
    return claim


def ack_url(base_url: str, secret: str, claim: AckClaim) -> str:
    return f"{base_url.rstrip('/')}/alerts/ack/{make_token(secret, claim)}"
