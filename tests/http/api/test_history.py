"""``/history``: filters by host, time and result; pages by cursor."""

from __future__ import annotations

from .conftest import Api

HOME = "/api/v1/hosts/home.dyn.example"


async def _five_changes(api: Api) -> None:
    for last in range(1, 6):
        await api.client.put(
            f"{HOME}/records/A", headers=api.alice, json={"values": [f"192.0.2.{last}"]}
        )


async def test_pages_follow_the_cursor_newest_first(api: Api) -> None:
    await _five_changes(api)
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/api/v1/history", params=params, headers=api.alice)).json()
        seen += [row["new_value"] for row in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [f"A=192.0.2.{n}" for n in (5, 4, 3, 2, 1)]
    assert cursor is None


async def test_filters_by_host_result_and_time(api: Api) -> None:
    await _five_changes(api)
    await api.client.put(
        "/api/v1/hosts/bob.dyn.example/records/A", headers=api.bob, json={"values": ["192.0.2.9"]}
    )
    await api.client.get("/api/v1/me", headers={"Authorization": "Bearer hm_api_nope"})
    await api.core.writer.sync()
    everything = await api.client.get("/api/v1/history", headers=api.root)
    assert len(everything.json()["items"]) == 7
    refusals = await api.client.get("/api/v1/history?result=badauth", headers=api.root)
    assert [r["detail"] for r in refusals.json()["items"]] == ["bad API token"]
    bobs = await api.client.get("/api/v1/history?host=bob.dyn.example", headers=api.root)
    assert [r["host"] for r in bobs.json()["items"]] == ["bob.dyn.example"]
    first = everything.json()["items"][-1]["at"]
    later = await api.client.get(
        "/api/v1/history",
        params={"since": first, "until": "2999-01-01T00:00:00+02:00"},
        headers=api.alice,
    )
    assert len(later.json()["items"]) == 5
    none = await api.client.get("/api/v1/history?until=2000-01-01", headers=api.alice)
    assert none.json() == {"items": [], "next_cursor": None}
    alice_refusals = await api.client.get("/api/v1/history?result=badauth", headers=api.alice)
    assert alice_refusals.json()["items"] == []


async def test_bad_parameters_name_the_field(api: Api) -> None:
    for query, field in [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("cursor=abc", "cursor"),
        ("since=yesterday", "since"),
        ("result=great", "result"),
        ("page=2", "page"),
    ]:
        answer = await api.client.get(f"/api/v1/history?{query}", headers=api.alice)
        assert answer.status_code == 422, query
        assert answer.json()["error"]["field"] == field


async def test_a_txt_token_reads_no_addresses_through_the_history(api: Api) -> None:
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.7"]})
    await api.client.put(f"{HOME}/records/TXT", headers=api.alice, json={"values": ["a b"]})
    txt_only = await api.token("alice", types=("TXT",))
    rows = (await api.client.get("/api/v1/history", headers=txt_only)).json()["items"]
    values = " ".join(f"{r['old_value']} {r['new_value']}" for r in rows)
    assert "192.0.2.7" not in values and '"a b"' in values
    full = (await api.client.get("/api/v1/history", headers=api.alice)).json()["items"]
    assert any("192.0.2.7" in (r["new_value"] or "") for r in full)
