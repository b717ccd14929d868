"""Every list pages like /history: ``limit`` and ``cursor`` in, ``items`` and ``next_cursor``
out, in a stable order, each item once (issue 15). Hosts at scale: tests/http/test_many_hosts.py."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homing.http.api.errors import ApiError
from homing.http.api.paging import encode_cursor, name_cursor
from homing.http.api.parsing import Fields

from .conftest import Api


async def walk(api: Api, path: str, headers: dict[str, str], key: str) -> list[object]:
    seen: list[object] = []
    cursor = None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        answer = await api.client.get(path, params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["items"]) <= 1
        seen += [item[key] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


async def test_users_zones_and_tokens_page_one_at_a_time(api: Api) -> None:
    await api.core.admin.add_zone("b.example")
    await api.core.admin.add_zone("a.example")
    assert await walk(api, "/api/v1/zones", api.alice, "name") == [
        "a.example",
        "b.example",
        "dyn.example",
    ]
    assert await walk(api, "/api/v1/users", api.root, "name") == ["alice", "bob", "root"]
    await api.token("alice")
    tokens = await walk(api, "/api/v1/me/tokens", api.alice, "id")
    assert len(tokens) == 2 and tokens == sorted(tokens)
    home = "/api/v1/hosts/home.dyn.example/tokens"
    for label in ("router", "phone"):
        await api.client.post(home, headers=api.alice, json={"label": label})
    assert await walk(api, home, api.alice, "label") == ["initial", "router", "phone"]


async def test_a_host_scoped_token_pages_only_its_hosts(api: Api) -> None:
    await api.core.admin.add_host("cam.dyn.example", owner="alice")
    await api.core.admin.add_host("nas.dyn.example", owner="alice")
    scoped = await api.token("alice", hosts=("nas.dyn.example.", "home.dyn.example."))
    assert await walk(api, "/api/v1/hosts", scoped, "name") == [
        "home.dyn.example",
        "nas.dyn.example",
    ]
    others = await api.client.get("/api/v1/hosts", params={"owner": "bob"}, headers=api.alice)
    assert others.json() == {"items": [], "next_cursor": None}


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_a_cursor_is_its_key_or_a_clear_error(text: str) -> None:
    try:
        key = name_cursor(Fields({"cursor": text}, where="query"))
    except ApiError as exc:
        assert (exc.code, exc.field) == ("invalid_value", "cursor")
    else:
        assert key and "\x00" not in key


@given(st.text(min_size=1, max_size=80).filter(lambda s: "\x00" not in s))
@settings(max_examples=100, deadline=None)
def test_every_key_survives_its_cursor(key: str) -> None:
    assert name_cursor(Fields({"cursor": encode_cursor(key)}, where="query")) == key
