"""Vietnam time: the machine runs in UTC, the law counts in Asia/Ho_Chi_Minh.

The database stores naive Vietnam local time; anything with an offset is converted on the way in.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_now() -> datetime:
    """Now in Vietnam as a naive local time (the form the database stores)."""
    return datetime.now(VN).replace(tzinfo=None, microsecond=0)


def to_local(moment: datetime) -> datetime:
    """Naive Vietnam local time; a naive input is taken to be Vietnam time already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VN).replace(tzinfo=None)


def parse_local(text: str) -> datetime:
    """Parse an ISO date or date-time, with or without offset, into naive Vietnam time."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return to_local(datetime.fromisoformat(value))
