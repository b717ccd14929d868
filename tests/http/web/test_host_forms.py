"""Creating, changing and deleting hosts in the browser: the first token once, DNS following,
another user's hosts untouchable, and no change without the CSRF token or the confirmation."""

from __future__ import annotations

import re

import httpx

from homing.domain.outcomes import FrontDoor

from .conftest import Web, address_cell, csrf_of, submitted

NEW_TOKEN = re.compile(r'<code id="new-token" class="token">(hm_[^<]+)</code>')


async def signed_in_csrf(web: Web, client: httpx.AsyncClient, user: str) -> str:
    return csrf_of(await web.signed_in(client, user))


async def test_create_host_shows_its_first_token_once_and_the_token_updates_it(web: Web) -> None:
    client = web.new_client()
    csrf = await signed_in_csrf(web, client, "alice")
    form = await client.get("/hosts/new")
    assert form.status_code == 200
    assert '<option value="dyn.example">' in form.text
    assert 'name="owner"' not in form.text  # only admins choose an owner
    created = await submitted(
        client,
        "/hosts",
        {"csrf": csrf, "label": "Garage", "zone": "dyn.example", "ttl": "120", "notes": "pi"},
    )
    assert "garage.dyn.example is yours." in created.text
    found = NEW_TOKEN.search(created.text)
    assert found is not None
    token = found.group(1)
    host = await web.core.store.find_host("garage.dyn.example.")
    assert host is not None and host.owner == "alice" and host.ttl == 120 and host.notes == "pi"
    update = await client.get(
        "/nic/update",
        params={"hostname": "garage.dyn.example", "myip": "203.0.113.44"},
        auth=("garage.dyn.example", token),
    )
    assert update.text == "good 203.0.113.44\n"
    again = await client.get("/hosts/garage.dyn.example")
    assert token not in again.text
    assert address_cell("203.0.113.44") in again.text
    dashboard = await client.get("/")
    assert 'href="/hosts/garage.dyn.example"' in dashboard.text


async def test_create_host_refusals_keep_the_form(web: Web) -> None:
    client = web.new_client()
    csrf = await signed_in_csrf(web, client, "alice")
    hosts_before = await web.core.store.hosts()
    taken = await client.post(
        "/hosts", data={"csrf": csrf, "label": "cabin", "zone": "dyn.example", "ttl": "60"}
    )
    assert taken.status_code == 400
    assert "already exists" in taken.text
    assert 'value="cabin"' in taken.text
    unknown_zone = await client.post(
        "/hosts", data={"csrf": csrf, "label": "x", "zone": "elsewhere.example", "ttl": "60"}
    )
    assert unknown_zone.status_code == 400 and "choose one of the zones" in unknown_zone.text
    bad_ttl = await client.post(
        "/hosts", data={"csrf": csrf, "label": "x", "zone": "dyn.example", "ttl": "0"}
    )
    assert bad_ttl.status_code == 400 and "TTL" in bad_ttl.text
    bad_name = await client.post(
        "/hosts", data={"csrf": csrf, "label": "bad name!", "zone": "dyn.example", "ttl": "60"}
    )
    assert bad_name.status_code == 400
    no_csrf = await client.post("/hosts", data={"label": "x", "zone": "dyn.example", "ttl": "60"})
    assert no_csrf.status_code == 403
    assert await web.core.store.hosts() == hosts_before


