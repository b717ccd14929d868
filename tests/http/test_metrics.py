"""``/metrics`` after real updates and DNS queries, scraped and parsed; loopback only by default."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import dns.message
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from homing.alerts.follower import AlertFollower
from homing.alerts.outbox import Outbox
from homing.config import Settings
from homing.http.app import build_http_app
from homing.metrics import ProviderMetrics
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from support import Core, http_context

HOST = "home.dyn.example"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _query(engine: Engine, name: str, rtype: str) -> None:
    wire = dns.message.make_query(name, rtype).to_wire()
    assert isinstance(engine.answer(wire, tcp=False), bytes)


async def _eventually(check: Callable[[], bool], deadline: float = 10.0) -> None:
    async with asyncio.timeout(deadline):
        while not check():
            await asyncio.sleep(0.01)


async def test_metrics_count_updates_queries_and_commits(
    core: Core, tmp_path_factory: pytest.TempPathFactory
) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    _, token = await core.admin.add_host(HOST, owner="alice")
    metrics = ProviderMetrics()
    core.writer.on_commit(metrics.on_commit)
    follower = AlertFollower(
        store=core.store,
        outbox=Outbox({}, attempts=1, retry_seconds=1, queue_size=1),
        failure_quiet_seconds=60,
        stale_check_seconds=3600,
        poll_seconds=0.05,
    )
    follower.on_rows(metrics.count_history)
    core.writer.on_commit(follower.wake)
    await follower.start()
    view = CompiledView()
    engine = Engine(view, fast=FastPath(view))
    metrics.engine, metrics.view = engine, view
    ctx = http_context(core, Settings(data_dir=tmp_path_factory.mktemp("data")))
    app = build_http_app(dataclasses.replace(ctx, metrics=metrics.render))
    local = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    remote = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    try:
        async with httpx.AsyncClient(transport=local, base_url="http://ddns.test") as client:
            good = await client.get(
                "/nic/update", params={"hostname": HOST, "myip": "203.0.113.7"}, auth=(HOST, token)
            )
            assert good.text == "good 203.0.113.7\n"
            bad = await client.get("/nic/update", params={"hostname": HOST}, auth=("alice", "nope"))
            assert bad.text == "badauth\n"
            for event in core.events:
                view.apply(event)
            _query(engine, HOST + ".", "A")
            _query(engine, HOST + ".", "A")  # the second from the answer cache
            _query(engine, "missing.dyn.example.", "A")
            await _eventually(lambda: follower.position >= 2)
            scrape = await client.get("/metrics")
        async with httpx.AsyncClient(transport=remote, base_url="http://ddns.test") as client:
            refused = await client.get("/metrics")
    finally:
        await follower.stop()
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=")
    assert refused.status_code == 403
    values = _samples(scrape.text)
    assert values["homing_updates_total", (("front_door", "dyndns2"), ("result", "good"))] == 1
    assert values["homing_updates_total", (("front_door", "dyndns2"), ("result", "badauth"))] == 1
    assert values["homing_auth_failures_total", (("front_door", "dyndns2"),)] == 1
    assert values["homing_dns_queries_total", (("qtype", "A"), ("rcode", "NOERROR"))] == 2
    assert values["homing_dns_queries_total", (("qtype", "A"), ("rcode", "NXDOMAIN"))] == 1
    assert values["homing_dns_zones", ()] == 1
    # SOA, NS and the host's A record.
    assert values["homing_dns_records", (("zone", "dyn.example."),)] == 3
    assert values["homing_store_commit_seconds_count", ()] >= 2
    assert values["homing_writer_batch_jobs_count", ()] >= 2
    assert values["homing_store_commit_failures_total", ()] == 0


async def test_metrics_are_off_without_a_source(
    core: Core, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ctx = http_context(core, Settings(data_dir=tmp_path_factory.mktemp("data")))
    transport = httpx.ASGITransport(app=build_http_app(ctx), client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        assert (await client.get("/metrics")).status_code == 404


def test_ignored_update_parameters_are_exposed_per_front_door() -> None:
    metrics = ProviderMetrics()
    metrics.unknown_parameters["dyndns2"] += 3
    body, _ = metrics.render()
    assert 'homing_update_unknown_parameters_total{front_door="dyndns2"} 3.0' in body.decode()
