"""The dispatcher against a real receiver on 127.0.0.1: signed, at least once, in order per bundle."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from standardwebhooks import Webhook
from structlog.testing import capture_logs

from adapters.webhooks import signing
from cli.dispatcher import Dispatcher
from store import webhooks
from store.callback_models import HospitalEvent, HospitalWebhook
from store.db import make_engine
from tests.api.callbacks.conftest import hospital, received, settings_for, sync


def register(engine, settings, h: str, url: str) -> str:
    with Session(engine) as s:
        return webhooks.put(session=s, cipher=settings.readmodel_cipher(), hospital_id=h, url=url).secret


def deliveries(engine, h: str) -> list[HospitalEvent]:
    with Session(engine) as s:
        return list(s.exec(sa.select(HospitalEvent).where(HospitalEvent.hospital_id == h)
                           .order_by(HospitalEvent.seq)).scalars())


def a_bundle_with_events(engine, settings, h: str, n: int = 3):
    cipher = settings.readmodel_cipher()
    st = received(engine, h, cipher)
    for service in ("routing", "kk", "routing")[:n]:
        status = "in_progress" if st.version < 2 else "completed"
        st = sync(engine, st, cipher, services={(0, service): status})
    return st


async def drain(dispatcher: Dispatcher, engine, h: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while any(e.delivery == "pending" for e in deliveries(engine, h)):
        assert time.monotonic() < deadline, [(e.delivery, e.last_error) for e in deliveries(engine, h)]
        await dispatcher.run_once()
        await asyncio.sleep(0.02)


async def test_delivered_signed_in_order(sqlite_engine, sqlite_url, receiver):
    settings = settings_for(sqlite_url)
    h = hospital(sqlite_engine)
    receiver.secret = register(sqlite_engine, settings, h, receiver.url)
    st = a_bundle_with_events(sqlite_engine, settings, h)
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        await drain(dispatcher, sqlite_engine, h)
    finally:
        await dispatcher.aclose()
    stored = deliveries(sqlite_engine, h)
    assert all(d.verified for d in receiver.deliveries)
    assert [e["id"] for e in receiver.events(st.bundle_id)] == [e.id for e in stored]
    assert [e["version"] for e in receiver.events()] == [1, 2, 3]
    first = receiver.deliveries[0]
    assert first.headers["x-kelahiran-event-id"] == stored[0].id
    assert first.headers["x-kelahiran-event-type"] == "bundle.service_changed"
    assert abs(int(first.headers["x-kelahiran-timestamp"]) - time.time()) < 60
    assert first.body.decode() == stored[0].body  # byte for byte what was signed
    assert {e.delivery for e in stored} == {"delivered"} and all(e.attempts == 1 for e in stored)


async def test_a_failing_receiver_is_retried_with_backoff_then_gets_everything(sqlite_engine, sqlite_url,
                                                                                receiver):
    settings = settings_for(sqlite_url, callback_retry_initial_seconds=0.3, callback_retry_max_seconds=0.3)
    h = hospital(sqlite_engine)
    receiver.secret = register(sqlite_engine, settings, h, receiver.url)
    bundles = [a_bundle_with_events(sqlite_engine, settings, h) for _ in range(2)]
    receiver.status = 503
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        with capture_logs() as logs:
            await dispatcher.run_once()
        assert receiver.refused == 2  # the first event of each bundle, not the ones behind them
        failed = ("callback delivery failed", "HTTP 503")
        assert [(log["event"], log["error"]) for log in logs] == [failed, failed]
        # Ids and the error only: never the URL (it may carry a token), the secret or the body.
        assert not [log for log in logs if {"url", "body", "secret", "secrets"} & set(log)]
        assert not [log for log in logs if receiver.secret in repr(log) or "/hook" in repr(log)]
        stored = deliveries(sqlite_engine, h)
        tried = [e for e in stored if e.attempts]
        assert len(tried) == 2 and {e.last_error for e in tried} == {"HTTP 503"}
        with Session(sqlite_engine) as s:
            hook = s.get(HospitalWebhook, h)
            assert hook.failures == 1 and hook.blocked_until is not None and hook.last_error == "HTTP 503"
        await dispatcher.run_once()
        assert receiver.refused == 2  # the hospital backs off as a whole
        receiver.status = 200
        await drain(dispatcher, sqlite_engine, h)
    finally:
        await dispatcher.aclose()
    for st in bundles:
        assert [e["version"] for e in receiver.events(st.bundle_id)] == [1, 2, 3]
    with Session(sqlite_engine) as s:
        assert s.get(HospitalWebhook, h).failures == 0


async def test_redirects_are_not_followed(sqlite_engine, sqlite_url, receiver):
    settings = settings_for(sqlite_url)
    h = hospital(sqlite_engine)
    receiver.secret = register(sqlite_engine, settings, h, receiver.url)
    a_bundle_with_events(sqlite_engine, settings, h, n=1)
    receiver.redirect = True
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    [event] = deliveries(sqlite_engine, h)
    assert receiver.elsewhere == [] and event.delivery == "pending"
    assert event.last_error == "HTTP 302: redirects are not followed"


async def test_after_the_maximum_age_an_event_is_dead_lettered_and_the_next_goes(sqlite_engine, sqlite_url,
                                                                                  receiver):
    settings = settings_for(sqlite_url, callback_max_age_hours=1 / 3600)  # one second
    h = hospital(sqlite_engine)
    receiver.secret = register(sqlite_engine, settings, h, receiver.url)
    a_bundle_with_events(sqlite_engine, settings, h, n=2)
    receiver.status = 500
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        await asyncio.sleep(1.1)
        await dispatcher.run_once()
        assert [e.delivery for e in deliveries(sqlite_engine, h)] == ["dead", "pending"]
        receiver.status = 200
        await drain(dispatcher, sqlite_engine, h)
    finally:
        await dispatcher.aclose()
    assert [e.delivery for e in deliveries(sqlite_engine, h)] == ["dead", "delivered"]
    with Session(sqlite_engine) as s:
        assert webhooks.backlog(session=s, hospital_id=h) == {"pending": 0, "dead": 1}


async def test_replicas_never_send_an_event_twice(db_url, engine, receiver):
    settings = settings_for(db_url)
    h = hospital(engine)
    receiver.secret = register(engine, settings, h, receiver.url)
    for _ in range(8):
        a_bundle_with_events(engine, settings, h)
    engines = [make_engine(db_url) for _ in range(3)]
    replicas = [Dispatcher(e, settings) for e in engines]
    try:
        deadline = time.monotonic() + 20
        while any(e.delivery == "pending" for e in deliveries(engine, h)):
            assert time.monotonic() < deadline
            await asyncio.gather(*(d.run_once() for d in replicas))
    finally:
        for d, e in zip(replicas, engines, strict=True):
            await d.aclose()
            e.dispose()
    sent = Counter(d.event["id"] for d in receiver.deliveries)
    assert len(sent) == 24 and set(sent.values()) == {1}
    for bundle_id in {d.event["bundle_id"] for d in receiver.deliveries}:
        assert [e["version"] for e in receiver.events(bundle_id)] == [1, 2, 3]


async def test_the_resolved_address_is_connected_to_and_checked_at_every_delivery(sqlite_engine, sqlite_url,
                                                                                  receiver):
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    answers = {"callbacks.rs.invalid": ["127.0.0.2", "127.0.0.1"]}  # nothing listens on the first

    async def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    h = hospital(sqlite_engine)
    url = f"http://callbacks.rs.invalid:{port}/hook"
    # Development: any address; the name exists only in our resolver, so the request went to its answer.
    settings = settings_for(sqlite_url)
    receiver.secret = register(sqlite_engine, settings, h, url)
    a_bundle_with_events(sqlite_engine, settings, h, n=1)
    dispatcher = Dispatcher(sqlite_engine, settings, resolver=resolve)
    try:
        await drain(dispatcher, sqlite_engine, h)
    finally:
        await dispatcher.aclose()
    assert receiver.deliveries[0].headers["host"] == f"callbacks.rs.invalid:{port}"
    # Production rules: registered while it resolved to a public address, the name now answers
    # loopback (DNS rebinding): nothing is sent.
    answers["callbacks.rs.invalid"] = ["127.0.0.1"]
    register(sqlite_engine, settings, h, f"https://callbacks.rs.invalid:{port}/hook")
    a_bundle_with_events(sqlite_engine, settings, h, n=1)
    # Without the development allowance (as in production), DNS rebinding to loopback is refused.
    strict = Dispatcher(sqlite_engine, settings_for(sqlite_url, callback_allow_loopback=False),
                        resolver=resolve)
    try:
        await strict.run_once()
    finally:
        await strict.aclose()
    assert len(receiver.deliveries) == 1
    assert deliveries(sqlite_engine, h)[-1].last_error == (
        "refused: resolves to a loopback, private, link-local or otherwise non-public address outside "
        "the allowed networks")


@pytest.mark.parametrize("grace_hours", [24, 0])
async def test_after_a_rotation_the_old_secret_verifies_only_during_the_grace(sqlite_engine, sqlite_url,
                                                                               receiver, grace_hours):
    settings = settings_for(sqlite_url)
    h = hospital(sqlite_engine)
    receiver.secret = register(sqlite_engine, settings, h, receiver.url)
    with Session(sqlite_engine) as s:
        new = webhooks.rotate(session=s, cipher=settings.readmodel_cipher(), hospital_id=h,
                              grace=timedelta(hours=grace_hours)).secret
    a_bundle_with_events(sqlite_engine, settings, h, n=1)
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    [delivery] = receiver.deliveries
    assert delivery.verified is bool(grace_hours)  # verified with the old secret (standardwebhooks)
    assert delivery.legacy_verified is bool(grace_hours)  # and the deprecated header, still sent
    assert delivery.headers["webhook-signature"].count("v1,") == (2 if grace_hours else 1)
    assert delivery.headers["x-kelahiran-signature"].count("v1=") == (2 if grace_hours else 1)
    Webhook(new).verify(delivery.body, delivery.headers)
    assert signing.verify(new, delivery.headers["x-kelahiran-timestamp"],
                          delivery.headers["x-kelahiran-signature"], delivery.body)


async def test_after_the_deprecation_period_only_standard_webhooks_headers_go(sqlite_engine, sqlite_url,
                                                                              receiver):
    settings = settings_for(sqlite_url, callback_legacy_signature_until=date(2020, 1, 1))
    h = hospital(sqlite_engine)
    receiver.secret = register(sqlite_engine, settings, h, receiver.url)
    a_bundle_with_events(sqlite_engine, settings, h, n=1)
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    [delivery] = receiver.deliveries
    assert delivery.verified and delivery.headers["webhook-id"] == delivery.event["id"]
    assert delivery.headers["x-kelahiran-event-type"] == delivery.event["type"]
    assert not {"x-kelahiran-signature", "x-kelahiran-timestamp"} & set(delivery.headers)


async def test_loopback_is_refused_at_delivery_without_the_development_allowance(sqlite_engine, sqlite_url,
                                                                                 receiver):
    """Registered while allowed, the setting turned off later: the next delivery is refused, not sent."""
    h = hospital(sqlite_engine)
    register(sqlite_engine, settings_for(sqlite_url), h, receiver.url)
    settings = settings_for(sqlite_url, callback_allow_loopback=False)
    a_bundle_with_events(sqlite_engine, settings, h, n=1)
    dispatcher = Dispatcher(sqlite_engine, settings)
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    assert receiver.deliveries == []
    assert deliveries(sqlite_engine, h)[-1].last_error.startswith("refused: resolves to a loopback")
