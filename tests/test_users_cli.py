"""`python -m dashboard users ...` on both databases: accounts made, disabled, enabled, reset and
listed from the shell, each change in the audit trail with it, every refusal one line and exit 2.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from werkzeug.security import check_password_hash

from dashboard import users_cli
from queries import audit, users
from queries.models import User
from queries.settings import REPO_ROOT
from queries.timeutil import vn_now

PASSWORD = "mot-mat-khau-du-dai"


@pytest.fixture
def run(engine: Engine, two_communes, monkeypatch: pytest.MonkeyPatch, capsys) -> Iterator:  # type: ignore[no-untyped-def]
    """`run(*args, stdin=..., typed=[...])`: the command on the test's database; returns (exit code,
    stdout, stderr). `typed` are the answers to the password prompts, in order."""
    monkeypatch.setattr(users_cli.getpass, "getuser", lambda: "nguyenan")
    url = engine.url.render_as_string(hide_password=False)

    def run(*args: str, stdin: str = "", typed: tuple[str, ...] = ()) -> tuple[int, str, str]:
        answers = iter(typed)
        monkeypatch.setattr(users_cli.getpass, "getpass", lambda prompt="": next(answers))
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = users_cli.main(["--database-url", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    yield run


def trail(engine: Engine) -> list[tuple[str, str, str | None, dict]]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [(e.actor, e.action, e.target, e.detail) for e in reversed(audit.entries(conn))]


def account(engine: Engine, username: str) -> users.Account:
    with engine.connect() as conn:
        found = users.find(conn, username)
    assert found is not None
    return found


def test_add_asks_the_password_twice_and_records_who_did_it(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run(
        "add", "--username", "ChuTich.A", "--name", "Lê Văn Chủ", "--role", "chair", "--unit", "10001",
        typed=(PASSWORD, PASSWORD),
    )  # fmt: skip
    assert code == 0, err
    assert "account 'chutich.a' added (chair, unit 10001)" in err
    made = account(engine, "chutich.a")
    assert (made.display_name, made.role, made.unit_code, made.active) == (
        "Lê Văn Chủ",
        "chair",
        "10001",
        True,
    )
    with engine.connect() as conn:
        stored = conn.execute(User.__table__.select().where(User.username == "chutich.a")).one()
    assert stored.password_hash.startswith("scrypt:") and check_password_hash(stored.password_hash, PASSWORD)
    assert PASSWORD not in str(trail(engine))
    assert trail(engine) == [
        ("cli:nguyenan", "user_added", "chutich.a", {"role": "chair", "unit": "10001", "password": True})
    ]


def test_a_password_comes_from_stdin_never_from_the_arguments(run, engine: Engine, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ("add", "--username", "canbo.a1", "--name", "Nguyễn Văn An", "--role", "official")
    code, _out, err = run(*args, "--official", "CB-A1", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, err
    assert account(engine, "canbo.a1").unit_code == "10001", "an official's unit is the official's"
    with engine.connect() as conn:
        assert users.verifies(conn, "canbo.a1", PASSWORD)
    with pytest.raises(SystemExit) as exit_:
        run("add", "--username", "x1", "--name", "X", "--role", "admin", "--password", PASSWORD)
    assert exit_.value.code == 2
    assert "unrecognized arguments: --password" in capsys.readouterr().err
    code, _out, err = run("add", "--username", "x2", "--name", "X", "--role", "admin", "--password-stdin")
    assert (code, err.strip()) == (
        2,
        "python -m dashboard users: --password-stdin: standard input held no password",
    )


def test_a_supervisor_may_be_limited_to_sectors_and_an_sso_account_has_no_password(
    run, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run(
        "add", "--username", "gs.dd", "--name", "Giám sát Đất đai", "--role", "supervisor",
        "--sector", "DD", "--sector", "HT", "--no-password",
    )  # fmt: skip
    assert code == 0, err
    made = account(engine, "gs.dd")
    assert made.sectors == ("DD", "HT") and not made.has_password
    assert trail(engine)[-1][3] == {"role": "supervisor", "sectors": ["DD", "HT"], "password": False}


@pytest.mark.parametrize(
    ("args", "typed", "message"),
    [
        (("--role", "chair"), (PASSWORD, PASSWORD), "a chair account needs --unit"),
        (("--role", "chair", "--unit", "99999"), (PASSWORD, PASSWORD), "unit '99999' is not in the database"),
        (("--role", "official", "--unit", "10001"), (PASSWORD, PASSWORD), "needs --official"),
        (
            ("--role", "official", "--official", "CB-A1", "--unit", "10002"),
            (PASSWORD, PASSWORD),
            "does not belong",
        ),
        (("--role", "admin", "--unit", "10001"), (PASSWORD, PASSWORD), "give no unit"),
        (("--role", "chair", "--unit", "10001", "--sector", "HT"), (PASSWORD, PASSWORD), "only a supervisor"),
        (
            ("--role", "supervisor", "--sector", "XX"),
            (PASSWORD, PASSWORD),
            "sector 'XX' is not in the database",
        ),
        (("--role", "admin"), (PASSWORD, PASSWORD + "!"), "the two passwords differ"),
        (("--role", "admin"), ("short", "short"), "at least 10 characters"),
    ],
)
def test_a_refused_add_says_why_in_one_line_and_changes_nothing(  # type: ignore[no-untyped-def]
    run, engine: Engine, args: tuple[str, ...], typed: tuple[str, str], message: str
) -> None:
    code, out, err = run("add", "--username", "moi", "--name", "Người mới", *args, typed=typed)
    assert code == 2 and out == ""
    assert err.startswith("python -m dashboard users: ") and message in err and len(err.splitlines()) == 1
    with engine.connect() as conn:
        assert users.find(conn, "moi") is None
    assert trail(engine) == []


def test_a_taken_username_is_refused(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    assert run("add", "--username", "an", "--name", "An", "--role", "admin", "--no-password")[0] == 0
    code, _out, err = run("add", "--username", "AN", "--name", "An 2", "--role", "admin", "--no-password")
    assert code == 2 and "username 'an' is taken" in err
    assert len(trail(engine)) == 1


def test_disable_enable_and_reset_are_recorded_and_unlock(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    assert (
        run("add", "--username", "an", "--name", "An", "--role", "admin", typed=(PASSWORD, PASSWORD))[0] == 0
    )
    assert run("disable", "an") == (0, "", "account 'an' disabled; its open sessions are ended\n")
    assert not account(engine, "an").active
    assert run("disable", "an")[2] == "account 'an' is already disabled\n"
    assert run("enable", "an")[0] == 0 and account(engine, "an").active
    assert run("enable", "an")[2] == "account 'an' is already enabled\n"
    with engine.begin() as conn:  # five wrong passwords locked it
        conn.execute(update(User).values(locked_until=vn_now() + timedelta(minutes=10)))
    assert run("enable", "an")[2] == "account 'an' enabled and unlocked\n"
    assert account(engine, "an").locked_until is None
    new = "mot-mat-khau-moi-hon"
    code, _out, err = run("reset", "an", typed=(new, new))
    assert code == 0 and "password of 'an' reset" in err
    with engine.connect() as conn:
        assert users.verifies(conn, "an", new) and not users.verifies(conn, "an", PASSWORD)
    assert [(actor, action, target) for actor, action, target, _ in trail(engine)] == [
        ("cli:nguyenan", "user_added", "an"),
        ("cli:nguyenan", "user_disabled", "an"),
        ("cli:nguyenan", "user_enabled", "an"),
        ("cli:nguyenan", "user_enabled", "an"),
        ("cli:nguyenan", "password_reset", "an"),
    ]
    assert trail(engine)[3][3] == {"was_active": True, "unlocked": True}


def test_an_unknown_account_is_refused_before_any_password_is_asked(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    for action in ("disable", "enable", "reset"):
        code, _out, err = run(action, "nobody")  # no typed answers: a prompt would raise
        assert code == 2 and "no account 'nobody'" in err, action
    assert trail(engine) == []


def test_the_change_and_its_audit_entry_are_one_transaction(  # type: ignore[no-untyped-def]
    run, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("add", "--username", "an", "--name", "An", "--role", "admin", "--no-password")[0] == 0

    def refused(*_args: object, **_kwargs: object) -> None:
        raise ValueError("the audit trail refused the write")

    monkeypatch.setattr(users_cli.audit, "record", refused)
    with pytest.raises(ValueError, match="refused the write"):
        run("disable", "an")
    assert account(engine, "an").active, "not disabled without its audit entry"


def test_list_shows_every_account_without_any_hash(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    run("add", "--username", "an", "--name", "Nguyễn An", "--role", "admin", typed=(PASSWORD, PASSWORD))
    run(
        "add",
        "--username",
        "gs.dd",
        "--name",
        "Giám sát",
        "--role",
        "supervisor",
        "--sector",
        "DD",
        "--no-password",
    )
    run("disable", "gs.dd")
    code, out, err = run("list")
    assert code == 0 and err == "2 accounts\n"
    lines = out.splitlines()
    assert lines[0].split() == [
        "username",
        "name",
        "role",
        "unit",
        "official",
        "sectors",
        "active",
        "locked",
        "last",
        "login",
    ]
    assert lines[1].split() == ["an", "Nguyễn", "An", "admin", "yes", "never"]
    assert lines[2].split() == ["gs.dd", "Giám", "sát", "supervisor", "DD", "no", "never"]
    assert "scrypt" not in out and "$" not in out


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_module_command_runs_as_an_operator_types_it(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    url = engine.url.render_as_string(hide_password=False)

    def command(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dashboard", "users", "--database-url", url, *args],
            cwd=REPO_ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    added = command(
        "add", "--username", "an", "--name", "An", "--role", "admin", "--password-stdin", stdin=PASSWORD
    )
    assert added.returncode == 0, added.stderr
    listed = command("list")
    assert listed.returncode == 0 and listed.stdout.splitlines()[1].split()[:3] == ["an", "An", "admin"]
    refused = command("disable", "nobody")
    assert (refused.returncode, refused.stderr) == (
        2,
        "python -m dashboard users: no account 'nobody' (python -m dashboard users list)\n",
    )
    with engine.connect() as conn:
        assert [e.actor for e in audit.entries(conn)] == [f"cli:{users_cli._os_user()}"]  # noqa: SLF001
