"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from queries import migrate
from queries.db import make_engine
from queries.models import Base


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        assert compare_metadata(context, Base.metadata) == []


def test_it_has_the_partial_index_on_open_dossiers(engine: Engine) -> None:
    names = {index["name"] for index in inspect(engine).get_indexes("dossiers")}
    assert {"ix_dossiers_open_unit_due", "ix_dossiers_open_handler_due", "ix_dossiers_unit_received"} <= names


def test_init_upgrades_an_empty_sqlite_file_and_can_downgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    assert migrate.is_empty(engine)
    migrate.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    migrate.downgrade(engine)
    assert "dossiers" not in inspect(engine).get_table_names()


def test_the_cli_init_creates_the_database_named_in_the_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from queries.__main__ import main

    path = tmp_path / "sub" / "cli.sqlite"
    assert main(["--database-url", f"sqlite:///{path}", "init"]) == 0
    assert "dossiers" in inspect(make_engine(f"sqlite:///{path}")).get_table_names()
