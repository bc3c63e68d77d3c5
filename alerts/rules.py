"""Which alerts a dossier deserves now: pure functions over the clock's verdict, `now` passed in.

Each alert names its rule, who must hear it (the role up the chain, resolved to people later) and
the deadline it was judged against. The deadline is part of an alert's identity: when an apology
letter or a supplement moves the due date, the same rule fires afresh for the new deadline, and
never twice for the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from queries.domain import OpenState
from queries.sla import Verdict


class Rule(StrEnum):
    DUE_SOON = "due_soon"  # warn the handler before the deadline
    OVERDUE = "overdue"  # the handler, and the unit's chairperson
    APOLOGY_MISSING = "apology_missing"  # overdue a working day with no Mẫu 04 letter
    OVERDUE_LONG = "overdue_long"  # overdue N working days: the sector's provincial supervisor
    STEP_LATE = "step_late"  # a processing step past its own due: the step's handler


class Audience(StrEnum):
    HANDLER = "handler"
    CHAIRPERSON = "chairperson"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Thresholds:
    """Defaults follow the issue; the configuration file of the scheduler overrides them."""

    apology_after_days: float = 1.0
    supervisor_after_days: float = 5.0


@dataclass(frozen=True)
class Alert:
    rule: Rule
    audience: Audience
    deadline: datetime


def dossier_alerts(verdict: Verdict, *, has_apology: bool, thresholds: Thresholds) -> list[Alert]:
    """The alerts an open dossier calls for at the verdict's moment (none when on track or paused).

    Due soon uses the clock's own thresholds (ClockPolicy), so the lists on the dashboard and the
    alerts agree on what "due soon" means.
    """
    deadline = verdict.effective_due
    if verdict.state is OpenState.DUE_SOON:
        return [Alert(Rule.DUE_SOON, Audience.HANDLER, deadline)]
    if verdict.state is not OpenState.OVERDUE:
        return []
    late_by = -verdict.remaining_days
    alerts = [
        Alert(Rule.OVERDUE, Audience.HANDLER, deadline),
        Alert(Rule.OVERDUE, Audience.CHAIRPERSON, deadline),
    ]
    if not has_apology and late_by >= thresholds.apology_after_days:
        alerts.append(Alert(Rule.APOLOGY_MISSING, Audience.CHAIRPERSON, deadline))
    if late_by >= thresholds.supervisor_after_days:
        alerts.append(Alert(Rule.OVERDUE_LONG, Audience.SUPERVISOR, deadline))
    return alerts


def step_alert(step_due: datetime | None, ended_at: datetime | None, now: datetime) -> Alert | None:
    """A step still running past its own due alerts the step's handler."""
    if step_due is None or ended_at is not None or now <= step_due:
        return None
    return Alert(Rule.STEP_LATE, Audience.HANDLER, step_due)
