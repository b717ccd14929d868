"""The administrators' users page: 404 for everyone else, users created with a password or an
invitation link, deleted after typing the name (with their hosts), never without CSRF."""

from __future__ import annotations

import asyncio
import re

import httpx

from .conftest import Web, csrf_of, sign_in, submitted

INVITATION = re.compile(r'<code id="invitation-link" class="token wrapname">([^<]+)</code>')


async def test_non_admins_get_404_everywhere(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    assert 'href="/admin/users"' not in (await client.get("/")).text
    users_before = await web.core.store.users()
    responses = [
        await client.get("/admin/users"),
        await client.post("/admin/users", data={"csrf": csrf, "name": "mallory", "password": ""}),
        await client.get("/admin/users/bob/delete"),
        await client.post("/admin/users/bob/delete", data={"csrf": csrf, "confirm": "bob"}),
        await client.post("/admin/users/bob/invitation", data={"csrf": csrf}),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert await web.core.store.users() == users_before


async def test_admin_lists_and_creates_a_user_with_a_password(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    page = await root.get("/admin/users")
    assert page.status_code == 200
    for name in ("alice", "bob", "root"):
        assert f"<strong>{name}</strong>" in page.text
    assert "self-registration is off" in page.text
    mismatch = await root.post(
        "/admin/users",
        data={"csrf": csrf, "name": "dave", "password": "dave-password", "repeat_password": "x"},
    )
    assert mismatch.status_code == 400 and 'value="dave"' in mismatch.text
    created = await submitted(
        root,
        "/admin/users",
        {
            "csrf": csrf,
            "name": "dave",
            "password": "dave-password",
            "repeat_password": "dave-password",
            "admin": "1",
        },
    )
    assert "dave can sign in now." in created.text
    dave = await web.core.store.find_user("dave")
    assert dave is not None and dave.is_admin
    assert (await sign_in(web.new_client(), "dave", "dave-password")).status_code == 303
    taken = await root.post(
        "/admin/users",
        data={"csrf": csrf, "name": "dave", "password": "p" * 10, "repeat_password": "p" * 10},
    )
    assert taken.status_code == 400 and "already exists" in taken.text
    forged = await root.post("/admin/users", data={"name": "eve", "password": ""})
    assert forged.status_code == 403
    assert await web.core.store.find_user("eve") is None


async def test_invitation_link_lets_the_invitee_choose_a_password_once(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    created = await submitted(root, "/admin/users", {"csrf": csrf, "name": "carol", "password": ""})
    found = INVITATION.search(created.text)
    assert INVITATION.search((await root.get("/admin/users")).text) is None  # shown once
    assert found is not None
    link = found.group(1)
    assert link.startswith("http://ddns.test/invite/")
    assert "invited</span>" in (await root.get("/admin/users")).text
    carol = web.new_client()
    path = link.removeprefix("http://ddns.test")
    form = await carol.get(path)
    assert form.status_code == 200 and "Welcome, carol" in form.text
    # Without the form's token nothing happens.
    forged = await carol.post(
        path, data={"password": "carol-password", "repeat_password": "carol-password"}
    )
    assert forged.status_code == 403
    short = await carol.post(
        path, data={"csrf": csrf_of(form.text), "password": "short", "repeat_password": "short"}
    )
    assert short.status_code == 400 and "at least 8 characters" in short.text
    chosen = await carol.post(
        path,
        data={
            "csrf": csrf_of(form.text),
            "password": "carol-password",
            "repeat_password": "carol-password",
        },
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/?welcome=1"
    dashboard = await carol.get("/?welcome=1")
    assert "Welcome to Homing." in dashboard.text and "Your hosts" in dashboard.text
    # Once used, the link is dead, and the password works for signing in.
    again = await web.new_client().get(path)
    assert again.status_code == 404 and "has been used already" in again.text
    assert (await sign_in(web.new_client(), "carol", "carol-password")).status_code == 303
    no_new_link = await root.post("/admin/users/carol/invitation", data={"csrf": csrf})
    assert no_new_link.status_code == 400


async def test_a_new_link_for_a_pending_invitee_and_bad_links(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    await root.post("/admin/users", data={"csrf": csrf, "name": "carol", "password": ""})
    renewed = await submitted(root, "/admin/users/carol/invitation", {"csrf": csrf})
    found = INVITATION.search(renewed.text)
    assert found is not None
    visitor = web.new_client()
    assert (await visitor.get(found.group(1).removeprefix("http://ddns.test"))).status_code == 200
    tampered = await visitor.get("/invite/" + found.group(1).rsplit("/", 1)[1][:-3] + "xyz")
    assert tampered.status_code == 404 and "not valid" in tampered.text
    # Deleting the invitee kills the link, even if the name is taken again later.
    await web.core.admin.remove_user("carol")
    await web.core.admin.add_user("carol", password=None)
    gone = await visitor.get(found.group(1).removeprefix("http://ddns.test"))
    assert gone.status_code == 404


async def test_delete_user_needs_the_typed_name_and_takes_their_hosts(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    confirm = await root.get("/admin/users/bob/delete")
    assert confirm.status_code == 200 and "Every host of the account is deleted" in confirm.text
    wrong = await root.post("/admin/users/bob/delete", data={"csrf": csrf, "confirm": "alice"})
    assert wrong.status_code == 400
    forged = await root.post("/admin/users/bob/delete", data={"confirm": "bob"})
    assert forged.status_code == 403
    assert await web.core.store.find_user("bob") is not None
    deleted = await root.post("/admin/users/bob/delete", data={"csrf": csrf, "confirm": "bob"})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/admin/users?deleted=1"
    assert await web.core.store.find_user("bob") is None
    assert await web.core.store.find_host("cabin.dyn.example.") is None
    update = await root.get(
        "/nic/update",
        params={"hostname": "cabin.dyn.example"},
        auth=("cabin.dyn.example", web.bob_token),
    )
    assert update.text == "badauth\n"
    assert "User deleted." in (await root.get("/admin/users?deleted=1")).text


async def test_an_admin_cannot_delete_themselves(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    page = await root.get("/admin/users")
    assert 'href="/admin/users/root/delete"' not in page.text
    refused = await root.post("/admin/users/root/delete", data={"csrf": csrf, "confirm": "root"})
    assert refused.status_code == 400
    assert await web.core.store.find_user("root") is not None
    assert (await root.get("/admin/users/nobody/delete")).status_code == 404


async def test_two_submissions_of_one_invitation_set_one_password(web: Web) -> None:
    root = web.new_client()
    csrf = csrf_of(await web.signed_in(root, "root"))
    created = await submitted(root, "/admin/users", {"csrf": csrf, "name": "dave", "password": ""})
    found = INVITATION.search(created.text)
    assert found is not None
    path = found.group(1).removeprefix("http://ddns.test")
    first, second = web.new_client(), web.new_client()
    forms = [await client.get(path) for client in (first, second)]

    async def submit(client: httpx.AsyncClient, form: str, password: str) -> httpx.Response:
        data = {"csrf": csrf_of(form), "password": password, "repeat_password": password}
        return await client.post(path, data=data)

    answers = await asyncio.gather(
        submit(first, forms[0].text, "first-password"),
        submit(second, forms[1].text, "second-password"),
    )
    assert sorted(a.status_code for a in answers) == [303, 404]
    signed = [
        (await sign_in(web.new_client(), "dave", pw)).status_code
        for pw in ("first-password", "second-password")
    ]
    assert sorted(signed) == [303, 401]  # exactly one of the two passwords is the account's


async def test_many_accounts_come_a_page_at_a_time_with_their_host_counts(web: Web) -> None:
    for i in range(101):
        await web.core.admin.add_user(f"u{i:03d}", password=None)
    root = web.new_client()
    await web.signed_in(root, "root")
    first = await root.get("/admin/users")
    names = re.findall(r"<strong>([^<]+)</strong>", first.text)
    assert len(names) == 100 and names == sorted(names) and "104 accounts" in first.text
    assert "<td>1 host</td>" in first.text  # alice's, from host_totals
    found = re.search(r'href="(/admin/users\?after=[^"]+)" rel="next"', first.text)
    assert found is not None
    rest = await root.get(found.group(1))
    assert re.findall(r"<strong>([^<]+)</strong>", rest.text) == ["u097", "u098", "u099", "u100"]
    assert 'rel="next"' not in rest.text and 'href="/admin/users">← First page' in rest.text
    assert (await root.get("/admin/users?after=" + "z" * 5000)).status_code == 200
