"""The batch writes (one statement per table, on SQLite and PostgreSQL) store exactly what the
per-row writes store, refuse what the per-row guard refuses, and on SQLite find their rows by key
and never scan a table."""

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
from store import batch, bundles, documents, webhooks
from store.auth_models import Hospital
from store.callback_models import HospitalEvent
from store.cipher import StateCipher
from store.migrate import upgrade_to_head
from store.models import Bundle, ServiceStatusRow, TimelineRow
from tests.support import payloads
from tests.support.readmodel import engine_for

PLAIN = StateCipher({})  # no key: rows compare equal column by column


@pytest.fixture
def sqlite_engine(tmp_path):
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
    with Session(engine) as s:  # the per-row statements (rebuilds, retention), one bundle
        assert bundles.write(s, _changed(by_row, 5), PLAIN)
        s.commit()
    with Session(engine) as s:  # the batch path: two bundles, one statement per table
        assert bundles.apply_syncs(session=s, syncs=[_changed(batched, 5), _changed(other, 3)],
                                   cipher=PLAIN) == [True, True]
    ids = {"id", "bundle_id", "record_id", "content_hash", "updated_at", "state_json", "seq", "body",
           "occurred_at", "next_attempt_at", "received_at", "at", "txid"}  # txid: checked below
    for table in (Bundle.__table__, ServiceStatusRow.__table__, TimelineRow.__table__,
                  HospitalEvent.__table__):
        row_way = _rows(engine, table, by_row.bundle_id, ids)
        batch_way = _rows(engine, table, batched.bundle_id, ids)
        assert row_way and row_way == batch_way, table.name
    with engine.connect() as c:  # timestamps in the same form (SQLite: text), whichever path wrote them
        stamps = c.execute(sa.text("SELECT at FROM timeline_event WHERE seq = 1")).scalars().all()
    assert len(stamps) == 3 and len(set(stamps)) == 1
    # PostgreSQL: the writing transaction's id (the hospitals' polling orders by it), one per commit
    txids = [_rows(engine, HospitalEvent.__table__, b.bundle_id)[-1]["txid"]
             for b in (by_row, batched, other)]
    assert txids == [0, 0, 0] if engine.dialect.name == "sqlite" else (
        txids[1] == txids[2] and txids[0] < txids[1])
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


def test_each_sqlite_statement_finds_its_rows_by_key(sqlite_engine):
    a = _received(sqlite_engine, "R-PLAN")
    sync = _changed(a, 2)
    with Session(sqlite_engine) as s:
        prepared = [bundles._prepare(s, sync, PLAIN)]
    statements = [batch._update_bundles("sqlite", tuple(c for c in prepared[0].bundle)),
                  batch._upsert("sqlite", ServiceStatusRow.__table__, tuple(prepared[0].services[0]),
                                ("bundle_id", "birth_order", "service")),
                  batch._trim_timelines("sqlite"), batch._insert_events("sqlite")]
    with sqlite_engine.connect() as c:
        for stmt in statements:
            compiled = stmt.compile(dialect=c.dialect)
            params = compiled.construct_params({"rows": "[]"})
            sql = str(compiled)
            plan = " | ".join(r[-1] for r in c.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, tuple(params[k] for k in compiled.positiontup)))
            scans = [p for p in plan.split(" | ") if p.startswith("SCAN") and "json_each" not in p
                     and "VIRTUAL TABLE" not in p]
            assert not scans, (sql, plan)


def test_a_bundle_twice_in_one_batch_gets_one_event_per_change(engine):
    st = _received(engine, "R-TWICE")
    first = _changed(st, 4)  # akta needs attention: one event
    st.children[0].services[Service.AKTA].status = ServiceStatus.COMPLETED
    st.status, st.version = BundleStatus.IN_PROGRESS, st.version + 1
    second = BundleSync(header=header_of(st), history_length=6, first_seq=len(st.timeline), events=[],
                        services=[ServiceChange(birth_order=1, service=Service.AKTA,
                                                state=st.children[0].services[Service.AKTA])],
                        timeline_length=len(st.timeline))
    with Session(engine) as s:
        assert bundles.apply_syncs(session=s, syncs=[first, second], cipher=PLAIN) == [True, True]
    events = _rows(engine, HospitalEvent.__table__, st.bundle_id)
    assert [e["type"] for e in events] == ["bundle.status_changed", "bundle.status_changed"]
    assert '"previous_status":"needs_attention"' in events[-1]["body"]


def _akta_issued(st, history: int, number: str) -> BundleSync:
    st.version += 1
    akta = st.children[0].services[Service.AKTA]
    akta.status, akta.reason, akta.document_number = ServiceStatus.COMPLETED, None, number
    return BundleSync(header=header_of(st), history_length=history, first_seq=len(st.timeline),
                      services=[ServiceChange(birth_order=1, service=Service.AKTA, state=akta)],
                      events=[], timeline_length=len(st.timeline))


def test_the_workflows_syncs_write_the_akta_they_report_once_in_their_transaction(engine):
    """Batched or one by one, a sync that reports an akta issued stores its document row with the
    bundle; the same report again (a retried or stale sync) stores no second row."""
    a, b, c = (_received(engine, r) for r in ("R-DOC-A", "R-DOC-B", "R-DOC-C"))
    first = [_akta_issued(a, 5, "3673-LU-01122026-0001"), _akta_issued(b, 5, "3673-LU-01122026-0002")]
    with Session(engine) as s:
        assert bundles.apply_syncs(session=s, syncs=first, cipher=PLAIN, with_documents=True) == [True, True]
    with Session(engine) as s:  # the first again, now stale, and a bundle on its own
        assert bundles.apply_syncs(session=s, syncs=[first[0]], cipher=PLAIN, with_documents=True) == [False]
        assert bundles.apply_sync(session=s, sync=_akta_issued(c, 4, "3673-LU-01122026-0003"), cipher=PLAIN,
                                  with_documents=True)
    with Session(engine) as s:  # not asked (a rebuild, retention): no document row
        assert bundles.apply_sync(session=s, sync=_akta_issued(c, 6, "3673-LU-01122026-0003"), cipher=PLAIN)
    for st, number in ((a, "0001"), (b, "0002"), (c, "0003")):
        with Session(engine) as s:
            (doc,) = documents.rows_of(session=s, cipher=PLAIN, bundle_id=st.bundle_id)
        assert (doc.kind, doc.source, doc.birth_order) == (documents.AKTA, documents.BUNDLE, 1)
        assert doc.current
        assert doc.number == f"3673-LU-01122026-{number}"
