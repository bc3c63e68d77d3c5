"""Bring any database to the schema head with Alembic (`python -m queries init`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from queries.settings import REPO_ROOT


def alembic_config(engine: Engine) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def database_heads(conn: Connection) -> set[str]:
    """The revisions the database says it is at (alembic_version); empty when never migrated."""
    return set(MigrationContext.configure(conn).get_current_heads())


def code_heads() -> set[str]:
    """The revisions this code expects: the heads of migrations/, read from the files, no database."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def is_empty(engine: Engine) -> bool:
    """True when the database has no dossier tables or no units yet (a demo may fill it)."""
    if not inspect(engine).has_table("units"):
        return True
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM units LIMIT 1").first() is None