async def test_a_full_name_typed_beside_the_zone_picker_means_that_name(web: Web) -> None:
    """Issue 15: nas.dyn.example typed next to dyn.example made nas.dyn.example.dyn.example."""
    await web.core.admin.add_zone("other.example")
    client = web.new_client()
    csrf = await signed_in_csrf(web, client, "alice")

    async def create(label: str) -> str:
        answer = await client.post(
            "/hosts", data={"csrf": csrf, "label": label, "zone": "dyn.example", "ttl": "60"}
        )
        return answer.headers.get("location", "") if answer.status_code == 303 else answer.text

    assert (await create("NAS.dyn.example.")).startswith("/hosts/nas.dyn.example?")
    assert (await create("cam.home")).startswith("/hosts/cam.home.dyn.example?")
    assert "type the name before .dyn.example" in await create("dyn.example")
    elsewhere = await create("pi.other.example")
    assert "pi.other.example is in the zone other.example: choose that zone and type pi" in (
        elsewhere
    )
    names = sorted(h.fqdn for h in await web.core.store.hosts(owner_id=await alice_id(web)))
    assert names == ["cam.home.dyn.example.", "home.dyn.example.", "nas.dyn.example."]


async def alice_id(web: Web) -> int:
    user = await web.core.store.find_user("alice")
    assert user is not None
    return user.id


async def test_an_owner_field_is_ignored_for_users_and_honoured_for_admins(web: Web) -> None:
    alice = web.new_client()
    csrf = await signed_in_csrf(web, alice, "alice")
    await alice.post(
        "/hosts",
        data={"csrf": csrf, "label": "sneaky", "zone": "dyn.example", "ttl": "60", "owner": "bob"},
    )
    sneaky = await web.core.store.find_host("sneaky.dyn.example.")
    assert sneaky is not None and sneaky.owner == "alice"
    root = web.new_client()
    root_csrf = await signed_in_csrf(web, root, "root")
    assert 'name="owner"' in (await root.get("/hosts/new")).text
    await root.post(
        "/hosts",
        data={
            "csrf": root_csrf,
            "label": "gift",
            "zone": "dyn.example",
            "ttl": "60",
            "owner": "bob",
        },
    )
    gift = await web.core.store.find_host("gift.dyn.example.")
    assert gift is not None and gift.owner == "bob"


