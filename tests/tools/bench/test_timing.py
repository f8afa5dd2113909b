"""Completion times from the read model, and the bench's hospital keys in the API's database."""

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from api.auth import keys
from domain.contracts import BundleStatus
from store import bundles, crud
from store.cipher import StateCipher
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import Bundle
from tests.support.states import personal_state
from tools.bench.births import read_model_times
from tools.bench.hospitals import hospital_ids, issue_bench_keys
from tools.bench.load import Outcome


def _db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/k.db"
    upgrade_to_head(url)
    return url


def test_completion_is_timed_by_the_read_model_write(tmp_path):
    url = _db(tmp_path)
    done, running = personal_state(1, hospital="RS-A"), personal_state(1, hospital="RS-B")
    done.status = BundleStatus.COMPLETED
    with Session(make_engine(url)) as s:
        for st in (done, running):
            bundles.insert_received(session=s, state=st, cipher=StateCipher({}))
    with Session(make_engine(url)) as s:
        written = crud.get_bundle(session=s, bundle_id=done.bundle_id).updated_at
    sent = (written - timedelta(seconds=0.4)).timestamp()
    timed = Outcome(bundle_id=done.bundle_id, sent_wall=sent, sent_at=2.0, complete=0.9, done_at=2.9)
    # The poll saw it later than it was written: the write's time wins.
    late_poll = Outcome(bundle_id=running.bundle_id, sent_wall=sent, sent_at=1.0, complete=0.9, done_at=1.9)
    assert read_model_times(url, [timed, late_poll, Outcome(bundle_id="x")]) == 1
    assert abs(timed.complete - 0.4) < 0.01 and abs(timed.done_at - 2.4) < 0.01
    assert late_poll.complete == 0.9  # not completed in the read model: left as polled


def test_the_bench_reads_while_a_writer_holds_the_lock(tmp_path):
    url = _db(tmp_path)
    st = personal_state(1, hospital="RS-D")
    st.status = BundleStatus.COMPLETED
    with Session(make_engine(url)) as s:
        bundles.insert_received(session=s, state=st, cipher=StateCipher({}))
    o = Outcome(bundle_id=st.bundle_id, sent_wall=time.time() - 5, sent_at=0, complete=9.0, done_at=9.0)
    with Session(make_engine(url)) as writer:  # the stack's engine, holding the write lock
        writer.exec(sa.update(Bundle).where(Bundle.id == st.bundle_id).values(child_count=1))
        started = time.monotonic()
        assert read_model_times(url, [o]) == 1
        assert time.monotonic() - started < 5  # not the 30 s busy timeout


def test_the_poll_bounds_the_read_model_time(tmp_path):
    url = _db(tmp_path)
    st = personal_state(1, hospital="RS-C")
    st.status = BundleStatus.COMPLETED
    with Session(make_engine(url)) as s:
        bundles.insert_received(session=s, state=st, cipher=StateCipher({}))
    long_ago = datetime.now(UTC).timestamp() - 100
    o = Outcome(bundle_id=st.bundle_id, sent_wall=long_ago, sent_at=0, complete=1.0, done_at=1.0)
    read_model_times(url, [o])
    assert o.complete == 1.0  # a write long after the poll saw it completed is not this completion


def test_bench_hospitals_get_working_keys(tmp_path):
    url = _db(tmp_path)
    first = issue_bench_keys(url, 3)
    again = issue_bench_keys(url, 3)  # a second run on the same database: fresh keys, same hospitals
    assert len(set(first + again)) == 6
    with Session(make_engine(url)) as s:
        assert [keys.verify_key(session=s, presented=k) for k in first] == hospital_ids(3)
