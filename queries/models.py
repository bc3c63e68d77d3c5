"""The dossier database schema (SQLAlchemy 2 typed declarative; Alembic migrates it).

All timestamps are naive Vietnam local time (Asia/Ho_Chi_Minh has no daylight saving, so this is
unambiguous); inputs with an offset are converted on the way in (queries/timeutil.py). Derived
SLA columns (statutory_due_at, due_at, outcome, supplement_count) are a cache of the clock's
verdict that the importer and `recompute-dues` keep current, so SQL can filter and count by them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Second precision on SQLite keeps the stored text short and lets bulk loaders write
# 'YYYY-MM-DD HH:MM:SS' strings that compare correctly with bound parameters.
LocalDateTime = DateTime().with_variant(
    sqlite.DATETIME(
        storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
        regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
    ),
    "sqlite",
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Sector(Base):
    __tablename__ = "sectors"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Land, investment, finance: the sectors whose surges supervisors watch.
    heavy: Mapped[bool] = mapped_column(Boolean, default=False)


class Procedure(Base):
    __tablename__ = "procedures"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(400))
    name_en: Mapped[str] = mapped_column(String(400))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    level: Mapped[str] = mapped_column(String(16), default="commune")
    time_value: Mapped[float] = mapped_column(Numeric(8, 2), default=0)
    time_unit: Mapped[str] = mapped_column(String(16))
    online_level: Mapped[str] = mapped_column(String(8), default="none")
    fee: Mapped[int | None] = mapped_column(Integer)
    # Whether waiting for fees/taxes (state 6) stops the clock: sector-specific (domain.md 1.6).
    pause_on_payment: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def same_day(self) -> bool:
        return self.time_unit == "same_day"


class Official(Base):
    __tablename__ = "officials"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # Supervisors may watch one sector province-wide; NULL means all sectors.
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"))
    notify_urls: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Dossier(Base):
    __tablename__ = "dossiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # NULL procedure or receipt time: the dossier cannot be clocked; data quality reports it.
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"))
    channel: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    statutory_due_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    appointment_due_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    # Effective due: appointment plus closed pauses, moved by an apology letter's new date.
    due_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    status: Mapped[str] = mapped_column(String(24))
    finished_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    outcome: Mapped[str | None] = mapped_column(String(8))
    current_step: Mapped[str | None] = mapped_column(String(16))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    supplement_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    digitized_components: Mapped[bool] = mapped_column(Boolean, default=False)
    digitized_result: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(LocalDateTime)

    __table_args__ = (
        Index("ix_dossiers_unit_received", "unit_id", "received_at"),
        Index("ix_dossiers_received", "received_at"),
        # Covering for "in process at the end of a period" (queries/kpis.py): the dossiers finished
        # after a past period's end are counted from the index alone (docs/performance.md).
        Index(
            "ix_dossiers_unit_finished",
            "unit_id",
            "finished_at",
            "sector_id",
            "received_at",
            "due_at",
            "status",
        ),
        Index("ix_dossiers_finished", "finished_at"),
        Index("ix_dossiers_sector_received", "sector_id", "received_at"),
        Index("ix_dossiers_procedure", "procedure_id"),
        # The rollups' periodic refresh reads what changed since its watermark (queries/rollups.py).
        Index("ix_dossiers_updated", "updated_at"),
        # The backlog is a few percent of all dossiers: a partial index keeps every open-dossier
        # query (at-risk lists, workload, alert sweep) off the full table.
        Index(
            "ix_dossiers_open_unit_due",
            "unit_id",
            "due_at",
            "sector_id",
            "handler_id",
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
        Index(
            "ix_dossiers_open_handler_due",
            "handler_id",
            "due_at",
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )


class Applicant(Base):
    """The applicant of a dossier: personal data, kept apart from the dossier row.

    Optional (a vendor's export may leave it out). Only the official holding the dossier and the
    chairperson of its unit see it unmasked (queries/personal.py); alert messages never carry it.
    A table of its own keeps the million-row dossier scans narrow and the personal data in one
    place to protect, back up separately or purge.
    """

    __tablename__ = "dossier_applicants"
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(20))  # CCCD (12 digits) or older ID
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)


class StatusChange(Base):
    """Every state change with its time, so the clock can be recomputed from what happened."""

    __tablename__ = "dossier_status_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(24))
    changed_at: Mapped[datetime] = mapped_column(LocalDateTime)
    __table_args__ = (UniqueConstraint("dossier_id", "changed_at", "status", name="uq_status_history_event"),)


class DossierStep(Base):
    __tablename__ = "dossier_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    started_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    due_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    __table_args__ = (
        UniqueConstraint("dossier_id", "step", name="uq_dossier_steps_dossier_step"),
        Index(
            "ix_dossier_steps_open_handler_due",
            "handler_id",
            "due_at",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )


class Pause(Base):
    """A supplement request or a suspension: the clock stops from started_at to ended_at."""

    __tablename__ = "dossier_pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(LocalDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("dossier_id", "kind", "started_at", name="uq_pause_event"),)


class ApologyLetter(Base):
    """Mẫu 04: apology and new appointment; the law allows re-scheduling only once."""

    __tablename__ = "apology_letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(LocalDateTime)
    new_due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str | None] = mapped_column(String(16))
    rated_at: Mapped[datetime] = mapped_column(LocalDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("dossier_id", "rated_at", name="uq_ratings_dossier_at"),
        Index("ix_ratings_rated_at", "rated_at"),
    )


# --- Tables the alerting process owns (the dossier tables above belong to the one-stop system) ---


class AlertRow(Base):
    """One alert for one recipient: a row before it is a message, so nothing is sent twice.

    The unique key (subject, rule, recipient, deadline) makes enqueueing idempotent across
    restarts, retried jobs and a second scheduler; delivery claims a row with a conditional
    update. Title and body are stored when the message is sent: the audit record of what
    was told.
    """

    __tablename__ = "alert_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))  # dossier code, unit code, official code or "digest"
    rule: Mapped[str] = mapped_column(String(24))
    recipient_key: Mapped[str] = mapped_column(String(48))  # "official:<code>" or "admins"
    deadline: Mapped[datetime] = mapped_column(LocalDateTime)  # the due judged against; a digest's day
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    level: Mapped[int] = mapped_column(SmallInteger)  # 0 handler, 1 chairperson, 2 supervisor, 3 admins
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("alert_outbox.id"))
    reason: Mapped[str | None] = mapped_column(String(24))  # why it climbed: unacknowledged, channel_broken
    state: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(LocalDateTime)
    not_before: Mapped[datetime] = mapped_column(LocalDateTime)  # quiet hours
    next_attempt_at: Mapped[datetime] = mapped_column(LocalDateTime)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    channels: Mapped[str | None] = mapped_column(String(200))  # services that accepted it
    language: Mapped[str] = mapped_column(String(2), default="vi")
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    snoozed_until: Mapped[datetime | None] = mapped_column(LocalDateTime)
    climbed_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    __table_args__ = (
        UniqueConstraint("subject", "rule", "recipient_key", "deadline", name="uq_alert_outbox_key"),
        Index("ix_alert_outbox_state_next", "state", "next_attempt_at"),
        Index("ix_alert_outbox_dossier", "dossier_id"),
        Index("ix_alert_outbox_recipient_created", "recipient_id", "created_at"),
        Index("ix_alert_outbox_unit_created", "unit_id", "created_at"),
        Index("ix_alert_outbox_created", "created_at"),  # the province-wide alert log, newest first
    )


class AlertAttempt(Base):
    """Every delivery attempt to every channel, with Apprise's per-URL result."""

    __tablename__ = "alert_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert_outbox.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(SmallInteger)
    started_at: Mapped[datetime] = mapped_column(LocalDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    service: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)  # Apprise's privacy form: no secrets
    ok: Mapped[bool | None] = mapped_column(Boolean)
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)


