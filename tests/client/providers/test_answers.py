"""Retry-After in both forms, and the rate-limit reset headers some APIs send instead."""

from __future__ import annotations

import httpx

from homing.client.providers.answers import (
    rate_limit_wait,
    reset_seconds,
    retry_after_seconds,
    shown,
)


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


def test_reset_seconds_takes_a_delta_or_a_unix_time() -> None:
    assert reset_seconds("42") == 42
    assert reset_seconds("1445412510", now=1_445_412_480.0) == 30
    assert reset_seconds("1445412000", now=1_445_412_480.0) == 0
    assert reset_seconds("-5") is None
    assert reset_seconds("soon") is None
    assert reset_seconds(None) is None


def test_rate_limit_wait_prefers_retry_after() -> None:
    both = httpx.Response(429, headers={"Retry-After": "5", "RateLimit-Reset": "50"})
    reset = httpx.Response(429, headers={"X-RateLimit-Reset": "50"})
    assert rate_limit_wait(both) == 5
    assert rate_limit_wait(reset) == 50
    assert rate_limit_wait(httpx.Response(429)) is None
