"""The alerting configuration file: the shipped defaults load, and a bad value names its key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from alerts import config
from alerts.config import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_gives_the_documented_defaults() -> None:
    loaded = config.load(config.DEFAULT_FILE)
    assert loaded == config.AlertConfig()
    assert loaded.delivery.max_attempts == 9
    assert loaded.schedule.daily_digest_at == time(7, 45)


def test_a_procedure_override_inherits_the_keys_it_does_not_set(tmp_path: Path) -> None:
    loaded = config.load(
        write(tmp_path, '[due_soon]\nshare_used = 0.8\n[due_soon.procedures."1.004227"]\ndays_left = 3\n')
    )
    assert loaded.due_soon_for("1.004227") == config.DueSoon(days_left=3.0, share_used=0.8)
    assert loaded.due_soon_for("2.000001") == config.DueSoon(days_left=1.0, share_used=0.8)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[overdue]\napology_after_day = 1\n", "overdue.apology_after_day"),
        ("[overdue]\nimmediate = 'yes'\n", "overdue.immediate"),
        ("[due_soon]\nshare_used = 1.5\n", "due_soon.share_used"),
        ("[delivery]\nbackoff_minutes = [1, 'x']\n", "delivery.backoff_minutes[1]"),
        ("[schedule]\ndaily_digest_at = '25:00'\n", "schedule.daily_digest_at"),
        ("[links]\nbase_url = 'ftp://x'\n", "links.base_url"),
        ("[alerts]\n", "[alerts]"),
        ("[due_soon.procedures.'1.0']\nshare_used = 0\n", "due_soon.procedures.1.0.share_used"),
        ("[delivery\n", "not valid TOML"),
    ],
)
def test_a_bad_value_stops_with_a_message_naming_the_key(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(ConfigError, match=names.replace("[", r"\[").replace(".", r"\.")):
        config.load(write(tmp_path, text))


def test_admin_urls_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERTS_ADMIN_URLS", "json://127.0.0.1:9/a  mailto://127.0.0.1:9?to=x@y.z")
    assert config.load().admins.urls == ("json://127.0.0.1:9/a", "mailto://127.0.0.1:9?to=x@y.z")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "urls", ["json://alerts:s3cret-T0ken@hooks.example/x", ["mailto://a:s3cret-T0ken@b", ""]]
)
def test_a_bad_administrators_url_is_named_by_its_key_never_quoted(urls: object) -> None:
    with pytest.raises(ConfigError) as error:
        config.parse({"admins": {"urls": urls}})
    assert str(error.value).startswith("admins.urls") and "s3cret-T0ken" not in str(error.value)
