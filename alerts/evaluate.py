"""Turn the rules' verdicts into outbox rows for named people: pure functions, `now` passed in.

The chain of responsibility is handler -> the unit's chairperson -> the provincial supervisor of
the dossier's sector (or, when the sector has none, the supervisors who watch all sectors). A
dossier with no handler (or an inactive one) goes straight to the chairperson; a unit with no
chairperson falls back to its leaders (vice-chairpersons).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.config import AlertConfig
from alerts.rules import ESCALATIONS, Alert, Audience, dossier_alerts, step_alert
from queries.alert_watch import LateStep, Person
from queries.clocking import NOT_CLOCKED, ClockedDossier
from queries.domain import Role
from queries.outbox import NewAlert, Unanswered
from queries.sla import Clock, Verdict

ADMINS = "admins"


@dataclass(frozen=True)
class Directory:
    """Who is who, loaded once per tick (a province has a few thousand officials)."""

    by_id: dict[int, Person]
    chairs: dict[int, list[Person]]  # unit id -> chairpersons, else leaders
    supervisors: list[Person]

    @classmethod
    def of(cls, people: Iterable[Person]) -> Directory:
        people = list(people)
        chairs: dict[int, list[Person]] = defaultdict(list)
        leaders: dict[int, list[Person]] = defaultdict(list)
        for person in people:
            if person.role == Role.CHAIRPERSON:
                chairs[person.unit_id].append(person)
            elif person.role == Role.LEADER:
                leaders[person.unit_id].append(person)
        for unit_id, group in leaders.items():
            chairs.setdefault(unit_id, group)
        supervisors = [p for p in people if p.role == Role.SUPERVISOR]
        return cls({p.id: p for p in people}, dict(chairs), supervisors)

    def at(
        self, level: Audience, *, unit_id: int | None, sector_id: int | None, handler_id: int | None
    ) -> list[Person]:
        """The people at one level of a dossier's chain (empty when nobody holds that role)."""
        if level is Audience.HANDLER:
            handler = self.by_id.get(handler_id) if handler_id is not None else None
            return [handler] if handler else []
        if level is Audience.CHAIRPERSON:
            return list(self.chairs.get(unit_id, [])) if unit_id is not None else []
        if level is Audience.SUPERVISOR:
            # The supervisors of the dossier's sector; those watching all sectors only when the
            # sector has none of its own (else every long-overdue dossier reaches every supervisor).
            own = [s for s in self.supervisors if sector_id is not None and s.sector_id == sector_id]
            return own or [s for s in self.supervisors if s.sector_id is None]
        return []

    def reach(
        self, level: Audience, *, unit_id: int | None, sector_id: int | None, handler_id: int | None
    ) -> tuple[Audience, list[Person]]:
        """The first level at or above `level` that has somebody (administrators last)."""
        for candidate in Audience:
            if candidate < level or candidate is Audience.ADMINS:
                continue
            found = self.at(candidate, unit_id=unit_id, sector_id=sector_id, handler_id=handler_id)
            if found:
                return candidate, found
        return Audience.ADMINS, []


def office_opens(clock: Clock, now: datetime) -> datetime:
    """`now` if the office is open, else when it next opens: warnings wait for working hours."""
    policy = clock.policy
    day = now.date()
    moment = now.time()
    if clock.calendar.is_working_day(day):
        for start, end in (policy.morning, policy.afternoon):
            if moment < start:
                return datetime.combine(day, start)
            if moment < end:
                return now
    next_day = clock.calendar.first_working_day_from(day + timedelta(days=1))
    return datetime.combine(next_day, policy.morning[0])


@dataclass(frozen=True)
class AtRisk:
    """A due-soon or overdue dossier, as the digests list it."""

    dossier_id: int
    code: str
    unit_id: int
    handler_id: int | None
    procedure_code: str | None
    due: datetime
    remaining_days: float
    has_apology: bool


@dataclass(frozen=True)
class Evaluation:
    alerts: list[NewAlert]
    live: set[tuple[str, str, datetime]]  # (subject, rule, deadline) conditions that hold now
    unjudged: dict[int, list[str]]  # unit id -> open dossiers the clock cannot judge
    at_risk: list[AtRisk]
    sectors: dict[int, int | None]  # dossier id -> sector, for climbing alerts


