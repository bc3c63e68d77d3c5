"""The SQLite engine's per-connection settings (queries/db.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from queries.db import make_engine
from queries.settings import SettingsError


def _pragma(path: Path, name: str) -> object:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()
    finally:
        engine.dispose()


def test_sqlite_reads_are_not_memory_mapped_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SQLITE_MMAP_MB", raising=False)
    assert _pragma(tmp_path / "a.sqlite", "mmap_size") == 0
    assert _pragma(tmp_path / "a.sqlite", "journal_mode") == "wal"
    assert _pragma(tmp_path / "a.sqlite", "foreign_keys") == 1


def test_sqlite_memory_map_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLITE_MMAP_MB", "16")
    assert _pragma(tmp_path / "b.sqlite", "mmap_size") == 16 * 1024 * 1024


@pytest.mark.parametrize("value", ["lots", "-1", "1e9"])
def test_a_malformed_memory_map_setting_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SQLITE_MMAP_MB", value)
    with pytest.raises(SettingsError, match="SQLITE_MMAP_MB"):
        make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
