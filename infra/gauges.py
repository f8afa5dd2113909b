"""The read model's gauges, counted by a background task of ONE process (`KELAHIRAN_METRICS_GAUGES`).

Every API or dispatcher replica would otherwise report the same bundles again. A scrape is served
from the last snapshot, so it never waits for the database (the dispatcher's probe answers /metrics
on its event loop).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import structlog
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from store.gauges import Snapshot, snapshot

log = structlog.get_logger("kelahiran.metrics")


class ReadModelGauges(Collector):
    """Serves the last snapshot; `refresh()` (run by `run()`) counts the read model anew."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine
        self.snapshot = Snapshot()
        self.refreshed_at = 0.0  # unix time; 0 until the first count

    def refresh(self) -> None:
        self.snapshot, self.refreshed_at = snapshot(self._engine), time.time()

    async def run(self, every: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.refresh)
            except Exception as exc:  # noqa: BLE001 - the database may be away; the age gauge shows it
                log.warning("read-model gauges not counted", error_type=type(exc).__name__)
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass

    def collect(self) -> Iterable[GaugeMetricFamily]:
        s = self.snapshot
        bundles = GaugeMetricFamily("kelahiran_bundles", "Bundles in the read model by status",
                                    labels=["status"])
        for status, n in sorted(s.bundles_by_status.items()):
            bundles.add_metric([status], n)
        reasons = GaugeMetricFamily("kelahiran_needs_attention",
                                    "Services and follow-ups waiting for a person, by reason code",
                                    labels=["reason"])
        for reason, n in sorted(s.needs_attention_by_reason.items()):
            reasons.add_metric([reason], n)
        pending = GaugeMetricFamily("kelahiran_outbox_pending", "Rows waiting in an outbox",
                                    labels=["outbox"])
        age = GaugeMetricFamily("kelahiran_outbox_oldest_age_seconds",
                                "Age of the oldest row waiting in an outbox (0 when empty)",
                                labels=["outbox"])
        for name in ("pending_start", "hospital_event"):
            box = s.outboxes.get(name)
            pending.add_metric([name], box.pending if box else 0)
            age.add_metric([name], box.oldest_age_seconds if box else 0)
        yield bundles
        yield reasons
        yield GaugeMetricFamily("kelahiran_deadlines_at_risk",
                                "Open bundles with a service near or past its legal deadline",
                                value=s.deadlines_at_risk)
        yield pending
        yield age
        yield GaugeMetricFamily("kelahiran_callbacks_dead_letters",
                                "Hospital events given up after the maximum age and still kept",
                                value=s.dead_letters)
        yield GaugeMetricFamily("kelahiran_readmodel_gauges_refreshed_timestamp_seconds",
                                "When the read-model gauges were last counted (unix time)",
                                value=self.refreshed_at)


def install_gauges(engine: Engine, settings, *, registry: CollectorRegistry = REGISTRY):
    """Start counting in this process when `KELAHIRAN_METRICS_GAUGES` says so; stop with `stop_gauges`."""
    if not settings.metrics_gauges:
        return None
    gauges = ReadModelGauges(engine)
    registry.register(gauges)
    stop = asyncio.Event()
    task = asyncio.create_task(gauges.run(settings.metrics_gauges_seconds, stop), name="metrics-gauges")
    return gauges, stop, task


async def stop_gauges(installed, *, registry: CollectorRegistry = REGISTRY) -> None:
    if installed is None:
        return
    gauges, stop, task = installed
    stop.set()
    await task
    registry.unregister(gauges)
