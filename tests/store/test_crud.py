"""Read-model behaviour on real SQLite and the real PostgreSQL, schema created by the migrations."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session

from domain.bundle_state import bundle_id_for, content_hash, initial_state
from domain.contracts import BundleStatus, KelahiranInput, Service, ServiceStatus
from domain.notification import BirthNotification
from store import crud
from store.cipher import StateCipher, spec_for_tests
from store.models import read_model_metadata
from tests.support import payloads
from tests.support.postgres import throwaway_schema
from tests.support.readmodel import engine_for

CIPHER = StateCipher.from_spec(spec_for_tests())


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/rm.db"
    else:
        with throwaway_schema() as url:
            yield url


@pytest.fixture
def engine(db_url):
    with engine_for(db_url, migrate=True) as eng:
        yield eng


def _state(hospital="RSUD-A", children=None):
    n = BirthNotification.model_validate(payloads.manual(children=children))
    inp = KelahiranInput(bundle_id=bundle_id_for(hospital, n.record_id), hospital_id=hospital,
                         content_hash=content_hash(n), received_at=datetime.now(UTC), notification=n)
    return initial_state(inp)


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), read_model_metadata())
    assert diff == []


def test_insert_is_unique_per_record(engine):
    st = _state()
    with Session(engine) as s:
        assert crud.insert_received(session=s, state=st, cipher=CIPHER) is True
        assert crud.insert_received(session=s, state=st, cipher=CIPHER) is False
        row = crud.get_by_record(session=s, hospital_id="RSUD-A", record_id=st.record_id)
        assert row is not None and row.id == st.bundle_id


def test_snapshots_never_go_backwards(engine):
    st = _state()
    with Session(engine) as s:
        crud.insert_received(session=s, state=st, cipher=CIPHER)
    newer = st.model_copy(deep=True)
    newer.version = 5
    newer.status = BundleStatus.NEEDS_ATTENTION
    newer.children[0].services[Service.AKTA].status = ServiceStatus.NEEDS_ATTENTION
    newer.children[0].services[Service.AKTA].reason = "SPTJM_TIDAK_SAH"
    older = st.model_copy(deep=True)
    older.version = 3
    older.status = BundleStatus.IN_PROGRESS
    with Session(engine) as s:
        assert crud.apply_snapshot(session=s, state=newer, cipher=CIPHER) is True
        assert crud.apply_snapshot(session=s, state=older, cipher=CIPHER) is False
        row = crud.get_bundle(session=s, bundle_id=st.bundle_id)
        assert (row.status, row.version, row.reasons) == ("needs_attention", 5, "SPTJM_TIDAK_SAH")


def test_snapshot_creates_a_missing_row(engine):
    st = _state()
    st.version = 1
    with Session(engine) as s:
        assert crud.apply_snapshot(session=s, state=st, cipher=CIPHER) is True
        assert crud.get_bundle(session=s, bundle_id=st.bundle_id) is not None


def test_concurrent_snapshots_keep_the_newest(engine):
    st = _state()
    with Session(engine) as s:
        crud.insert_received(session=s, state=st, cipher=CIPHER)

    def write(v: int) -> None:
        snap = st.model_copy(deep=True)
        snap.version = v
        with Session(engine) as s:
            crud.apply_snapshot(session=s, state=snap, cipher=CIPHER)

    threads = [threading.Thread(target=write, args=(v,)) for v in range(1, 21)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as s:
        assert crud.get_bundle(session=s, bundle_id=st.bundle_id).version == 20


def test_filters_and_pagination(engine):
    states = [_state(hospital=h) for h in ("RSUD-A", "RSUD-A", "RSUD-B")]
    states[1].version = 1
    states[1].status = BundleStatus.NEEDS_ATTENTION
    states[1].kk.status = ServiceStatus.NEEDS_ATTENTION
    with Session(engine) as s:
        for st in states:
            crud.insert_received(session=s, state=st, cipher=CIPHER)
        crud.apply_snapshot(session=s, state=states[1], cipher=CIPHER)
        f = crud.BundleFilter
        assert crud.list_bundles(session=s, flt=f(hospital_id="RSUD-A"), limit=10, offset=0)[1] == 2
        rows, total = crud.list_bundles(session=s, flt=f(status="needs_attention"), limit=10, offset=0)
        assert total == 1 and rows[0].id == states[1].bundle_id
        rows, total = crud.list_bundles(session=s, flt=f(service="kk", service_status="needs_attention"),
                                        limit=10, offset=0)
        assert [r.id for r in rows] == [states[1].bundle_id]
        page, total = crud.list_bundles(session=s, flt=f(), limit=2, offset=2)
        assert total == 3 and len(page) == 1


def test_a_batch_of_snapshots_is_one_transaction_with_the_single_rules(engine):
    a, b, missing = _state("RSUD-A"), _state("RSUD-B"), _state("RSUD-C")
    with Session(engine) as s:
        for st in (a, b):
            crud.insert_received(session=s, state=st, cipher=CIPHER)
    a5, a3, b1 = a.model_copy(deep=True), a.model_copy(deep=True), b.model_copy(deep=True)
    a5.version, a3.version, b1.version, missing.version = 5, 3, 1, 1
    a5.status = BundleStatus.COMPLETED
    with Session(engine) as s:
        # An older snapshot after a newer one is refused; a missing row is created.
        assert crud.apply_snapshots(session=s, states=[a5, a3, b1, missing], cipher=CIPHER) == [
            True, False, True, True]
        assert (crud.get_bundle(session=s, bundle_id=a.bundle_id).version,
                crud.get_bundle(session=s, bundle_id=a.bundle_id).status) == (5, "completed")
        assert crud.get_bundle(session=s, bundle_id=b.bundle_id).version == 1
        assert crud.get_bundle(session=s, bundle_id=missing.bundle_id) is not None