def assess(
    judged: Iterable[tuple[ClockedDossier, Verdict | None]],
    steps: Sequence[LateStep],
    directory: Directory,
    *,
    config: AlertConfig,
    clock: Clock,
    now: datetime,
) -> Evaluation:
    opens = office_opens(clock, now)
    alerts: list[NewAlert] = []
    live: set[tuple[str, str, datetime]] = set()
    unjudged: dict[int, list[str]] = defaultdict(list)
    at_risk: list[AtRisk] = []
    sectors: dict[int, int | None] = {}

    def add(
        alert: Alert,
        *,
        code: str,
        dossier_id: int,
        unit_id: int,
        sector_id: int | None,
        handler_id: int | None,
    ) -> None:
        live.add((code, alert.rule, alert.deadline))
        level, people = directory.reach(
            alert.audience, unit_id=unit_id, sector_id=sector_id, handler_id=handler_id
        )
        immediate = alert.rule in ESCALATIONS and config.overdue.immediate
        for person in people or [None]:
            alerts.append(
                NewAlert(
                    subject=code,
                    rule=str(alert.rule),
                    recipient_key=person.key if person else ADMINS,
                    deadline=alert.deadline,
                    level=int(level),
                    not_before=now if immediate else opens,
                    dossier_id=dossier_id,
                    unit_id=unit_id,
                    recipient_id=person.id if person else None,
                    language=person.language if person else "vi",
                    reason=None if level == alert.audience else "no_recipient",
                )
            )

    for dossier, verdict in judged:
        sectors[dossier.id] = dossier.sector_id
        if verdict is None:
            if dossier.inputs is None and dossier.status not in NOT_CLOCKED:
                unjudged[dossier.unit_id].append(dossier.code)
            continue
        has_apology = dossier.inputs is not None and dossier.inputs.extension_date is not None
        thresholds = config.due_soon_for(dossier.procedure_code)
        found = dossier_alerts(verdict, has_apology=has_apology, due_soon=thresholds, overdue=config.overdue)
        if found:
            at_risk.append(
                AtRisk(
                    dossier.id,
                    dossier.code,
                    dossier.unit_id,
                    dossier.handler_id,
                    dossier.procedure_code,
                    verdict.effective_due,
                    verdict.remaining_days,
                    has_apology,
                )
            )
        for alert in found:
            add(
                alert,
                code=dossier.code,
                dossier_id=dossier.id,
                unit_id=dossier.unit_id,
                sector_id=dossier.sector_id,
                handler_id=dossier.handler_id,
            )
    overdue = {risk.dossier_id for risk in at_risk if risk.remaining_days < 0}
    for step in steps:
        late = step_alert(step.due_at, None, now)
        # Once the dossier itself is overdue, its overdue alerts say more than a late step would.
        if late is not None and step.dossier_id not in overdue:
            add(
                late,
                code=step.dossier_code,
                dossier_id=step.dossier_id,
                unit_id=step.unit_id,
                sector_id=step.sector_id,
                handler_id=step.handler_id,
            )
    return Evaluation(alerts, live, dict(unjudged), at_risk, sectors)


def climbs(
    ignored: Sequence[Unanswered],
    live: set[tuple[str, str, datetime]],
    directory: Directory,
    sectors: dict[int, int | None],
    *,
    clock: Clock,
    config: AlertConfig,
    now: datetime,
) -> tuple[list[NewAlert], list[int]]:
    """Unacknowledged alerts whose condition still holds climb one level (working hours count).

    Returns the new alerts and the ids of the alerts that climbed (marked so they climb once).
    """
    wait = config.acknowledge.climb_after_hours
    opens = office_opens(clock, now)  # the threshold is often crossed at noon or at closing time
    new: list[NewAlert] = []
    climbed: list[int] = []
    for alert in ignored:
        if alert.condition not in live or alert.level >= Audience.SUPERVISOR:
            continue
        if clock.working_hours(alert.sent_at, now) < wait:
            continue
        level, people = directory.reach(
            Audience(alert.level + 1),
            unit_id=alert.unit_id,
            sector_id=sectors.get(alert.dossier_id or 0),
            handler_id=None,
        )
        climbed.append(alert.id)
        for person in people or [None]:
            new.append(
                NewAlert(
                    subject=alert.subject,
                    rule=alert.rule,
                    recipient_key=person.key if person else ADMINS,
                    deadline=alert.deadline,
                    level=int(level),
                    not_before=now if alert.rule in ESCALATIONS and config.overdue.immediate else opens,
                    dossier_id=alert.dossier_id,
                    unit_id=alert.unit_id,
                    recipient_id=person.id if person else None,
                    language=person.language if person else "vi",
                    parent_id=alert.id,
                    reason="unacknowledged",
                )
            )
    return new, climbed


def stale(
    waiting_conditions: Iterable[tuple[int, tuple[str, str, datetime]]], live: set[tuple[str, str, datetime]]
) -> list[int]:
    """Waiting alerts whose condition ended (dossier finished, paused, or its due moved)."""
    return [alert_id for alert_id, condition in waiting_conditions if condition not in live]
