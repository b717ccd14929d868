"""Log output: plain text for people, or one JSON object per line for log collectors.

The JSON form (``log_format = "json"``) carries ``time`` (UTC, ISO 8601),
``level``, ``logger`` and ``message`` (the %-arguments already applied), then
every ``extra={...}`` field the call passed, and ``exception`` with the
traceback when there is one. Only the standard library: a formatter on the
root handler, so uvicorn's and dnspython's records come out the same way, and
every line has the secrets of its URLs redacted (``homing.redact``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from homing.redact import RedactingFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
"""Attributes every LogRecord has; anything else on a record came from ``extra``."""


def _plain(value: Any) -> Any:
    """``value`` if JSON can hold it as it is, else its text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, log_format: str = "text") -> None:
    """Send every logger's records to standard error in ``log_format`` (text or json)."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(RedactingFormatter(formatter))
    logging.basicConfig(level=level.upper(), handlers=[handler])
