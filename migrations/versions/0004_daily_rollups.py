"""Per-day rollups of the period figures, and their state (queries/rollups.py keeps them).

Schema only: the rows are derived, so `python -m queries rollups rebuild` (or the first refresh,
which turns into a rebuild) fills them; until then the dashboard reads the raw tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:16:43.861278
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The counts both rollup tables carry (queries.models._RollupCounts), frozen here.
COUNTS = (
    "received",
    "online",
    "digitized_components",
    "fee_bearing",
    "paid_online",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "with_result",
    "digitized_results",
    "ratings",
    "satisfied",
    "dissatisfied",
    "rating_sum",
    "ratings_timely",
    "rating_sum_timely",
    "ratings_late",
    "rating_sum_late",
)
LOCAL_DATETIME = sa.DateTime().with_variant(sqlite.DATETIME(), "sqlite")


def _counts() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS]


def upgrade() -> None:
    op.create_table(
        "daily_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint(
            "day", "unit_id", "sector_id", "procedure_id", "channel", name=op.f("pk_daily_rollups")
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("daily_rollups", schema=None) as batch_op:
        batch_op.create_index("ix_daily_rollups_sector_day", ["sector_id", "day"], unique=False)
        batch_op.create_index("ix_daily_rollups_unit_day", ["unit_id", "day"], unique=False)

    op.create_table(
        "daily_unit_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("day", "unit_id", name=op.f("pk_daily_unit_rollups")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("daily_unit_rollups", schema=None) as batch_op:
        batch_op.create_index("ix_daily_unit_rollups_unit_day", ["unit_id", "day"], unique=False)

    op.create_table(
        "rollup_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("rebuilt_at", LOCAL_DATETIME, nullable=True),
        sa.Column("refreshed_at", LOCAL_DATETIME, nullable=True),
        sa.Column("dossiers_through", LOCAL_DATETIME, nullable=True),
        sa.Column("ratings_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_state")),
    )


def downgrade() -> None:
    op.drop_table("rollup_state")
    with op.batch_alter_table("daily_unit_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_unit_rollups_unit_day")
    op.drop_table("daily_unit_rollups")
    with op.batch_alter_table("daily_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_rollups_unit_day")
        batch_op.drop_index("ix_daily_rollups_sector_day")
    op.drop_table("daily_rollups")
