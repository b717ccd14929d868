"""The operator's view: zones with secondaries and TSIG keys (never their secrets), counts,
and the 24-hour charts drawn from the provider's window; only administrators see it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from homing.activity import MINUTES, Series
from homing.core.secondaries import Secondaries
from homing.core.tsig import TsigKeys
from homing.http.web.charts import BUCKETS, HEIGHT, TOP, chart

from .conftest import Web, csrf_of

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_bars_cover_the_recorded_minutes_at_their_rate() -> None:
    minutes = [0] * 50 + [120] * 10  # an hour since start; the last ten minutes busy
    drawn = chart(minutes, title="DNS queries", per_second=True, now=NOW)
    assert len(drawn.bars) == 6  # ten-minute bars, and none before the start
    assert drawn.peak == 2.0 and drawn.latest == 2.0  # per second
    assert drawn.bars[-1].height == HEIGHT - TOP and drawn.bars[0].height == 0
    assert drawn.bars[-1].x == (BUCKETS - 1) * 720 / BUCKETS
    assert drawn.bars[-1].title == "11:50 UTC, 10 min: 2.00 per second"
    day = chart([1] * (MINUTES + 30), title="Updates", per_second=False, now=NOW)
    assert len(day.bars) == BUCKETS and day.hours == 24
    empty = chart([], title="Updates", per_second=False, now=NOW)
    assert (empty.bars, empty.latest, empty.peak) == ([], None, 0.0)


async def test_admins_see_zones_keys_secondaries_and_charts(web: Web) -> None:
    _, secret = await TsigKeys(store=web.core.store).add(
        "ddns-key.dyn.example", zone="dyn.example", types=["A", "AAAA"]
    )
    await Secondaries(store=web.core.store).add(
        "dyn.example", "127.0.0.1:5399", tsig="ddns-key.dyn.example"
    )
    root = web.new_client()
    await web.signed_in(root, "root")
    empty = (await root.get("/admin/server")).text
    assert empty.count("Nothing recorded yet") == 3 and 'class="bar"' not in empty
    activity = web.app_context.activity
    for minute in range(30):
        counts = {Series.UPDATES: 2 * minute, Series.REFUSED: minute, Series.QUERIES: 60 * minute}
        activity.sample(counts, now=1_800_000_000 + 60 * minute)
    page = await root.get("/admin/server")
    assert page.status_code == 200
    assert "dyn.<wbr>example" in page.text and "127.0.0.1:5399" in page.text
    assert "ddns-key.<wbr>dyn.<wbr>example" in page.text and "key ddns-key.dyn.example" in page.text
    assert secret not in page.text
    assert page.text.count('class="bar"') == 3 * 3  # 29 minutes: three ten-minute bars each
    assert "last minute 2.00" in page.text and "0 h so far" in page.text
    assert "Nothing recorded yet" not in page.text
    assert re.search(
        r"2 hosts · <a href=\"/admin/users\">3 accounts</a> \(1 administrator\)", page.text
    )
    alice = web.new_client()
    await web.signed_in(alice, "alice")
    assert (await alice.get("/admin/server")).status_code == 404
    assert 'href="/admin/server"' not in (await alice.get("/")).text


async def test_a_signed_zone_shows_its_ds_ready_to_copy(web: Web) -> None:
    root = web.new_client()
    await web.signed_in(root, "root")
    before = await root.get("/admin/server")
    assert "Sign this zone" in before.text and "not signed" in before.text
    status = await web.app_context.api.dnssec.enable("dyn.example")
    page = await root.get("/admin/server")
    [ds] = status.ds
    assert f'readonly rows="3" aria-label="DS record of dyn.example">{ds}</textarea>' in page.text
    assert f"key tag {status.key_tag}" in page.text
    assert "PRIVATE" not in page.text


async def test_a_key_rollover_shows_its_keys_and_the_next_step(web: Web) -> None:
    root = web.new_client()
    await web.signed_in(root, "root")
    await web.app_context.api.dnssec.enable("dyn.example")
    status = await web.app_context.api.dnssec.rollover("dyn.example")
    page = await root.get("/admin/server")
    old, new = status.keys
    assert "Key rollover, phase <strong>publish</strong>" in page.text
    assert f"key {old.key_tag} active, key {new.key_tag} published." in page.text
    assert "Next: nothing yet: the new key" in page.text
    assert "PRIVATE" not in page.text


async def test_an_administrator_signs_and_unsigns_a_zone_on_this_page(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    dnssec = web.app_context.api.dnssec
    url = "/admin/server/zones/dyn.example/dnssec"
    sign = {"csrf": csrf, "action": "enable", "algorithm": "ed25519"}
    signed = await root.post(url, data=sign)
    assert signed.status_code == 303 and signed.headers["location"] == "/admin/server?done=signed"
    page = await root.get(signed.headers["location"])
    status = await dnssec.status("dyn.example")
    assert status.signed and status.algorithm == "ed25519"
    assert "Give its DS record (below) to the registrar" in page.text
    assert f">{status.ds[0]}</textarea>" in page.text
    kept = await root.post(url, data={"csrf": csrf, "action": "disable"})
    assert kept.status_code == 400 and "first remove the DS of dyn.example" in kept.text
    assert (await dnssec.status("dyn.example")).signed
    unsign = {"csrf": csrf, "action": "disable", "parent_ds_removed": "1"}
    unsigned = await root.post(url, data=unsign)
    assert unsigned.headers["location"] == "/admin/server?done=unsigned"
    assert not (await dnssec.status("dyn.example")).signed
    assert "The zone is no longer signed." in (await root.get("/admin/server?done=unsigned")).text


async def test_signing_forms_refuse_what_they_should_and_change_nothing(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    dnssec = web.app_context.api.dnssec
    url = "/admin/server/zones/dyn.example/dnssec"
    for data, status, says in (
        ({"csrf": csrf, "action": "enable", "algorithm": "rsasha1"}, 400, "unknown DNSSEC"),
        ({"csrf": csrf, "action": "rotate"}, 400, "choose to sign the zone"),
        ({"csrf": csrf, "action": "enable", "algorithm": "x" * 5000}, 400, "unknown DNSSEC"),
        ({"csrf": csrf, "action": "enable", "algorithm": "<script>"}, 400, "&#39;&lt;script&gt;"),
        ({"action": "enable", "algorithm": "ed25519"}, 403, ""),
    ):
        answer = await root.post(url, data=data)
        assert answer.status_code == status, data
        assert says in answer.text
        assert "<script>" not in answer.text and "x" * 33 not in answer.text
    missing = await root.post(
        "/admin/server/zones/nope.example/dnssec",
        data={"csrf": csrf, "action": "enable", "algorithm": "ed25519"},
    )
    assert missing.status_code == 400 and "nope.example" in missing.text
    assert not (await dnssec.status("dyn.example")).signed
    alice = web.new_client()
    alice_csrf = csrf_of(await web.signed_in(alice, "alice"))
    refused = await alice.post(url, data={"csrf": alice_csrf, "action": "enable", "algorithm": ""})
    assert refused.status_code == 404
    assert not (await dnssec.status("dyn.example")).signed
