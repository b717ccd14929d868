"""Reading providers' JSON: no body, however odd, crashes a provider or reads as success."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.client.providers.cloudflare import api_errors
from homing.client.providers.desec import desec_error
from homing.client.providers.digitalocean import digitalocean_error
from homing.client.providers.dynv6 import dynv6_error
from homing.client.providers.gandi import gandi_error
from homing.client.providers.godaddy import godaddy_error, godaddy_wait
from homing.client.providers.hetzner import hetzner_error
from homing.client.providers.ionos import ionos_error
from homing.client.providers.jsonapi import Answered, body_list, record_list, text_field
from homing.client.providers.linode import linode_error
from homing.client.providers.netcup import netcup_answer
from homing.client.providers.porkbun import porkbun_error

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "status",
                    "message",
                    "code",
                    "errors",
                    "error",
                    "id",
                    "cause",
                    "detail",
                    "success",
                    "reason",
                    "records",
                    "retryAfterSec",
                    "responsedata",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)
ERROR_READERS: list[Callable[[Any], str | None]] = [
    api_errors,
    desec_error,
    digitalocean_error,
    dynv6_error,
    gandi_error,
    godaddy_error,
    hetzner_error,
    ionos_error,
    linode_error,
    porkbun_error,
]


@pytest.mark.parametrize("reader", ERROR_READERS, ids=lambda r: r.__name__)
@given(body=JSON)
def test_error_readers_are_total(reader: Callable[[Any], str | None], body: Any) -> None:
    words = reader(body)
    assert words is None or isinstance(words, str)


@given(body=JSON)
def test_list_readers_give_lists_of_objects_or_a_final_answer(body: Any) -> None:
    for read in (lambda: record_list(body, "x"), lambda: body_list(body, "records")):
        try:
            found = read()
        except Answered as answered:
            assert not answered.answer.kind.done
            continue
        assert all(isinstance(item, dict) for item in found)
        for item in found:
            try:
                assert isinstance(text_field(item, "id"), str)
            except Answered as answered:
                assert not answered.answer.kind.done


@given(body=JSON)
def test_netcup_answers_are_data_or_a_final_answer(body: Any) -> None:
    try:
        netcup_answer(body)
    except Answered as answered:
        assert not answered.answer.kind.done
    else:
        assert isinstance(body, dict) and body.get("status") == "success"


@given(body=JSON)
def test_godaddy_wait_is_a_number_or_none(body: Any) -> None:
    wait = godaddy_wait(body)
    assert wait is None or isinstance(wait, float)


def test_porkbun_success_needs_status_success() -> None:
    assert porkbun_error({"status": "SUCCESS", "records": []}) is None
    assert porkbun_error({"status": "ERROR", "message": "Invalid API key. (002)"}) == (
        "Invalid API key. (002)"
    )
    assert porkbun_error({"records": []}) == "answer without status SUCCESS"
