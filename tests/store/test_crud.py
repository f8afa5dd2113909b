"""Listing the read model on real SQLite and the real PostgreSQL, schema created by the migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session

from domain.bundle_state import bundle_id_for, new_input
from domain.contracts import BundleStatus, ServiceStatus
from domain.notification import BirthNotification
from store import bundles, crud
from store.cipher import StateCipher, spec_for_tests
from store.models import read_model_metadata
from tests.support import payloads

CIPHER = StateCipher.from_spec(spec_for_tests())


def _state(hospital="RSUD-A", children=None):
    n = BirthNotification.model_validate(payloads.manual(children=children))
    return new_input(bundle_id=bundle_id_for(hospital, n.record_id), hospital_id=hospital,
                     received_at=datetime.now(UTC), notification=n).state


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), read_model_metadata())
    assert diff == []


def test_filters_and_pagination(engine):
    states = [_state(hospital=h) for h in ("RSUD-A", "RSUD-A", "RSUD-B")]
    states[1].version = 1
    states[1].status = BundleStatus.NEEDS_ATTENTION
    states[1].kk.status = ServiceStatus.NEEDS_ATTENTION
    with Session(engine) as s:
        for st in states:
            bundles.insert_received(session=s, state=st, cipher=CIPHER)
        bundles.apply_sync(session=s, sync=bundles.full_sync(states[1], 10), cipher=CIPHER)
        f = crud.BundleFilter
        assert crud.list_bundles(session=s, flt=f(hospital_id="RSUD-A"), limit=10, offset=0)[1] == 2
        rows, total = crud.list_bundles(session=s, flt=f(status="needs_attention"), limit=10, offset=0)
        assert total == 1 and rows[0].id == states[1].bundle_id
        rows, total = crud.list_bundles(session=s, flt=f(service="kk", service_status="needs_attention"),
                                        limit=10, offset=0)
        assert [r.id for r in rows] == [states[1].bundle_id]
        page, total = crud.list_bundles(session=s, flt=f(), limit=2, offset=2)
        assert total == 3 and len(page) == 1
