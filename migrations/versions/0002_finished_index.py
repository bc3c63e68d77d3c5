"""Index dossiers by finish time for province-wide resolved counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dossiers_finished", "dossiers", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_dossiers_finished", table_name="dossiers")
