"""Which alerts a dossier deserves now: pure functions over the clock's verdict, `now` passed in.

Each alert names its rule, who must hear it (the role up the chain, resolved to people later) and
the deadline it was judged against. The deadline is part of an alert's identity: when an apology
letter or a supplement moves the due date, the same rule fires afresh for the new deadline, and
never twice for the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from alerts.config import DueSoon, Overdue
from queries.domain import OpenState
from queries.sla import Verdict


class Rule(StrEnum):
    DUE_SOON = "due_soon"  # warn the handler before the deadline
    OVERDUE = "overdue"  # the handler, and the unit's chairperson
    APOLOGY_MISSING = "apology_missing"  # overdue a working day with no Mẫu 04 letter
    OVERDUE_LONG = "overdue_long"  # overdue N working days: the sector's provincial supervisor
    STEP_LATE = "step_late"  # a processing step past its own due: the step's handler
    DAILY_DIGEST = "daily_digest"  # everything at risk, one message per person each working morning
    WEEKLY_SUMMARY = "weekly_summary"  # the units that worsened, to provincial supervisors
    DATA_QUALITY = "data_quality"  # open dossiers the clock cannot judge, to the chairperson
    CHANNEL_BROKEN = "channel_broken"  # a notification URL failed for good, to administrators


# Rules about one dossier's deadline: cancelled when the condition ends, climb when ignored.
DOSSIER_RULES = frozenset(
    {Rule.DUE_SOON, Rule.OVERDUE, Rule.APOLOGY_MISSING, Rule.OVERDUE_LONG, Rule.STEP_LATE}
)
# Warnings wait for office hours; escalations may go at once (config overdue.immediate).
ESCALATIONS = frozenset({Rule.OVERDUE, Rule.APOLOGY_MISSING, Rule.OVERDUE_LONG})


class Audience(IntEnum):
    """The chain of responsibility, bottom up; an ignored alert climbs one level."""

    HANDLER = 0
    CHAIRPERSON = 1
    SUPERVISOR = 2
    ADMINS = 3


@dataclass(frozen=True)
class Alert:
    rule: Rule
    audience: Audience
    deadline: datetime


def dossier_alerts(
    verdict: Verdict, *, has_apology: bool, due_soon: DueSoon, overdue: Overdue
) -> list[Alert]:
    """The alerts an open dossier calls for at the verdict's moment (none when on track or paused).

    Due soon is judged on the verdict's remaining working days and used share with the
    configured (possibly per-procedure) thresholds, so a same-day procedure can be warned in
    hours and a land procedure days ahead.
    """
    deadline = verdict.effective_due
    if verdict.state is OpenState.OVERDUE:
        late_by = -verdict.remaining_days
        alerts = [
            Alert(Rule.OVERDUE, Audience.HANDLER, deadline),
            Alert(Rule.OVERDUE, Audience.CHAIRPERSON, deadline),
        ]
        if not has_apology and late_by >= overdue.apology_after_days:
            alerts.append(Alert(Rule.APOLOGY_MISSING, Audience.CHAIRPERSON, deadline))
        if late_by >= overdue.supervisor_after_days:
            alerts.append(Alert(Rule.OVERDUE_LONG, Audience.SUPERVISOR, deadline))
        return alerts
    if verdict.state not in (OpenState.ON_TRACK, OpenState.DUE_SOON):
        return []  # paused, or finished
    if verdict.remaining_days <= due_soon.days_left or verdict.elapsed_share >= due_soon.share_used:
        return [Alert(Rule.DUE_SOON, Audience.HANDLER, deadline)]
    return []


def step_alert(step_due: datetime | None, ended_at: datetime | None, now: datetime) -> Alert | None:
    """A step still running past its own due alerts the step's handler."""
    if step_due is None or ended_at is not None or now <= step_due:
        return None
    return Alert(Rule.STEP_LATE, Audience.HANDLER, step_due)
