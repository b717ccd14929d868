"""The web UI's routes sit beside the update API's: its own files served, no path shadowed."""

from __future__ import annotations

from .conftest import Web


async def test_static_files_are_served_from_the_package(web: Web) -> None:
    client = web.new_client()
    css = await client.get("/static/homing.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "@media (max-width: 640px)" in css.text
    script = await client.get("/static/copy.js")
    assert "navigator.clipboard" in script.text
    assert (await client.get("/static/../__init__.py")).status_code == 404


async def test_update_api_paths_still_answer_as_before(web: Web) -> None:
    client = web.new_client()
    assert (await client.get("/ip")).text.strip() == "198.51.100.20"
    duck = await client.get("/update", params={"domains": "home", "token": "hm_wrong"})
    assert duck.text == "KO"
    nic = await client.get("/nic/update", params={"hostname": "home.dyn.example"})
    assert nic.status_code == 401


async def test_favicon_is_the_brand_mark(web: Web) -> None:
    answer = await web.new_client().get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/x-icon"
    assert answer.content[:4] == b"\x00\x00\x01\x00"  # an ICO header, one image
    assert answer.content[22:30] == b"\x89PNG\r\n\x1a\n"
