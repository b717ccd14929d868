"""JSON log lines: one object per record with the standard fields and the caller's extras."""

from __future__ import annotations

import json
import logging
import sys

from homing.logs import JsonFormatter


def _record(**extra: object) -> logging.LogRecord:
    logger = logging.getLogger("homing.test")
    return logger.makeRecord(
        "homing.test",
        logging.WARNING,
        __file__,
        1,
        "update of %s: %s",
        ("a.example", "good"),
        None,
        extra=extra,
    )


def test_a_record_is_one_json_line_with_extras() -> None:
    line = JsonFormatter().format(_record(host="a.example", took_ms=3.5, tags=("x", 1)))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "homing.test"
    assert entry["message"] == "update of a.example: good"
    assert entry["time"].endswith("+00:00")
    assert entry["host"] == "a.example"
    assert entry["took_ms"] == 3.5
    assert entry["tags"] == ["x", 1]
    assert "args" not in entry and "msg" not in entry


def test_an_exception_is_kept_as_its_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record()
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"]
