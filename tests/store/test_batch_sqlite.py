"""SQLite's batch writes (one statement per table) store exactly what the per-row writes store,
find their rows by key and never scan a table, and refuse what the per-row guard refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from domain.bundle_state import bundle_id_for, header_of, new_input
from domain.contracts import (
    BundleStatus,
    BundleSync,
    Note,
    Service,
    ServiceChange,
    ServiceStatus,
    TimelineEvent,
)
from domain.notification import BirthNotification
from store import batch_sqlite, bundles, webhooks
from store.auth_models import Hospital
from store.callback_models import HospitalEvent
from store.cipher import StateCipher
from store.migrate import upgrade_to_head
from store.models import Bundle, ServiceStatusRow, TimelineRow
from tests.support import payloads
from tests.support.readmodel import engine_for

PLAIN = StateCipher({})  # no key: rows compare equal column by column


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    with engine_for(url) as eng:
        yield eng


def _received(engine, record: str):
    n = BirthNotification.model_validate(payloads.manual(record_id=record))
    st = new_input(bundle_id=bundle_id_for("RSUD-A", n.record_id), hospital_id="RSUD-A",
                   received_at=datetime.now(UTC), notification=n).state
    with Session(engine) as s:
        assert bundles.insert_received(session=s, state=st, cipher=PLAIN)
    return st


def _changed(st, history: int) -> BundleSync:
    st.version += 1
    akta = st.children[0].services[Service.AKTA]
    akta.status, akta.reason = ServiceStatus.NEEDS_ATTENTION, "SPTJM_TIDAK_SAH"
    st.status = BundleStatus.NEEDS_ATTENTION
    first = len(st.timeline)
    st.timeline.append(TimelineEvent(at=datetime(2026, 12, 7, 8, tzinfo=UTC), kind="needs_attention",
                                     message="perlu petugas", note=Note.BY_ACTOR_BECAUSE,
                                     params={"actor": "op-1", "reason": "perlu petugas"}))
    return BundleSync(header=header_of(st), history_length=history, first_seq=first,
                      services=[ServiceChange(birth_order=1, service=Service.AKTA, state=akta)],
                      events=st.timeline[first:], timeline_length=len(st.timeline))


def _rows(engine, table, bid: str, skip=()) -> list[dict]:
    with engine.connect() as c:
        key = "id" if table is Bundle.__table__ else "bundle_id"
        rows = c.execute(sa.text(f"SELECT * FROM {table.name} WHERE {key} = :b"), {"b": bid}).mappings()
        return [{k: v for k, v in r.items() if k not in skip} for r in rows]


def test_a_batch_stores_byte_for_byte_what_the_per_row_writes_store(engine):
    with Session(engine) as s:
        s.add(Hospital(id="RSUD-A", name="RSUD A", created_at=datetime.now(UTC)))
        s.commit()
        webhooks.put(session=s, cipher=PLAIN, hospital_id="RSUD-A", url="https://rs.example/hook")
    by_row, batched, other = (_received(engine, r) for r in ("R-ROW", "R-BATCH", "R-OTHER"))
    with Session(engine) as s:  # the per-row statements (PostgreSQL's path), one bundle
        assert bundles.write(s, _changed(by_row, 5), PLAIN)
        s.commit()
    with Session(engine) as s:  # SQLite's batch path: two bundles, one statement per table
        assert bundles.apply_syncs(session=s, syncs=[_changed(batched, 5), _changed(other, 3)],
                                   cipher=PLAIN) == [True, True]
    ids = {"id", "bundle_id", "record_id", "content_hash", "updated_at", "state_json", "seq", "body",
           "occurred_at", "next_attempt_at", "received_at", "at"}
    for table in (Bundle.__table__, ServiceStatusRow.__table__, TimelineRow.__table__,
                  HospitalEvent.__table__):
        row_way = _rows(engine, table, by_row.bundle_id, ids)
        batch_way = _rows(engine, table, batched.bundle_id, ids)
        assert row_way and row_way == batch_way, table.name
    with engine.connect() as c:  # timestamps in the same text form, whichever path wrote them
        stamps = c.execute(sa.text("SELECT at FROM timeline_event WHERE seq = 1")).scalars().all()
    assert len(stamps) == 3 and len(set(stamps)) == 1
    assert _rows(engine, HospitalEvent.__table__, batched.bundle_id)[-1]["delivery"] == "pending"


def test_a_batch_refuses_what_is_not_newer_and_trims_a_longer_timeline(engine):
    a, b = _received(engine, "R-A"), _received(engine, "R-B")
    newer = _changed(a, 9)
    with Session(engine) as s:
        assert bundles.apply_syncs(session=s, syncs=[newer], cipher=PLAIN) == [True]
    stale = newer.model_copy(update={"history_length": 8})
    shorter = _changed(b, 4).model_copy(update={"events": [], "timeline_length": 1})
    with Session(engine) as s:
        assert bundles.apply_syncs(session=s, syncs=[stale, shorter], cipher=PLAIN) == [False, True]
    assert len(_rows(engine, TimelineRow.__table__, a.bundle_id)) == 2
    assert len(_rows(engine, TimelineRow.__table__, b.bundle_id)) == 1  # event 1 trimmed


def test_each_statement_finds_its_rows_by_key(engine):
    a = _received(engine, "R-PLAN")
    sync = _changed(a, 2)
    with Session(engine) as s:
        prepared = [bundles._prepare(s, sync, PLAIN)]
    statements = [batch_sqlite._update_bundles(tuple(c for c in prepared[0].bundle)),
                  batch_sqlite._upsert(ServiceStatusRow.__table__, tuple(prepared[0].services[0]),
                                       ("bundle_id", "birth_order", "service")),
                  batch_sqlite._trim_timelines(), batch_sqlite._insert_events()]
    with engine.connect() as c:
        for stmt in statements:
            compiled = stmt.compile(dialect=c.dialect)
            params = compiled.construct_params({"rows": "[]"})
            sql = str(compiled)
            plan = " | ".join(r[-1] for r in c.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, tuple(params[k] for k in compiled.positiontup)))
            scans = [p for p in plan.split(" | ") if p.startswith("SCAN") and "json_each" not in p
                     and "VIRTUAL TABLE" not in p]
            assert not scans, (sql, plan)
