"""The morning digests, the weekly summary and the data-quality alarm: one message per person.

Written when enqueued (the row keeps the text as it was that morning); each is keyed by its day
so a second tick, a restart or a second scheduler never sends a second digest the same day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time

from alerts.evaluate import AtRisk, Directory, Evaluation
from alerts.messages import DigestItem, UnitChange, digest_message, quality_message, weekly_message
from alerts.rules import Audience, Rule
from queries.alert_watch import Person
from queries.catalog import Named
from queries.outbox import NewAlert


def _item(risk: AtRisk, procedures: dict[str, Named], lang: str) -> DigestItem:
    named = procedures.get(risk.procedure_code or "")
    return DigestItem(
        risk.code,
        named.name(lang) if named else (risk.procedure_code or "—"),
        risk.due,
        risk.remaining_days,
        risk.has_apology,
    )


def _row(
    person: Person, rule: Rule, subject: str, level: Audience, day: date, now: datetime, title: str, body: str
) -> NewAlert:
    return NewAlert(
        subject=subject,
        rule=str(rule),
        recipient_key=person.key,
        deadline=datetime.combine(day, time()),
        level=int(level),
        not_before=now,
        unit_id=person.unit_id,
        recipient_id=person.id,
        language=person.language,
        title=title,
        body=body,
    )


def daily(
    evaluation: Evaluation,
    directory: Directory,
    *,
    now: datetime,
    procedures: dict[str, Named],
    units: dict[int, Named],
    base_url: str,
) -> list[NewAlert]:
    """Each handler's at-risk dossiers, each chairperson's whole unit, and the unclockable ones."""
    day = now.date()
    by_handler: dict[int, list[AtRisk]] = defaultdict(list)
    by_unit: dict[int, list[AtRisk]] = defaultdict(list)
    for risk in evaluation.at_risk:
        by_unit[risk.unit_id].append(risk)
        if risk.handler_id is not None:
            by_handler[risk.handler_id].append(risk)
    rows: list[NewAlert] = []

    def digest(person: Person, risks: list[AtRisk], level: Audience, link: str) -> None:
        lang = person.language
        items = [_item(risk, procedures, lang) for risk in risks]
        message = digest_message(lang, name=person.full_name, day=now, items=items, link=link)
        rows.append(_row(person, Rule.DAILY_DIGEST, "digest", level, day, now, message.title, message.body))

    for handler_id, risks in by_handler.items():
        person = directory.by_id.get(handler_id)
        if person is not None:
            digest(person, risks, Audience.HANDLER, f"{base_url}/me?official={person.code}")
    for unit_id, risks in by_unit.items():
        unit = units.get(unit_id)
        for chair in directory.chairs.get(unit_id, []):
            digest(chair, risks, Audience.CHAIRPERSON, f"{base_url}/unit/{unit.code if unit else unit_id}")
    for unit_id, codes in evaluation.unjudged.items():
        unit = units.get(unit_id)
        code = unit.code if unit else str(unit_id)
        for chair in directory.chairs.get(unit_id, []):
            lang = chair.language
            name = unit.name(lang) if unit else code
            message = quality_message(
                lang, unit=name, codes=sorted(codes), link=f"{base_url}/quality?unit={code}"
            )
            rows.append(
                _row(
                    chair,
                    Rule.DATA_QUALITY,
                    f"quality:{code}",
                    Audience.CHAIRPERSON,
                    day,
                    now,
                    message.title,
                    message.body,
                )
            )
    return rows


def weekly(
    changes: Sequence[UnitChange], supervisors: Sequence[Person], *, now: datetime, week: str, base_url: str
) -> list[NewAlert]:
    rows = []
    for person in supervisors:
        message = weekly_message(person.language, week=week, changes=changes, link=f"{base_url}/?period=week")
        rows.append(
            _row(
                person,
                Rule.WEEKLY_SUMMARY,
                "weekly",
                Audience.SUPERVISOR,
                now.date(),
                now,
                message.title,
                message.body,
            )
        )
    return rows
