"""Events are written with the read model (same transaction), thin, and polled in a stable order."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from adapters.webhooks.delivery import Outcome
from domain.bundle_state import all_services, header_of
from domain.contracts import Service, ServiceStatus
from store import batch, bundles, crud, outbox, webhooks
from store import callback_events as events
from store.callback_models import HospitalEvent
from store.cipher import StateCipher, spec_for_tests
from store.outbox import Backoff
from tests.api.callbacks.conftest import hospital, received, sync
from tests.support.readmodel import write_state

CIPHER = StateCipher.from_spec(spec_for_tests())


def rows(engine, bundle_id: str) -> list[HospitalEvent]:
    with Session(engine) as s:
        return list(s.exec(sa.select(HospitalEvent).where(HospitalEvent.bundle_id == bundle_id)
                           .order_by(HospitalEvent.seq)).scalars())


def test_each_change_is_one_event_of_the_right_type(engine):
    h = hospital(engine)
    st = received(engine, h, CIPHER)
    st = sync(engine, st, CIPHER)  # a snapshot with nothing new for the hospital: no event
    assert rows(engine, st.bundle_id) == []
    st = sync(engine, st, CIPHER, services={(0, "routing"): "completed", (1, "nik"): "in_progress"})
    st = sync(engine, st, CIPHER, status="needs_attention",
              services={(1, "akta"): "needs_attention:SPTJM_TIDAK_SAH"})
    st = sync(engine, st, CIPHER)  # again nothing new
    st = sync(engine, st, CIPHER, status="in_progress", services={(1, "akta"): "completed"})
    st = sync(engine, st, CIPHER, status="completed", services={(0, "kk"): "completed"})
    got = [json.loads(r.body) for r in rows(engine, st.bundle_id)]
    assert [e["type"] for e in got] == ["bundle.service_changed", "bundle.status_changed",
                                        "bundle.status_changed", "bundle.completed"]
    assert [(e["previous_status"], e["status"]) for e in got] == [
        ("in_progress", "in_progress"), ("in_progress", "needs_attention"),
        ("needs_attention", "in_progress"), ("in_progress", "completed")]
    assert [c["service"] for c in got[0]["changes"]] == ["routing", "nik"]
    attention = got[1]["changes"][0]
    assert (attention["service"], attention["previous_status"], attention["status"], attention["reason"]) == (
        "akta", "pending", "needs_attention", "SPTJM_TIDAK_SAH")
    assert [e["version"] for e in got] == [2, 3, 5, 6]
    assert {(s["birth_order"], s["service"]) for s in got[-1]["services"]} >= {(0, "kk"), (1, "akta")}


def test_other_terminal_statuses_are_closed_events(engine):
    st = received(engine, hospital(engine), CIPHER)
    st = sync(engine, st, CIPHER, status="closed_with_issues", services={(0, "routing"): "cancelled"})
    assert rows(engine, st.bundle_id)[0].type == "bundle.closed"


def test_no_event_without_the_write_and_none_for_an_older_snapshot(engine, monkeypatch):
    st = received(engine, hospital(engine), CIPHER)
    newer = sync(engine, st, CIPHER, services={(0, "routing"): "completed"})
    older = st.model_copy(deep=True)
    older.version = 1
    older.routing.status = ServiceStatus.IN_PROGRESS
    with Session(engine) as s:
        assert write_state(s, older, CIPHER) is False
    assert len(rows(engine, st.bundle_id)) == 1

    def fail_after(**kw):  # the event is written, then the transaction fails before its commit
        events.insert_change(**kw)
        raise RuntimeError("database went away")

    def fail_after_batch(conn, changes):  # the same on the one-statement-per-table path
        real_batch(conn, changes)
        raise RuntimeError("database went away")

    real_batch = batch.insert_changes
    monkeypatch.setattr(bundles, "insert_change", fail_after)
    monkeypatch.setattr(batch, "insert_changes", fail_after_batch)
    failed = newer.model_copy(deep=True)
    failed.version, failed.kk.status = 9, ServiceStatus.COMPLETED
    with Session(engine) as s, pytest.raises(RuntimeError):
        write_state(s, failed, CIPHER)
    assert len(rows(engine, st.bundle_id)) == 1  # neither the row nor its event
    with Session(engine) as s:
        assert crud.get_bundle(session=s, bundle_id=st.bundle_id).version == newer.version


def test_events_carry_no_personal_data(engine):
    st = received(engine, hospital(engine), CIPHER)
    st.children[0].services[Service.NIK].document_number = "3673054101260001"
    st.kk.document_number = st.kk.document_number or "3673051203150004"
    st.children[0].services[Service.AKTA].document_number = "3673-LU-28112026-0001"
    st.children[0].services[Service.BPJS].facts["virtual_account"] = "8888801234567890"
    st = sync(engine, st, CIPHER, services={(1, "nik"): "completed", (0, "kk"): "completed"})
    body = rows(engine, st.bundle_id)[0].body
    for secret in ("3673054101260001", "3673051203150004", "3673-LU-", "8888801234567890", "Rina", "Agus"):
        assert secret not in body


def test_delivery_is_pending_only_while_a_webhook_is_registered(engine):
    h = hospital(engine)
    st = received(engine, h, CIPHER)
    st = sync(engine, st, CIPHER, services={(0, "routing"): "in_progress"})
    with Session(engine) as s:
        webhooks.put(session=s, cipher=CIPHER, hospital_id=h, url="http://127.0.0.1:9/hook")
    st = sync(engine, st, CIPHER, services={(0, "routing"): "completed"})
    assert [r.delivery for r in rows(engine, st.bundle_id)] == ["none", "pending"]
    with Session(engine) as s:
        assert webhooks.backlog(session=s, hospital_id=h) == {"pending": 1, "dead": 0}
        webhooks.delete(session=s, hospital_id=h)
    assert [r.delivery for r in rows(engine, st.bundle_id)] == ["none", "none"]


def test_polling_pages_in_order_after_an_event(engine):
    h = hospital(engine)
    a, b = received(engine, h, CIPHER), received(engine, h, CIPHER)
    for service in ("routing", "kk"):
        a = sync(engine, a, CIPHER, services={(0, service): "completed"})
        b = sync(engine, b, CIPHER, services={(0, service): "completed"})
    other = received(engine, hospital(engine), CIPHER)
    sync(engine, other, CIPHER, services={(0, "routing"): "completed"})
    others = rows(engine, other.bundle_id)
    with Session(engine) as s:
        first = outbox.page(session=s, hospital_id=h, after=None, bundle_id=None, limit=3)
        rest = outbox.page(session=s, hospital_id=h, after=first[-1].id, bundle_id=None, limit=10)
        only_b = outbox.page(session=s, hospital_id=h, after=None, bundle_id=b.bundle_id, limit=10)
        with pytest.raises(outbox.UnknownEvent):  # another hospital's event is no cursor
            outbox.page(session=s, hospital_id=h, after=others[0].id, bundle_id=None, limit=1)
    bundles = [json.loads(r.body)["bundle_id"] for r in first + rest]
    assert bundles == [a.bundle_id, b.bundle_id, a.bundle_id, b.bundle_id]
    assert [json.loads(r.body)["version"] for r in only_b] == [1, 2]


# PostgreSQL only: SQLite has one writer at a time, so its event order is commit order.
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgres_polling_never_skips_a_transaction_that_commits_late(db_url, engine):
    assert db_url.startswith("postgresql")
    h = hospital(engine)
    slow, fast = received(engine, h, CIPHER), received(engine, h, CIPHER)
    late = slow.model_copy(deep=True)
    late.version, late.routing.status = 1, ServiceStatus.COMPLETED
    with Session(engine) as open_tx:  # writes its event, and has not committed yet
        open_tx.exec(sa.update(crud.Bundle).where(crud.Bundle.id == slow.bundle_id).values(version=1))
        change = events.prepare_change(session=open_tx, header=header_of(late), services={
            (o, svc.value): (st.status.value, st.reason) for o, svc, st in all_services(late)})
        events.insert_change(session=open_tx, change=change)
        sync(engine, fast, CIPHER, services={(0, "routing"): "completed"})  # commits first
        with Session(engine) as s:
            assert outbox.page(session=s, hospital_id=h, after=None, bundle_id=None, limit=10) == []
        open_tx.commit()
    with Session(engine) as s:
        seen = outbox.page(session=s, hospital_id=h, after=None, bundle_id=None, limit=10)
    assert [json.loads(r.body)["bundle_id"] for r in seen] == [slow.bundle_id, fast.bundle_id]


@pytest.mark.parametrize("write", ["record", "prune"])
def test_delivery_bookkeeping_waits_for_another_writer_then_succeeds(sqlite_engine, write):
    """SQLite's busy timeout: while another process holds a write transaction, the bookkeeping
    waits for it instead of failing with "database is locked"."""
    now = datetime.now(UTC)
    backoff = Backoff(initial=1, maximum=2, max_age=timedelta(days=1))
    tried = outbox.Claimed(seq=1, id="e1", type="bundle.completed", hospital_id="RS-1", bundle_id="b1",
                           occurred_at=now, attempts=0, body="{}", url="http://127.0.0.1:1/hook",
                           secrets=[], failures=0)
    outcome = Outcome(ok=False, kind="connection", error="connection failed")
    run = {"record": lambda: outbox.record(sqlite_engine, "token", [(tried, outcome)], now=now,
                                           backoff=backoff),
           "prune": lambda: outbox.prune(sqlite_engine, before=now)}[write]
    with ThreadPoolExecutor(1) as pool:
        other = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # as the API's intake would, from another process
        done = pool.submit(run)
        time.sleep(0.3)
        assert not done.done()
        other.execute("COMMIT")
        other.close()
        done.result(timeout=10)
