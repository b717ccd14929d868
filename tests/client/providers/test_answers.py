"""Retry-After in both forms."""

from __future__ import annotations

from homing.client.providers.answers import retry_after_seconds, shown


def test_retry_after() -> None:
    assert retry_after_seconds("120") == 120
    now = 1_445_412_480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=now) == 30
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_shown_is_one_short_line() -> None:
    assert shown("a\n b\r\n") == "a b"
    assert len(shown("x" * 500)) == 60
