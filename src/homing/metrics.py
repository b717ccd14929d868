"""The provider's Prometheus metrics: one registry per provider, most values read at scrape time.

The DNS answer path, NOTIFY, zone transfers and the alert outbox count in
plain integers and Counters of their own (a dict increment; no lock, no
label lookup), and this module's collector turns them into metric families
only when ``/metrics`` is read. The writer's commit listener feeds two
histograms (transaction time, jobs per transaction); updates and
authentication failures are counted from the committed history rows the
alert follower reads, so every front door, present and future, is counted
the same way and only once it is durable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

import dns.rcode
import dns.rdatatype
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client import Counter as PromCounter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from homing.activity import Series
from homing.alerts.outbox import Outbox
from homing.alerts.rules import is_auth_failure
from homing.core.writer import BatchCommitted
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.notify import Notifier
from homing.nameserver.ratelimit import ResponseRateLimit
from homing.nameserver.workers import WorkerPool
from homing.store.rows import HistoryRow

ACCEPTED = frozenset({"good", "nochg"})
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def _qtype(value: int) -> str:
    return "none" if value == 0 else dns.rdatatype.to_text(dns.rdatatype.RdataType.make(value))


def _rcode(value: int) -> str:
    try:
        return dns.rcode.to_text(dns.rcode.Rcode(value))
    except ValueError:
        return str(value)


class _Sources(Collector):
    """Reads the parts' own counters when scraped (see the module docstring)."""

    def __init__(self, metrics: ProviderMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self._metrics
        if m.engine is not None:
            queries = CounterMetricFamily(
                "homing_dns_queries",
                "DNS queries answered, by question type and response code.",
                labels=["qtype", "rcode"],
            )
            answered = m.engine.counts()
            if m.workers is not None:
                answered.update(m.workers.counts())
            for (qtype, rcode), count in sorted(answered.items()):
                queries.add_metric([_qtype(qtype), _rcode(rcode)], count)
            yield queries
        dropped, slipped = m.workers.rate_limited() if m.workers is not None else (0, 0)
        if m.rate_limit is not None:
            dropped += m.rate_limit.dropped
            slipped += m.rate_limit.slipped
        limited = CounterMetricFamily(
            "homing_dns_rate_limited",
            "UDP answers held back by response rate limiting: dropped, or slipped (sent "
            "truncated so the client retries over TCP).",
            labels=["action"],
        )
        limited.add_metric(["dropped"], dropped)
        limited.add_metric(["slipped"], slipped)
        yield limited
        if m.workers is not None:
            per_worker = CounterMetricFamily(
                "homing_dns_worker_queries",
                "DNS answers given by each worker process since it last started.",
                labels=["worker"],
            )
            for index, count in sorted(m.workers.answers_by_worker().items()):
                per_worker.add_metric([str(index)], count)
            yield per_worker
            yield CounterMetricFamily(
                "homing_dns_worker_restarts",
                "DNS worker processes started again after they died or got stuck.",
                value=m.workers.restarts,
            )
        if m.view is not None:
            sizes = m.view.sizes()
            yield GaugeMetricFamily("homing_dns_zones", "Zones served.", value=len(sizes))
            names = GaugeMetricFamily("homing_dns_names", "Names in a zone.", labels=["zone"])
            records = GaugeMetricFamily(
                "homing_dns_records", "Resource records in a zone.", labels=["zone"]
            )
            for zone, name_count, record_count in sizes:
                names.add_metric([zone], name_count)
                records.add_metric([zone], record_count)
            yield names
            yield records
        if m.notifier is not None:
            notify = CounterMetricFamily(
                "homing_notify",
                "NOTIFY messages to secondaries: answered (sent) or given up (failed).",
                labels=["result"],
            )
            notify.add_metric(["sent"], m.notifier.sent)
            notify.add_metric(["failed"], m.notifier.failed)
            yield notify
        transfers = CounterMetricFamily(
            "homing_zone_transfers",
            "Zone transfers: axfr, ixfr (incremental or up to date), ixfr_full, refused.",
            labels=["kind"],
        )
        for kind, count in sorted(m.transfers.items()):
            transfers.add_metric([kind], count)
        yield transfers
        unknown = CounterMetricFamily(
            "homing_update_unknown_parameters",
            "Update request parameters nobody defines, ignored (by front door).",
            labels=["front_door"],
        )
        for door, count in sorted(m.unknown_parameters.items()):
            unknown.add_metric([door], count)
        yield unknown
        if m.outbox is not None:
            alerts = CounterMetricFamily(
                "homing_alerts",
                "Owners' alerts by channel and result (delivered, failed, dropped).",
                labels=["channel", "result"],
            )
            for (channel, result), count in sorted(m.outbox.results.items()):
                alerts.add_metric([channel, result], count)
            yield alerts
            yield GaugeMetricFamily(
                "homing_alerts_pending",
                "Alerts queued or being delivered.",
                value=m.outbox.pending(),
            )


class ProviderMetrics:
    """The registry behind ``/metrics`` and the hooks that feed it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.engine: Engine | None = None
        self.view: CompiledView | None = None
        self.workers: WorkerPool | None = None
        self.rate_limit: ResponseRateLimit | None = None
        self.notifier: Notifier | None = None
        self.outbox: Outbox | None = None
        self.transfers: Counter[str] = Counter()
        """Handed to the zone transfer handler, which counts in it."""
        self.unknown_parameters: Counter[str] = Counter()
        """Handed to the HTTP front doors, which count ignored parameters in it."""
        self.commit_seconds = Histogram(
            "homing_store_commit_seconds",
            "Time of one write transaction of the writer (statements and durable commit).",
            buckets=COMMIT_BUCKETS,
            registry=self.registry,
        )
        self.batch_jobs = Histogram(
            "homing_writer_batch_jobs",
            "Jobs (updates, refusals to record) committed in one write transaction.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.commit_failures = PromCounter(
            "homing_store_commit_failures",
            "Write transactions that failed (their updates were answered 911 / SERVFAIL).",
            registry=self.registry,
        )
        self.updates = PromCounter(
            "homing_updates",
            "Committed update results (history rows) by front door and result.",
            ["front_door", "result"],
            registry=self.registry,
        )
        self.auth_failures = PromCounter(
            "homing_auth_failures",
            "Refused credentials (badauth, lock-outs) by front door.",
            ["front_door"],
            registry=self.registry,
        )
        self.accepted = 0
        self.refused = 0
        """Committed history rows: accepted updates (good, nochg) and refusals, for ``totals``."""
        self.registry.register(_Sources(self))
        ProcessCollector(registry=self.registry)

    def on_commit(self, batch: BatchCommitted) -> None:
        """The writer's commit listener."""
        if not batch.ok:
            self.commit_failures.inc()
            return
        self.commit_seconds.observe(batch.seconds)
        self.batch_jobs.observe(batch.jobs)

    def count_history(self, rows: Sequence[HistoryRow]) -> None:
        """The alert follower's row listener: each committed history row is ``count`` results
        (refusals are aggregated per source and window)."""
        for row in rows:
            self.updates.labels(row.front_door, row.outcome).inc(row.count)
            if row.outcome in ACCEPTED:
                self.accepted += row.count
            else:
                self.refused += row.count
            if is_auth_failure(row):
                self.auth_failures.labels(row.front_door).inc(row.count)

    def totals(self) -> dict[Series, int]:
        """The counters the operator's 24-hour charts follow (``homing.activity``)."""
        queries = sum(self.engine.counts().values()) if self.engine is not None else 0
        if self.workers is not None:
            queries += sum(self.workers.counts().values())
        return {
            Series.UPDATES: self.accepted,
            Series.REFUSED: self.refused,
            Series.QUERIES: queries,
        }

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
