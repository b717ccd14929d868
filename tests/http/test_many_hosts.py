"""Twenty thousand hosts in one account (issue 15), served by a real provider on loopback.

The dashboard, a search and an API page each read one page and count from
indexes; walking every page meets every host once, in name order; the
failing and stale filters hold exactly the hosts the seeding made so
(``many_hosts``), and the badges on the failing page agree with the count.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from homing.config import Settings
from many_hosts import ADMIN, OWNER, OWNER_PASSWORD, ManyHosts, seed_many_hosts
from support import provider_in_thread

COUNT = 20_000
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CARD = re.compile(
    r'<a class="host-name" href="/hosts/([^"]+)">[^<]+</a>\s*<span class="badge (\w+)"'
)
NEXT = re.compile(r'<a class="button" href="([^"]+)" rel="next">')


@dataclass
class Served:
    url: str
    hosts: ManyHosts
    browser: httpx.Client
    """Signed in to the web UI as the hosts' owner."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("many")
    settings = Settings(
        data_dir=data, dns_listen=["127.0.0.1:0"], http_listen="127.0.0.1:0", dns_workers=0
    )
    hosts = asyncio.run(seed_many_hosts(settings.database, COUNT))
    with provider_in_thread(settings) as url, httpx.Client(base_url=url, timeout=60) as browser:
        form = browser.get("/login")
        csrf = CSRF.search(form.text)
        assert csrf is not None
        fields = {"csrf": csrf.group(1), "user": OWNER, "password": OWNER_PASSWORD, "next": "/"}
        assert browser.post("/login", data=fields).status_code == 303
        yield Served(url=url, hosts=hosts, browser=browser)


def api_walk(served: Served, token: str, **params: str) -> list[str]:
    """Every host name of a paged listing, following ``next_cursor`` to the end."""
    names: list[str] = []
    cursor: str | None = None
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=60) as client:
        while True:
            query = {**params, **({"cursor": cursor} if cursor else {})}
            page = client.get("/api/v1/hosts", params=query)
            assert page.status_code == 200, page.text
            body = page.json()
            assert len(body["items"]) <= int(params.get("limit", "100"))
            names += [h["name"] for h in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return names


def web_walk(served: Served, path: str) -> list[tuple[str, str]]:
    """(name, badge) of every card over the dashboard's pages from ``path``."""
    cards: list[tuple[str, str]] = []
    next_path: str | None = path
    while next_path is not None:
        page = served.browser.get(next_path)
        assert page.status_code == 200
        cards += CARD.findall(page.text)
        found = NEXT.search(page.text)
        next_path = found.group(1).replace("&amp;", "&") if found else None
    return cards


def test_the_api_pages_through_every_host_once_in_name_order(served: Served) -> None:
    assert api_walk(served, served.hosts.owner_token, limit="500") == served.hosts.names
    first = httpx.get(
        f"{served.url}/api/v1/hosts",
        headers={"Authorization": f"Bearer {served.hosts.admin_token}"},
    ).json()
    assert [h["name"] for h in first["items"]] == served.hosts.names[:100]
    assert first["next_cursor"] is not None


def test_the_api_searches_names_and_owners(served: Served) -> None:
    wanted = [n for n in served.hosts.names if "router00010" in n]
    assert 0 < len(wanted) < 500
    assert api_walk(served, served.hosts.owner_token, q="ROUTER00010", limit="7") == wanted
    assert api_walk(served, served.hosts.admin_token, q="router00010", owner=OWNER) == wanted
    assert api_walk(served, served.hosts.admin_token, owner=ADMIN) == []
    # LIKE's wildcards are plain characters in a search.
    assert api_walk(served, served.hosts.owner_token, q="router_01") == []
    assert api_walk(served, served.hosts.owner_token, q="%") == []


@pytest.mark.parametrize("text", ["ter0001", "cam00", "m0", "0019.m", ".many.example"])
def test_every_plan_of_a_search_finds_what_the_names_hold(served: Served, text: str) -> None:
    """Rare and dense texts (the trigram index, or the name order past 5,000 matches) and one
    too short for trigrams, walked to the end: each finds exactly the names holding it."""
    wanted = [n for n in served.hosts.names if text in n]
    assert wanted
    assert api_walk(served, served.hosts.owner_token, q=text, limit="500") == wanted


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not*base64"}, "cursor"),
        ({"cursor": "x" * 401}, "cursor"),
        ({"cursor": "AA"}, "cursor"),  # decodes to a NUL byte
        ({"page": "2"}, "page"),
    ],
)
def test_bad_page_parameters_are_refused_by_name(
    served: Served, params: dict[str, str], field: str
) -> None:
    answer = httpx.get(
        f"{served.url}/api/v1/hosts",
        params=params,
        headers={"Authorization": f"Bearer {served.hosts.owner_token}"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


def test_the_dashboard_counts_from_indexes_and_shows_one_page(served: Served) -> None:
    page = served.browser.get("/")
    hosts = served.hosts
    counts = f"20,000 hosts · {len(hosts.failing):,} failing · {len(hosts.stale):,} stale"
    assert counts in page.text
    cards = CARD.findall(page.text)
    assert [name for name, _ in cards] == hosts.names[:48]
    second = served.browser.get(NEXT.search(page.text).group(1))  # type: ignore[union-attr]
    assert [name for name, _ in CARD.findall(second.text)] == hosts.names[48:96]
    assert "← First page" in second.text


def test_the_failing_and_stale_filters_hold_exactly_those_hosts(served: Served) -> None:
    failing = web_walk(served, "/?show=failing")
    assert {name for name, _ in failing} == served.hosts.failing
    assert {badge for _, badge in failing} == {"failing"}
    stale = served.browser.get("/?show=stale")
    assert [n for n, _ in CARD.findall(stale.text)] == sorted(served.hosts.stale)[:48]


def test_the_dashboard_search_pages_its_results(served: Served) -> None:
    wanted = [n for n in served.hosts.names if "nas0001" in n]
    assert len(wanted) > 48
    assert [name for name, _ in web_walk(served, "/?q=nas0001")] == wanted
    nothing = served.browser.get("/", params={"q": "no-such-name", "show": "bogus"})
    assert nothing.status_code == 200 and "No host matches “no-such-name”" in nothing.text
