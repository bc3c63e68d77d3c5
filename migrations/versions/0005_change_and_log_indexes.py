"""Index dossiers by update time (rollup refresh) and the alert log by creation time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dossiers_updated", "dossiers", ["updated_at"])
    op.create_index("ix_alert_outbox_created", "alert_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_outbox_created", table_name="alert_outbox")
    op.drop_index("ix_dossiers_updated", table_name="dossiers")
