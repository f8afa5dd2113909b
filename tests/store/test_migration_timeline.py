"""Migration 0010 on a read model that already holds bundles: each stored state is split into the
header, service states and timeline rows, and reads back whole (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from domain.bundle_state import all_services, bundle_id_for, new_input, open_reasons
from domain.contracts import Service, TimelineEvent
from domain.notification import BirthNotification
from store.cipher import StateCipher, spec_for_tests
from store.migrate import alembic_config
from tests.support import payloads
from tests.support.postgres import throwaway_schema
from tests.support.readmodel import engine_for, read_state

CIPHER = StateCipher.from_spec(spec_for_tests())


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/rm.db"
    else:
        with throwaway_schema() as u:
            yield u


def _old_row(conn, st) -> None:
    """A bundle as the read model stored it before 0010: the whole state in one encrypted column."""
    now = datetime.now(UTC)
    conn.execute(sa.text(
        "INSERT INTO bundle (id, hospital_id, record_id, content_hash, status, birth_date, received_at, "
        "updated_at, child_count, reasons, deadline_risk, version, state_json) VALUES (:id, :h, :r, :c, "
        ":s, :b, :rec, :u, :n, :reasons, :risk, :v, :js)"),
        {"id": st.bundle_id, "h": st.hospital_id, "r": st.record_id, "c": st.content_hash,
         "s": st.status.value, "b": st.birth_date, "rec": st.received_at, "u": now, "n": len(st.children),
         "reasons": ",".join(open_reasons(st)), "risk": False, "v": st.version,
         "js": CIPHER.encrypt("bundle", st.bundle_id, st.model_dump_json())})
    for order, svc, s in all_services(st):
        conn.execute(sa.text("INSERT INTO service_status (bundle_id, birth_order, service, status, reason, "
                             "updated_at) VALUES (:b, :o, :svc, :s, :r, :u)"),
                     {"b": st.bundle_id, "o": order, "svc": svc.value, "s": s.status.value, "r": s.reason,
                      "u": s.updated_at})


def test_existing_timelines_move_out_of_the_stored_state(url, monkeypatch):
    monkeypatch.setenv("KELAHIRAN_READMODEL_KEYS", spec_for_tests())
    command.upgrade(alembic_config(url), "0009")
    n = BirthNotification.model_validate(payloads.manual(children=[payloads.child(1), payloads.child(2)]))
    st = new_input(bundle_id=bundle_id_for("RSUD-M", n.record_id), hospital_id="RSUD-M",
                   received_at=datetime.now(UTC), notification=n).state
    st.version = 7
    st.children[1].services[Service.NIK].document_number = "3673054101260002"
    st.timeline += [TimelineEvent(at=datetime.now(UTC), kind="completed", service=Service.NIK, birth_order=2,
                                  message="NIK terbit"), TimelineEvent(at=datetime.now(UTC), kind="note")]
    # A state stored before 0010 had no note codes (0015): the intake's event with its English only.
    st.timeline[0] = st.timeline[0].model_copy(update={"note": None, "params": {}})
    with engine_for(url) as engine:
        with engine.begin() as conn:
            _old_row(conn, st)
        command.upgrade(alembic_config(url), "head")
        with Session(engine) as s:
            assert read_state(s, st.bundle_id, CIPHER) == st
            assert s.exec(sa.text("SELECT count(*) FROM timeline_event")).scalar_one() == 3
        command.downgrade(alembic_config(url), "0009")  # and back: the whole state in its row again
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT state_json FROM bundle")).scalar_one()
        assert CIPHER.decrypt("bundle", st.bundle_id, stored) == st.model_dump_json()


def test_without_the_keys_an_encrypted_read_model_is_not_migrated(url, monkeypatch):
    monkeypatch.delenv("KELAHIRAN_READMODEL_KEYS", raising=False)
    command.upgrade(alembic_config(url), "0009")
    n = BirthNotification.model_validate(payloads.manual())
    st = new_input(bundle_id=bundle_id_for("RSUD-M", n.record_id), hospital_id="RSUD-M",
                   received_at=datetime.now(UTC), notification=n).state
    with engine_for(url) as engine:
        with engine.begin() as conn:
            _old_row(conn, st)
        with pytest.raises(RuntimeError, match="KELAHIRAN_READMODEL_KEYS"):
            command.upgrade(alembic_config(url), "head")
        with engine.connect() as conn:  # nothing changed: still at 0009, the state whole
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0009"
