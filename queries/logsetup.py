"""Logging for both processes: one line per event, key=value fields, or JSON with LOG_FORMAT=json.

Why one module: the web (gunicorn.conf.py's `logconfig_dict`, `python -m dashboard`) and the
alert scheduler (`python -m alerts`) must write the same shape, so one grep or one log shipper
reads both, and an operator following an alert from the scheduler's log to the acknowledgement
link on the web side searches one field (`alert_id=123`). It lives in queries/ because that is
the package both processes import and it needs neither Dash nor Apprise.

Every line starts with `ts` (Vietnam time with its offset: the machines run in UTC, the people
reading in Vietnam), `level`, `logger` and `msg`; whatever a call passes in `extra=` follows as
fields of their own (`alert_id`, `dossier`, `rule`, `channel`, `attempt`, `error`, ...). A
traceback stays inside its line (`exc=...`, escaped), so a line is always exactly one event and a
multi-line stack never interleaves with another worker's output. gunicorn's access log becomes
`msg=request` with method, path, status, bytes, seconds and the client's address.

LOG_FORMAT: `kv` (the default) or `json`. LOG_LEVEL: a level name, default INFO. A bad value
stops the process with a message naming the variable, like every other setting.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from queries.settings import SettingsError, env_str
from queries.timeutil import VN

FORMATS = ("kv", "json")
# What every LogRecord has; anything else on a record came from `extra=` and becomes a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_BARE = re.compile(r"^[^\s\"=\\\x00-\x1f\x7f]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # terminal colours and the like, never raw in a line
# gunicorn's access-log atoms (glogging.Logger.atoms) that make the request's fields.
_ACCESS_FIELDS = {"m": "method", "U": "path", "q": "query", "s": "status", "B": "bytes", "L": "seconds"}


def log_format() -> str:
    value = env_str("LOG_FORMAT", "kv").lower()
    if value not in FORMATS:
        raise SettingsError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {value!r}")
    return value


def log_level() -> str:
    value = env_str("LOG_LEVEL", "INFO").upper()
    if not isinstance(logging.getLevelName(value), int):
        raise SettingsError(f"LOG_LEVEL must be a level name such as INFO or DEBUG, not {value!r}")
    return value


class LineFormatter(logging.Formatter):
    """A record as one line: `key=value` pairs (values with spaces quoted) or one JSON object."""

    def __init__(self, json_lines: bool = False) -> None:
        super().__init__()
        self.json_lines = json_lines

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, VN).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            fields["msg"] = "request"
            for atom, name in _ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "", "-"):
                    fields[name] = value
            fields["remote"] = record.args.get("h")
        else:
            fields["msg"] = record.getMessage()
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in fields:
                fields[key] = value
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return fields

    def format(self, record: logging.LogRecord) -> str:
        fields = self.fields(record)
        if self.json_lines:
            return json.dumps(fields, ensure_ascii=False, default=str)
        return " ".join(f"{key}={_value(value)}" for key, value in fields.items())


def _value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", escaped) + '"'


def dict_config(stream: str = "ext://sys.stderr") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the root logger and gunicorn's two loggers.

    gunicorn merges this over its own defaults (handler names `console` and `error_console` are
    its own; configuring its loggers here replaces the handlers it set up with the plain format).
    The access log goes to stdout, everything else to `stream`, as gunicorn does by default.
    """
    formatter = {"()": f"{__name__}.LineFormatter", "json_lines": log_format() == "json"}
    level = log_level()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "line", "stream": stream},
        },
        "root": {"level": level, "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
            # Alembic says at INFO which plugins it loaded, each time /readyz reads the heads.
            "alembic": {"level": "WARNING"},
        },
    }


def configure() -> None:
    """Set up the process's logging (the scheduler, `python -m dashboard`); raises SettingsError."""
    logging.config.dictConfig(dict_config())
