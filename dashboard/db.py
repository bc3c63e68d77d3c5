"""The web process's engine, created on first use so that each gunicorn worker gets its own pool."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from queries.db import make_engine


@lru_cache(maxsize=1)
def engine() -> Engine:
    return make_engine()
