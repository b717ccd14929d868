"""A host's last seven days: one segment per address held, in turn; refusals per hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homing.http.web.address_timeline import (
    LABEL,
    PER_HOUR,
    WIDTH,
    address_timeline,
    values_of,
)
from homing.store.rows import HistoryRow

from .conftest import Web

NOW = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def row(row_id: int, outcome: str, at: datetime, value: str | None = None) -> HistoryRow:
    return HistoryRow(
        id=row_id,
        at=at.replace(tzinfo=None),
        host_id=1,
        fqdn="home.dyn.example.",
        outcome=outcome,
        old_value=None,
        new_value=value,
        credential=None,
        source="203.0.113.9",
        front_door="dyndns2",
        detail=None,
    )


def test_values_of_a_history_summary() -> None:
    assert values_of("A=192.0.2.1,192.0.2.2 AAAA=2001:db8::1 offline") == {
        "A": "192.0.2.1, 192.0.2.2",
        "AAAA": "2001:db8::1",
    }
    assert values_of("-") == values_of(None) == {}


def test_segments_follow_the_changes_and_refusals_are_counted_per_hour() -> None:
    before = row(1, "good", NOW - 8 * DAY, "A=192.0.2.1")
    night = (NOW - DAY).replace(hour=2, minute=5)
    rows = [
        row(2, "good", NOW - 3 * DAY, "A=192.0.2.2 AAAA=2001:db8::2"),
        row(3, "badauth", night),
        row(4, "badauth", night + timedelta(minutes=20)),
        row(5, "good", NOW - DAY, "A=192.0.2.2 AAAA=2001:db8::3"),  # only the AAAA changed
        row(6, "nohost", NOW - timedelta(minutes=10)),
    ]
    picture = address_timeline(rows, before=before, now=NOW)
    ipv4, ipv6 = picture.lanes
    assert [s.value for s in ipv4.segments] == ["192.0.2.1", "192.0.2.2"]
    assert ipv4.segments[0].x == LABEL  # held since before the week began
    assert ipv4.segments[-1].x + ipv4.segments[-1].width <= WIDTH
    assert [s.value for s in ipv6.segments] == ["2001:db8::2", "2001:db8::3"]
    assert [s.tone for s in ipv6.segments] == [0, 1]
    assert ipv6.segments[1].title.endswith("to now")
    assert [(m.count, m.title) for m in picture.refusals] == [
        (2, "Mon 30 Nov 02:00 UTC: 2 refused"),
        (1, "Tue 01 Dec 12:00 UTC: 1 refused"),
    ]
    assert picture.refusals[1].x == WIDTH - PER_HOUR  # the current hour, at the right edge
    assert len(picture.days) == 7 and picture.changes == 2


async def test_the_host_page_draws_the_week(web: Web) -> None:
    client = web.new_client()
    home = ("home.dyn.example", web.alice_token)
    for address in ("203.0.113.5", "203.0.113.6"):
        answer = await client.get("/nic/update", params={"myip": address}, auth=home)
        assert answer.text.startswith("good")
    await web.core.writer.sync()
    await web.signed_in(client, "alice")
    page = (await client.get("/hosts/home.dyn.example")).text
    picture = page[page.index('id="addresses"') : page.index('id="tokens"')]
    assert "2 changes this week" in picture
    assert picture.count('<g class="segment') == 2
    assert "IPv4 203.0.113.6 from" in picture and "to now</title>" in picture
