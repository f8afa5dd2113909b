"""A bundle's writes on real SQLite and the real PostgreSQL: only what changed, in order, replays win."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from domain.bundle_state import bundle_id_for, header_of, new_input
from domain.contracts import (
    BundleState,
    BundleStatus,
    BundleSync,
    Note,
    Service,
    ServiceChange,
    ServiceStatus,
    TimelineEvent,
)
from domain.notification import BirthNotification
from store import bundles, crud
from store.cipher import StateCipher, spec_for_tests
from store.models import ServiceStatusRow, TimelineRow
from tests.support import payloads

CIPHER = StateCipher.from_spec(spec_for_tests())


def _stored(engine, hospital="RSUD-A", children=None) -> BundleState:
    n = BirthNotification.model_validate(payloads.manual(children=children))
    st = new_input(bundle_id=bundle_id_for(hospital, n.record_id), hospital_id=hospital,
                   received_at=datetime.now(UTC), notification=n).state
    with Session(engine) as s:
        assert bundles.insert_received(session=s, state=st, cipher=CIPHER)
    return st


def _load(engine, bid: str) -> BundleState:
    with Session(engine) as s:
        return bundles.load_state(session=s, row=crud.get_bundle(session=s, bundle_id=bid), cipher=CIPHER)


def _sync(st: BundleState, *, history: int, services: list[tuple[int, Service]] = (),
          first_seq: int = 0) -> BundleSync:
    """The workflow's delta: the header, the named services, the events from `first_seq`."""
    changes = [ServiceChange(birth_order=o, service=svc, state=(
        st.routing if svc is Service.ROUTING else st.kk if svc is Service.KK
        else st.children[o - 1].services[svc])) for o, svc in services]
    return BundleSync(header=header_of(st), history_length=history, services=changes, first_seq=first_seq,
                      events=st.timeline[first_seq:], timeline_length=len(st.timeline))


def _apply(engine, sync: BundleSync) -> bool:
    with Session(engine) as s:
        return bundles.apply_sync(session=s, sync=sync, cipher=CIPHER)


def _event(kind: str, message: str = "") -> TimelineEvent:
    return TimelineEvent(at=datetime.now(UTC), kind=kind, message=message)


def test_the_intake_stores_the_whole_state_and_it_reads_back_equal(engine):
    st = _stored(engine, children=[payloads.child(1), payloads.child(2)])
    assert _load(engine, st.bundle_id) == st
    with Session(engine) as s:
        assert bundles.insert_received(session=s, state=st, cipher=CIPHER) is False  # once per record


def test_a_write_carries_only_what_changed_and_the_result_is_the_whole_new_state(engine):
    st = _stored(engine)
    st.version = 1
    akta = st.children[0].services[Service.AKTA]
    akta.status, akta.reason, akta.document_number = ServiceStatus.NEEDS_ATTENTION, "SPTJM_TIDAK_SAH", None
    st.status = BundleStatus.NEEDS_ATTENTION
    st.timeline.append(_event("needs_attention", "dukcapil menolak: SPTJM"))
    assert _apply(engine, _sync(st, history=11, services=[(1, Service.AKTA)], first_seq=1))
    assert _load(engine, st.bundle_id) == st
    with Session(engine) as s:
        row = crud.get_bundle(session=s, bundle_id=st.bundle_id)
        assert (row.status, row.reasons, row.version, row.history_length) == (
            "needs_attention", "SPTJM_TIDAK_SAH", 1, 11)
        stored = s.exec(sa.select(TimelineRow.message).where(TimelineRow.bundle_id == st.bundle_id)).all()
        assert len(stored) == 2 and "SPTJM" not in stored[1]  # free text is encrypted at rest


def test_notes_keep_their_code_in_plain_and_their_parameters_encrypted(engine):
    st = _stored(engine)
    st.version = 1
    akta = st.children[0].services[Service.AKTA]
    akta.status, akta.note, akta.params = ServiceStatus.NEEDS_ATTENTION, Note.REFUSED, {
        "system": "dukcapil", "code": "SPTJM_TIDAK_SAH"}
    st.timeline += [TimelineEvent(at=datetime.now(UTC), kind="closed", message="by op-7: keluarga Wibisono",
                                  note=Note.BY_ACTOR_BECAUSE,
                                  params={"actor": "op-7", "reason": "keluarga Wibisono"}),
                    TimelineEvent(at=datetime.now(UTC), kind="death_reported", note=Note.BY_ACTOR,
                                  params={"actor": "op-8"})]  # parameters without an English note
    assert _apply(engine, _sync(st, history=12, services=[(1, Service.AKTA)], first_seq=1))
    loaded = _load(engine, st.bundle_id)
    assert loaded == st and loaded.timeline[2].params == {"actor": "op-8"}
    assert loaded.timeline[0].note is Note.CHILDREN_REPORTED  # the intake's event has its code too
    with Session(engine) as s:
        rows = s.exec(sa.select(TimelineRow.note, TimelineRow.message)
                      .where(TimelineRow.bundle_id == st.bundle_id).order_by(TimelineRow.seq)).all()
    assert [r.note for r in rows] == ["children_reported", "by_actor_because", "by_actor"]
    assert not any(w in r.message for r in rows for w in ("Wibisono", "op-7", "op-8"))


