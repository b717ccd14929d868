"""Editing a host's records in the browser: through the writer (serial, journal, history, view),
only the types the zone allows, only one's own hosts, never without the CSRF token."""

from __future__ import annotations

from homing.domain.outcomes import FrontDoor

from .conftest import Web, address_cell, csrf_of


async def test_edit_a_aaaa_and_txt_with_serial_history_and_dns_view(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    host_page = await client.get("/hosts/home.dyn.example")
    for rtype in ("A", "AAAA", "TXT"):
        assert f'href="/hosts/home.dyn.example/records/{rtype}"' in host_page.text
    assert "/records/MX" not in host_page.text  # the zone does not allow MX
    zone_before = await web.core.store.find_zone("dyn.example.")
    assert zone_before is not None
    form = await client.get("/hosts/home.dyn.example/records/A")
    assert form.status_code == 200 and "None yet." in form.text
    saved = await client.post(
        "/hosts/home.dyn.example/records/A",
        data={"csrf": csrf, "values": "203.0.113.7\n\n 203.0.113.8 \n"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/hosts/home.dyn.example?records=1"
    await client.post(
        "/hosts/home.dyn.example/records/AAAA", data={"csrf": csrf, "values": "2001:DB8::7"}
    )
    await client.post(
        "/hosts/home.dyn.example/records/txt", data={"csrf": csrf, "values": 'say "hi"'}
    )
    home = await web.core.store.find_host("home.dyn.example.")
    assert home is not None
    records = sorted((r.rtype, r.rdata) for r in await web.core.store.host_records(home.id))
    assert records == [
        ("A", "203.0.113.7"),
        ("A", "203.0.113.8"),
        ("AAAA", "2001:db8::7"),
        ("TXT", '"say \\"hi\\""'),
    ]
    zone_after = await web.core.store.find_zone("dyn.example.")
    assert zone_after is not None and zone_after.serial > zone_before.serial
    history = await web.core.store.history(host_id=home.id, limit=3)
    assert {row.front_door for row in history} == {FrontDoor.WEB.value}
    assert any(e.zone == "dyn.example." for e in web.core.events)
    # The TXT value comes back unquoted for editing.
    txt_form = await client.get("/hosts/home.dyn.example/records/TXT")
    assert "say &#34;hi&#34;</textarea>" in txt_form.text
    page = await client.get("/hosts/home.dyn.example?records=1")
    assert "Records saved." in page.text and address_cell("203.0.113.8") in page.text


async def test_remove_all_and_refused_values(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    await client.post(
        "/hosts/home.dyn.example/records/A", data={"csrf": csrf, "values": "192.0.2.1"}
    )
    bad = await client.post(
        "/hosts/home.dyn.example/records/A", data={"csrf": csrf, "values": "2001:db8::1"}
    )
    assert bad.status_code == 400
    assert "is not an A value" in bad.text
    assert "2001:db8::1</textarea>" in bad.text  # what was typed stays in the form
    home = await web.core.store.find_host("home.dyn.example.")
    assert home is not None
    assert [r.rdata for r in await web.core.store.host_records(home.id)] == ["192.0.2.1"]
    removed = await client.post(
        "/hosts/home.dyn.example/records/A",
        data={"csrf": csrf, "values": "192.0.2.1", "remove": "1"},
    )
    assert removed.status_code == 303
    assert await web.core.store.host_records(home.id) == []


async def test_mx_and_cname_only_where_the_zone_allows(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    refused = await client.post(
        "/hosts/home.dyn.example/records/MX", data={"csrf": csrf, "values": "10 mail.example.net."}
    )
    assert refused.status_code == 404
    assert (await client.get("/hosts/home.dyn.example/records/SRV")).status_code == 404
    await web.core.admin.set_record_types("dyn.example", ["MX", "CNAME"])
    saved = await client.post(
        "/hosts/home.dyn.example/records/MX", data={"csrf": csrf, "values": "10 mail.example.net."}
    )
    assert saved.status_code == 303
    # A CNAME cannot stand beside the MX (RFC 1034 3.6.2): refused, nothing changed.
    cname = await client.post(
        "/hosts/home.dyn.example/records/CNAME",
        data={"csrf": csrf, "values": "target.example.net."},
    )
    assert cname.status_code == 400 and "CNAME" in cname.text
    home = await web.core.store.find_host("home.dyn.example.")
    assert home is not None
    records = [(r.rtype, r.rdata) for r in await web.core.store.host_records(home.id)]
    assert records == [("MX", "10 mail.example.net.")]


async def test_another_users_records_and_missing_csrf(web: Web) -> None:
    alice = web.new_client()
    csrf = csrf_of(await web.signed_in(alice, "alice"))
    cabin = await web.core.store.find_host("cabin.dyn.example.")
    assert cabin is not None
    looked = await alice.get("/hosts/cabin.dyn.example/records/A")
    assert looked.status_code == 404
    changed = await alice.post(
        "/hosts/cabin.dyn.example/records/A", data={"csrf": csrf, "values": "192.0.2.66"}
    )
    assert changed.status_code == 404
    forged = await alice.post("/hosts/home.dyn.example/records/A", data={"values": "192.0.2.66"})
    assert forged.status_code == 403
    home = await web.core.store.find_host("home.dyn.example.")
    assert home is not None
    assert await web.core.store.host_records(cabin.id) == []
    assert await web.core.store.host_records(home.id) == []