class BrokenChannel(Base):
    """A notification URL that failed permanently; its owner's alerts climb the chain."""

    __tablename__ = "alert_broken_channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the URL: the URL itself is secret
    url: Mapped[str] = mapped_column(Text)  # privacy form
    broken_at: Mapped[datetime] = mapped_column(LocalDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("official_id", "fingerprint", name="uq_alert_broken_channels_url"),)


class AlertTick(Base):
    """One pass of the scheduler: its heartbeat, and what it did."""

    __tablename__ = "alert_ticks"
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[datetime] = mapped_column(LocalDateTime)
    started_at: Mapped[datetime] = mapped_column(LocalDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    worker: Mapped[str] = mapped_column(String(64))
    evaluated: Mapped[int] = mapped_column(Integer, default=0)
    enqueued: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_alert_ticks_finished", "finished_at"),)


# --- Derived tables: per-day rollups of the period figures (queries/rollups.py keeps them) ---------
#
# A cache, never a source: `python -m queries rollups rebuild` recomputes every row from the dossier
# tables, so these tables can be emptied at any time (the dashboard then reads the raw tables).
# Both rollup tables carry the same counts, named after the Kpis fields they sum into.


class _RollupCounts:
    """The additive period counts (queries/kpis.py defines each), shared by both rollup tables.

    Received that day (received_at; accepted: not submitted or refused): received, online,
    digitized_components, fee_bearing (the procedure's fee > 0), paid_online (fee-bearing and
    paid online). Resolved that day (finished_at, with a verdict): resolved, resolved_early /
    _on_time / _late, with_result, digitized_results. Ratings given that day (rated_at), under
    their dossier: ratings, satisfied (4-5), dissatisfied (1-2), rating_sum, and the count and
    sum of the ratings of dossiers finished early or on time (timely) and late.
    """

    received: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[int] = mapped_column(Integer, default=0)
    digitized_components: Mapped[int] = mapped_column(Integer, default=0)
    fee_bearing: Mapped[int] = mapped_column(Integer, default=0)
    paid_online: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolved_early: Mapped[int] = mapped_column(Integer, default=0)
    resolved_on_time: Mapped[int] = mapped_column(Integer, default=0)
    resolved_late: Mapped[int] = mapped_column(Integer, default=0)
    with_result: Mapped[int] = mapped_column(Integer, default=0)
    digitized_results: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    dissatisfied: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    ratings_timely: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum_timely: Mapped[int] = mapped_column(Integer, default=0)
    ratings_late: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum_late: Mapped[int] = mapped_column(Integer, default=0)


class DailyRollup(_RollupCounts, Base):
    """The counts of one day, unit, sector, procedure and channel: every filter is a key column.

    A row exists only where something happened that day. Each period the filters allow (whole
    days) sums exactly to what the raw queries count (tests/test_rollups.py). At this grain a
    province has nearly as many rows as dossiers (most days a unit sees a procedure through a
    channel once or twice), so views without a sector, procedure or channel filter read
    DailyUnitRollup instead; this table serves the filtered ones.

    A dossier without a sector or procedure is stored under 0 (no real id is 0), since a primary
    key column cannot be NULL; a filter by sector or procedure never matches 0, as NULL never does.
    """

    __tablename__ = "daily_rollups"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sector_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: none
    procedure_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: none
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    __table_args__ = (
        # The primary key serves a day range over the province; these a unit's or a sector's,
        # and the refresh's (unit, day) slices.
        Index("ix_daily_rollups_unit_day", "unit_id", "day"),
        Index("ix_daily_rollups_sector_day", "sector_id", "day"),
        # On SQLite the rows are stored in key order (no rowid): a day range is one contiguous read.
        {"sqlite_with_rowid": False},
    )


class DailyUnitRollup(_RollupCounts, Base):
    """DailyRollup summed over sectors, procedures and channels: one row per unit and day.

    What the unfiltered views read (the province page, a commune's page): a year of the
    province is ~25,000 rows. Derived from DailyRollup slice by slice, never from the dossiers.
    """

    __tablename__ = "daily_unit_rollups"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    __table_args__ = (
        Index("ix_daily_unit_rollups_unit_day", "unit_id", "day"),
        {"sqlite_with_rowid": False},
    )


class RollupState(Base):
    """One row per rollup: whether it was ever built, and how far the periodic refresh has read.

    The dashboard reads the rollup tables only when their row here says they were built (a
    partially filled rollup would undercount). The watermark: `dossiers_through` is the largest
    dossiers.updated_at and `ratings_through` the largest ratings.id that the last rebuild or
    `refresh_changed` took into account, and `refreshed_at` when it read them; the next
    `refresh_changed` starts there (less a margin for writers that committed late). Refreshes
    of given dossiers (the importer's) leave the watermark alone.
    """

    __tablename__ = "rollup_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    rebuilt_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    dossiers_through: Mapped[datetime | None] = mapped_column(LocalDateTime)
    ratings_through: Mapped[int] = mapped_column(Integer, default=0)


# --- Accounts and the audit trail (issue 5; docs/access.md) -------------------------------------


class User(Base):
    """A person who signs in to the dashboard; the role and links decide their scope.

    A chairperson or official is linked to their unit (and official record); a supervisor may
    be limited to some sectors (comma-separated codes). `password_hash` is empty for accounts
    that only sign in through the province's identity provider (trusted-header mode).
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # admin | supervisor | chair | vice_chair | official
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    sectors: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # made by the demo province
    failed_logins: Mapped[int] = mapped_column(SmallInteger, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(LocalDateTime)
    created_at: Mapped[datetime] = mapped_column(LocalDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(LocalDateTime)


class AuditEntry(Base):
    """One event of the audit trail: who, when, what, from where.

    Append-only: the application only inserts (queries/audit.py), and triggers in the database
    refuse UPDATE and DELETE (migration 0006), so a bug or a stolen session cannot rewrite it.
    """

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(LocalDateTime)
    actor: Mapped[str] = mapped_column(String(80))  # username, "official:<code>" (a link), "system"
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)  # JSON; never a password or a whole URL
    address: Mapped[str | None] = mapped_column(String(64))  # the client's IP address
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
    )
