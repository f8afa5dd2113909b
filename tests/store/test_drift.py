"""The read model's side of drift: differences and overwriting a row, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from domain.bundle_state import bundle_id_for, new_input
from domain.contracts import BundleState, BundleStatus, Service, ServiceStatus
from domain.notification import BirthNotification
from store.cipher import StateCipher, spec_for_tests
from store.drift import Observed, differences, load_rows, store
from store.models import Bundle, ServiceStatusRow
from tests.support import payloads
from tests.support.readmodel import write_state

CIPHER = StateCipher.from_spec(spec_for_tests())


def _state(version: int = 4) -> BundleState:
    n = BirthNotification.model_validate(payloads.manual())
    st = new_input(bundle_id=bundle_id_for("RSUD-D", n.record_id), hospital_id="RSUD-D",
                                      received_at=datetime.now(UTC),
                                      notification=n).state
    st.version, st.status = version, BundleStatus.COMPLETED
    for svc in st.children[0].services.values():
        svc.status = ServiceStatus.COMPLETED
    return st


def _row(engine, bid: str):
    return load_rows(engine, [bid], CIPHER)[bid]


def test_a_row_written_from_the_state_does_not_differ(engine):
    st = _state()
    with Session(engine) as s:
        write_state(s, st, CIPHER)
    assert differences(st, _row(engine, st.bundle_id)) == []


def test_differences_name_versions_statuses_services_and_content(engine):
    st = _state()
    with Session(engine) as s:
        write_state(s, st, CIPHER)
        s.exec(sa.update(Bundle).values(version=2, status="in_progress"))
        s.exec(sa.update(ServiceStatusRow).where(col(ServiceStatusRow.service) == "akta")
               .values(status="pending"))
        s.commit()
    assert differences(st, _row(engine, st.bundle_id)) == [
        "version 2 -> 4", "status in_progress -> completed", "services akta#1 pending -> completed"]
    other = st.model_copy(deep=True)
    other.children[0].services[Service.AKTA].document_number = "3673-LU-01012026-0001"
    with Session(engine) as s:
        s.exec(sa.delete(Bundle).where(col(Bundle.id) == st.bundle_id))
        s.commit()
        write_state(s, other, CIPHER)
    assert differences(st, _row(engine, st.bundle_id)) == ["stored state differs"]


def test_store_replaces_a_same_version_row_and_respects_a_running_bundles_newer_row(engine):
    st = _state(version=4)
    wrong = st.model_copy(deep=True)
    wrong.status = BundleStatus.NEEDS_ATTENTION
    with Session(engine) as s:
        write_state(s, wrong, CIPHER)  # same version, wrong content
    assert store(engine, Observed(st, closed=False), CIPHER) == "overwritten"
    assert _row(engine, st.bundle_id).status == "completed"

    newer = st.model_copy(deep=True)
    newer.version = 9
    with Session(engine) as s:
        write_state(s, newer, CIPHER)
    assert store(engine, Observed(st, closed=False), CIPHER) == "skipped"  # it will write its own row
    assert _row(engine, st.bundle_id).version == 9
    assert store(engine, Observed(st, closed=True), CIPHER) == "overwritten"  # closed: its state is final
    assert _row(engine, st.bundle_id).version == 4

    with Session(engine) as s:
        s.exec(sa.delete(Bundle).where(col(Bundle.id) == st.bundle_id))
        s.commit()
    assert store(engine, Observed(st, closed=True), CIPHER) == "created"
    assert differences(st, _row(engine, st.bundle_id)) == []
