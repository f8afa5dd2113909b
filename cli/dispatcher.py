"""The delivery loop: claim due events, POST them concurrently, record the outcomes, repeat."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta

import structlog
from prometheus_client import Counter
from sqlalchemy.engine import Engine

from adapters.webhooks import addresses, delivery
from infra.settings import Settings
from store import outbox
from store.cipher import StateCipher

log = structlog.get_logger("kelahiran.callbacks")
DELIVERED = Counter("kelahiran_callbacks_delivered", "Callback events delivered (the webhook answered 2xx)")
FAILED = Counter("kelahiran_callbacks_failed", "Callback delivery attempts that failed (retried later)",
                 ["reason"])
DEAD = Counter("kelahiran_callbacks_dead_lettered", "Callback events given up after the maximum age")
PRUNE_EVERY = 3600.0


class Dispatcher:
    """Delivers the outbox. Any number may run against one database (see store/outbox.py)."""

    def __init__(self, engine: Engine, settings: Settings, *, cipher: StateCipher | None = None,
                 resolver: addresses.Resolver = addresses.system_resolver) -> None:
        self._engine, self._settings, self._resolver = engine, settings, resolver
        self._cipher = cipher or settings.readmodel_cipher()
        # Checked again at every delivery, in every environment: DNS may have changed since registration.
        self._policy = settings.webhook_policy()
        self._timeout = settings.callback_timeout_seconds
        self._backoff = outbox.Backoff(settings.callback_retry_initial_seconds,
                                       settings.callback_retry_max_seconds,
                                       timedelta(hours=settings.callback_max_age_hours))
        # Long enough for a whole batch (sent concurrently: resolution plus one request each).
        self._lease = timedelta(seconds=3 * self._timeout + 10)
        self._client = delivery.make_client(self._timeout)
        self._pruned_at = 0.0
        self.healthy = True

    async def run_once(self) -> int:
        """One round; returns how many events were delivered."""
        now = datetime.now(UTC)
        token, batch = await asyncio.to_thread(outbox.claim, self._engine, self._cipher, now=now,
                                               limit=self._settings.callback_batch, lease=self._lease)
        if not batch:
            return 0
        outcomes = await asyncio.gather(*(self._send(c) for c in batch))
        results = list(zip(batch, outcomes, strict=True))
        dead = await asyncio.to_thread(outbox.record, self._engine, token, results,
                                       now=datetime.now(UTC), backoff=self._backoff)
        for c, outcome in results:
            if outcome.ok:
                DELIVERED.inc()
                continue
            FAILED.labels(reason=outcome.kind).inc()
            log.info("callback delivery failed", event_id=c.id, hospital_id=c.hospital_id,
                     bundle_id=c.bundle_id, attempt=c.attempts + 1, error=outcome.error)
        for c in dead:
            DEAD.inc()
            log.warning("callback dead-lettered", event_id=c.id, hospital_id=c.hospital_id,
                        bundle_id=c.bundle_id, attempts=c.attempts + 1)
        return sum(o.ok for o in outcomes)

    async def _send(self, c: outbox.Claimed) -> delivery.Outcome:
        return await delivery.send(self._client, url=c.url, secrets=c.secrets, event_id=c.id,
                                   event_type=c.type, body=c.body.encode(), policy=self._policy,
                                   timeout=self._timeout, resolver=self._resolver,
                                   legacy=self._settings.legacy_signature_on(datetime.now(UTC).date()))

    async def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = time.monotonic()
        before = datetime.now(UTC) - timedelta(days=self._settings.callback_event_retention_days)
        n = await asyncio.to_thread(outbox.prune, self._engine, before=before)
        if n:
            log.info("callback events pruned", count=n)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: go on at once while deliveries succeed (a bundle's next event is due), else
        wait a poll interval."""
        while not stop.is_set():
            delivered = 0
            try:
                await self._prune()
                delivered = await self.run_once()
                self.healthy = True
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while: keep going
                self.healthy = False
                log.warning("callback round failed", error_type=type(exc).__name__)
            if not delivered:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._settings.callback_poll_seconds)

    async def aclose(self) -> None:
        await self._client.aclose()
