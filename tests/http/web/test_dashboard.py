"""The dashboard after real updates: addresses, where from, health badge, history marks."""

from __future__ import annotations

import re

from .conftest import Web

BADGE = re.compile(r'href="/hosts/([^"]+)">[^<]+</a>\s*<span class="badge (\w+)"')


async def test_cards_follow_updates_and_refusals(web: Web) -> None:
    client = web.new_client()
    await web.core.admin.add_host("cam.dyn.example", owner="alice")
    home = ("home.dyn.example", web.alice_token)
    good = await client.get("/nic/update", params={"myip": "203.0.113.5,2001:db8::5"}, auth=home)
    assert good.text == "good 203.0.113.5,2001:db8::5\n"
    # cam is asked for with a token of another host: a refusal on cam's record.
    refused = await client.get(
        "/nic/update", params={"hostname": "cam.dyn.example", "myip": "203.0.113.6"}, auth=home
    )
    assert refused.text == "nohost\n"
    await web.core.writer.sync()
    dashboard = await web.signed_in(client, "alice")
    assert dict(BADGE.findall(dashboard)) == {
        "cam.dyn.example": "failing",
        "home.dyn.example": "fresh",
    }
    card = dashboard[dashboard.index('href="/hosts/home.dyn.example"') :]
    card = card[: card.index("</article>")]
    assert "<code>203.0.113.5</code>" in card
    assert "<code>2001:db8::5</code>" in card
    assert "from <code>198.51.100.20</code> via dyndns2" in card
    assert card.count('class="mark change"') == 1
    assert "Updated <time" in card


async def test_a_new_host_waits_for_its_first_update_and_empty_state(web: Web) -> None:
    client = web.new_client()
    dashboard = await web.signed_in(client, "alice")
    assert dict(BADGE.findall(dashboard)) == {"home.dyn.example": "new"}
    assert "Never updated" in dashboard
    assert "0 failing · 0 stale (no update for 24 h)" in dashboard
    await web.core.admin.remove_host("home.dyn.example")
    empty = await client.get("/")
    assert "No hosts yet" in empty.text
    assert '<a href="/hosts/new">Add your first host</a>' in empty.text
