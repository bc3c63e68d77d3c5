"""What every job gets and returns: the context of one scheduler process, and the counts of a pass."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine

from alerts import metrics
from alerts.config import AlertConfig
from queries import outbox
from queries.outbox import NewAlert
from queries.sla import Clock


@dataclass(frozen=True)
class Context:
    engine: Engine
    config: AlertConfig
    clock: Clock
    secret: str
    worker: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )


@dataclass
class Counts:
    evaluated: int = 0
    enqueued: int = 0
    cancelled: int = 0
    climbed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    rerouted: int = 0

    def add(self, other: Counts) -> Counts:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self


def enqueue(conn: Connection, rows: list[NewAlert], *, now: datetime) -> list[int]:
    """outbox.enqueue, with the rows it really inserted counted by rule for the metrics."""
    ids = outbox.enqueue(conn, rows, now=now)
    metrics.count_enqueued(conn, rows, ids)
    return ids