async def test_ttl_change_retimes_the_records_through_the_writer(web: Web) -> None:
    client = web.new_client()
    csrf = await signed_in_csrf(web, client, "alice")
    await client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.5"},
        auth=("home.dyn.example", web.alice_token),
    )
    home = await web.core.store.find_host("home.dyn.example.")
    assert home is not None
    serial_before = (await web.core.store.find_zone("dyn.example.")).serial  # type: ignore[union-attr]
    saved = await client.post(
        "/hosts/home.dyn.example/settings",
        data={"csrf": csrf, "ttl": "300", "notes": "the router in the hall"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/hosts/home.dyn.example?saved=1#settings"
    page = await client.get(saved.headers["location"])
    assert "TTL and notes saved." in page.text
    assert "the router in the hall" in page.text
    records = await web.core.store.host_records(home.id)
    assert [(r.rtype, r.ttl) for r in records] == [("A", 300)]
    zone = await web.core.store.find_zone("dyn.example.")
    assert zone is not None and zone.serial > serial_before
    latest = (await web.core.store.history(host_id=home.id, limit=1))[0]
    assert latest.front_door == FrontDoor.WEB.value
    assert latest.credential == "session:alice"
    refused = await client.post(
        "/hosts/home.dyn.example/settings", data={"csrf": csrf, "ttl": "abc", "notes": ""}
    )
    assert refused.status_code == 400
    unchanged = await web.core.store.find_host("home.dyn.example.")
    assert unchanged is not None and unchanged.ttl == 300


async def test_delete_needs_the_typed_name_and_removes_the_records_from_dns(web: Web) -> None:
    client = web.new_client()
    csrf = await signed_in_csrf(web, client, "alice")
    await client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.5"},
        auth=("home.dyn.example", web.alice_token),
    )
    confirm = await client.get("/hosts/home.dyn.example/delete")
    assert confirm.status_code == 200
    assert "Type <strong>home.dyn.example</strong> to confirm" in confirm.text
    wrong = await client.post(
        "/hosts/home.dyn.example/delete", data={"csrf": csrf, "confirm": "home"}
    )
    assert wrong.status_code == 400 and "nothing was deleted" in wrong.text
    no_csrf = await client.post("/hosts/home.dyn.example/delete", data={"confirm": "home"})
    assert no_csrf.status_code == 403
    assert await web.core.store.find_host("home.dyn.example.") is not None
    events_before = len(web.core.events)
    deleted = await client.post(
        "/hosts/home.dyn.example/delete", data={"csrf": csrf, "confirm": "home.dyn.example"}
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/?deleted=1"
    assert await web.core.store.find_host("home.dyn.example.") is None
    assert len(web.core.events) > events_before  # the DNS view was told, before the answer
    assert "Host deleted." in (await client.get("/?deleted=1")).text
    update = await client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example"},
        auth=("home.dyn.example", web.alice_token),
    )
    assert update.text == "badauth\n"


async def test_another_users_host_cannot_be_changed_or_deleted(web: Web) -> None:
    alice = web.new_client()
    csrf = await signed_in_csrf(web, alice, "alice")
    cabin_before = await web.core.store.find_host("cabin.dyn.example.")
    responses = [
        await alice.get("/hosts/cabin.dyn.example/delete"),
        await alice.post(
            "/hosts/cabin.dyn.example/delete",
            data={"csrf": csrf, "confirm": "cabin.dyn.example"},
        ),
        await alice.post(
            "/hosts/cabin.dyn.example/settings", data={"csrf": csrf, "ttl": "999", "notes": "x"}
        ),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert await web.core.store.find_host("cabin.dyn.example.") == cabin_before


async def test_signed_out_visitors_are_sent_to_sign_in(web: Web) -> None:
    client = web.new_client()
    for path in ("/hosts/new", "/hosts/home.dyn.example/delete"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    post = await client.post("/hosts", data={"label": "x", "zone": "dyn.example", "ttl": "60"})
    assert post.status_code == 303 and post.headers["location"].startswith("/login")
    assert len(await web.core.store.hosts()) == 2


async def test_ipv6_form_sets_identifier_and_leader_and_shows_followers(web: Web) -> None:
    client = web.new_client()
    csrf = await signed_in_csrf(web, client, "alice")
    await web.core.admin.add_host("nas.dyn.example", owner="alice")
    page = await client.get("/hosts/nas.dyn.example")
    assert '<option value="home.dyn.example">' in page.text  # alice's hosts may be followed
    assert "cabin.dyn.example" not in page.text  # another user's host is not offered
    saved = await client.post(
        "/hosts/nas.dyn.example/ipv6",
        data={
            "csrf": csrf,
            "ipv6_interface_id": "::11",
            "ipv6_prefix_length": "64",
            "follows": "home.dyn.example",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/hosts/nas.dyn.example?ipv6=1#ipv6"
    nas = await web.core.store.find_host("nas.dyn.example.")
    assert nas is not None and (nas.ipv6_interface_id, nas.follows) == ("::11", "home.dyn.example.")
    leader = await client.get("/hosts/home.dyn.example")
    assert 'href="/hosts/nas.dyn.example">nas.dyn.example</a> <code>::11</code>' in leader.text
    refusals = [
        {"ipv6_interface_id": "zz", "ipv6_prefix_length": "64", "follows": ""},
        {"ipv6_interface_id": "", "ipv6_prefix_length": "999", "follows": ""},
        {"ipv6_interface_id": "", "ipv6_prefix_length": "64", "follows": "cabin.dyn.example"},
        {"ipv6_interface_id": "", "ipv6_prefix_length": "64"},
    ]
    for form in refusals[:3]:
        refused = await client.post("/hosts/nas.dyn.example/ipv6", data={"csrf": csrf, **form})
        assert refused.status_code == 400, form
    no_csrf = await client.post("/hosts/nas.dyn.example/ipv6", data=refusals[3])
    assert no_csrf.status_code in {400, 403}
    assert await web.core.store.find_host("nas.dyn.example.") == nas
