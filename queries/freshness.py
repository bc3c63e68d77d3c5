"""What version of the data a cached result was computed from.

The dashboard's cache keys (dashboard/cached.py) carry this text, so a result expires the moment
the data behind it changes (an import, a correction, a rating), not only when its minute ends.
Three index-only reads: the newest dossier change (ix_dossiers_updated), the newest rating
(its primary key) and the rollups' last refresh; together well under a millisecond.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from queries.models import Dossier, Rating, RollupState


def data_version(conn: Connection) -> str:
    changed = conn.execute(select(func.max(Dossier.updated_at))).scalar()
    rated = conn.execute(select(func.max(Rating.id))).scalar()
    rolled = conn.execute(select(func.max(RollupState.refreshed_at))).scalar()
    return f"{changed}|{rated}|{rolled}"