def test_older_writes_never_replace_newer_ones_and_a_retried_write_changes_nothing(engine):
    st = _stored(engine)
    newer = st.model_copy(deep=True)
    newer.version, newer.status = 5, BundleStatus.COMPLETED
    assert _apply(engine, _sync(newer, history=40))
    older = st.model_copy(deep=True)
    older.version = 6  # a later version from a shorter history: a dead worker's write
    assert _apply(engine, _sync(older, history=30)) is False
    older.version = 4  # an earlier version of the same task
    assert _apply(engine, _sync(older, history=40)) is False
    assert _apply(engine, _sync(newer, history=40)) is False  # the same write again (a local retry)
    assert _load(engine, st.bundle_id).status is BundleStatus.COMPLETED


def test_a_replayed_task_overwrites_what_a_dead_worker_wrote(engine):
    """A worker wrote from a task the server never recorded, then died: the task runs again from a
    longer history, possibly with other content and fewer events, and its write is what stays."""
    st = _stored(engine)
    dead = st.model_copy(deep=True)
    dead.version = 1
    dead.kk.status, dead.kk.reason = ServiceStatus.NEEDS_ATTENTION, "KK_TIDAK_DITEMUKAN"
    dead.timeline += [_event("needs_attention", "dead"), _event("retry_requested", "dead")]
    assert _apply(engine, _sync(dead, history=20, services=[(0, Service.KK)], first_seq=1))
    replay = st.model_copy(deep=True)
    replay.version = 1
    replay.kk.status = ServiceStatus.COMPLETED
    replay.timeline.append(_event("completed", "replayed"))
    assert _apply(engine, _sync(replay, history=23, services=[(0, Service.KK)], first_seq=1))
    assert _load(engine, st.bundle_id) == replay
    with Session(engine) as s:
        assert s.exec(sa.select(sa.func.count()).select_from(TimelineRow)
                      .where(TimelineRow.bundle_id == st.bundle_id)).scalar_one() == 2


def test_each_write_touches_only_its_own_rows(engine):
    st = _stored(engine, children=[payloads.child(1), payloads.child(2)])
    with Session(engine) as s:
        before = {(r.birth_order, r.service): r.state_json for r in s.exec(
            select(ServiceStatusRow).where(ServiceStatusRow.bundle_id == st.bundle_id))}
    st.version = 1
    st.children[1].services[Service.NIK].status = ServiceStatus.COMPLETED
    assert _apply(engine, _sync(st, history=9, services=[(2, Service.NIK)], first_seq=1))
    with Session(engine) as s:
        after = {(r.birth_order, r.service): r.state_json for r in s.exec(
            select(ServiceStatusRow).where(ServiceStatusRow.bundle_id == st.bundle_id))}
    assert [k for k in after if after[k] != before[k]] == [(2, "nik")]


def test_concurrent_writes_keep_the_newest(engine):
    st = _stored(engine)

    def write(v: int) -> None:
        snap = st.model_copy(deep=True)
        snap.version = v
        snap.timeline.append(_event(f"step-{v}"))
        _apply(engine, _sync(snap, history=10, first_seq=1))

    threads = [threading.Thread(target=write, args=(v,)) for v in range(1, 13)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = _load(engine, st.bundle_id)
    assert stored.version == 12 and stored.timeline[-1].kind == "step-12"


def test_a_batch_is_one_transaction_with_the_single_rules(engine):
    a, b = _stored(engine, "RSUD-A"), _stored(engine, "RSUD-B")
    a5, a3, b1 = a.model_copy(deep=True), a.model_copy(deep=True), b.model_copy(deep=True)
    a5.version, a3.version, b1.version = 5, 3, 1
    a5.status = BundleStatus.COMPLETED
    a5.completed_at = datetime.now(UTC) + timedelta(seconds=1)
    with Session(engine) as s:
        syncs = [_sync(a5, history=7), _sync(a3, history=7), _sync(b1, history=7)]
        assert bundles.apply_syncs(session=s, syncs=syncs, cipher=CIPHER) == [True, False, True]
    assert _load(engine, a.bundle_id) == a5 and _load(engine, b.bundle_id) == b1
