"""Alembic environment: uses the engine handed over by queries.migrate, else DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from queries.db import make_engine
from queries.models import Base

config = context.config
if config.config_file_name is not None and "engine" not in config.attributes:
    fileConfig(config.config_file_name)

engine = config.attributes.get("engine") or make_engine()
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
