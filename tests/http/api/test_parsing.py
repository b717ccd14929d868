"""The request-parsing layer: whatever comes in, a typed value or an error naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.core.api_tokens import parse_lifetime
from homing.errors import InputError
from homing.http.api.errors import ApiError
from homing.http.api.operations import bearer
from homing.http.api.parsing import Fields

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.integers(min_value=1, max_value=999_999), st.sampled_from("smhdw"))
def test_lifetimes_round_trip(number: int, unit: str) -> None:
    seconds = number * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    if seconds > 3650 * 86400:
        with pytest.raises(InputError):
            parse_lifetime(f"{number}{unit}")
    else:
        assert parse_lifetime(f" {number}{unit.upper()} ") == timedelta(seconds=seconds)


@given(st.text(max_size=30))
def test_lifetime_parser_never_fails_otherwise(text: str) -> None:
    try:
        assert parse_lifetime(text) > timedelta(0)
    except InputError as exc:
        assert exc.field == "expires_in"


@given(JSON)
def test_body_fields_give_a_value_or_a_named_error(value: object) -> None:
    fields = Fields({"x": value}, where="body")
    for getter in (
        lambda: fields.text("x"),
        lambda: fields.integer("x", low=1, high=10),
        lambda: fields.boolean("x"),
        lambda: fields.texts("x"),
        lambda: fields.timestamp("x"),
    ):
        try:
            getter()
        except ApiError as exc:
            assert exc.field == "x" and exc.status == 422


@given(st.text(max_size=60))
def test_query_fields_give_a_value_or_a_named_error(text: str) -> None:
    fields = Fields({"limit": text, "since": text}, where="query")
    for getter in (
        lambda: fields.integer("limit", low=1, high=200),
        lambda: fields.timestamp("since"),
        lambda: fields.texts("limit"),
    ):
        try:
            getter()
        except ApiError as exc:
            assert exc.field in {"limit", "since"} and exc.status == 422


def test_timestamps_are_utc() -> None:
    fields = Fields({"a": "2026-11-30T12:00:00+02:00", "b": "2026-11-30"}, where="query")
    assert fields.timestamp("a") == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert fields.timestamp("b") == datetime(2026, 11, 30, tzinfo=UTC)


def test_unasked_fields_are_refused() -> None:
    fields = Fields({"name": "x", "nmae": "y"}, where="body")
    fields.text("name")
    with pytest.raises(ApiError) as caught:
        fields.finish()
    assert (caught.value.code, caught.value.field) == ("unknown_field", "nmae")


@given(st.text(max_size=40))
def test_bearer_header(value: str) -> None:
    token = bearer(f"Bearer {value}")
    assert token == (value.strip() or None)
    assert bearer(f"Basic {value}") is None
