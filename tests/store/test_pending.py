"""The intake outbox's claims and settling (store/pending.py), on real SQLite and the real PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from store import pending
from store.migrate import alembic_config
from store.models import Bundle, PendingStart
from tests.support.readmodel import engine_for

B, P = Bundle.__table__, PendingStart.__table__
T0 = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def _accept(engine, n: int, *, at: datetime = T0, due: datetime | None = None) -> list[str]:
    """`n` accepted births with their pending starts, created a second apart from `at` (oldest first)."""
    ids = [str(uuid.uuid4()) for _ in range(n)]
    with engine.begin() as conn:
        for i, bid in enumerate(ids):
            created = at + timedelta(seconds=i)
            conn.execute(B.insert().values(
                id=bid, hospital_id="RSUD-A", record_id=f"rec-{bid}", content_hash="0" * 64,
                status="in_progress", birth_date=date(2027, 1, 8), received_at=created, updated_at=created,
                child_count=1, reasons="", deadline_risk=False, version=0, state_json="{}"))
            conn.execute(P.insert().values(bundle_id=bid, input_json=f"input-of-{bid}", created_at=created,
                                           attempts=0, next_try_at=due or created))
    return ids


def _rows(engine) -> dict[str, sa.Row]:
    with engine.connect() as conn:
        return {r.bundle_id: r for r in conn.execute(sa.select(P))}


def _claim(engine, now: datetime, limit: int = 100, lease: timedelta = LEASE):
    return pending.claim(engine=engine, now=now, limit=limit, lease=lease)


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(engine):
    ids = _accept(engine, 3)
    now = T0 + timedelta(minutes=1)
    token, got = _claim(engine, now)
    assert sorted(c.bundle_id for c in got) == sorted(ids)
    assert {c.input_json for c in got} == {f"input-of-{b}" for b in ids} and {c.attempts for c in got} == {0}
    rows = _rows(engine)
    assert {r.lease_owner for r in rows.values()} == {token}
    assert {r.lease_until for r in rows.values()} == {now + LEASE}
    assert _claim(engine, now)[1] == []
    assert _claim(engine, now + LEASE)[1] == []  # runs out after lease_until, not at it
    token2, again = _claim(engine, now + LEASE + timedelta(seconds=1))
    assert token2 != token and sorted(c.bundle_id for c in again) == sorted(ids)
    assert {r.lease_owner for r in _rows(engine).values()} == {token2}


def test_claims_take_the_oldest_due_rows_up_to_the_limit(engine):
    old = _accept(engine, 4)
    _accept(engine, 2, at=T0 - timedelta(hours=1), due=T0 + timedelta(hours=1))  # older, but backing off
    _, got = _claim(engine, T0 + timedelta(minutes=1), limit=3)
    assert sorted(c.bundle_id for c in got) == sorted(old[:3])
    _, rest = _claim(engine, T0 + timedelta(minutes=1))
    assert [c.bundle_id for c in rest] == [old[3]]


def test_settle_deletes_the_started_and_records_the_failed_while_the_lease_holds(engine):
    started, failing = _accept(engine, 2)
    now = T0 + timedelta(minutes=1)
    token, _ = _claim(engine, now)
    retry_at = now + timedelta(seconds=4)
    done = pending.settle(engine=engine, token=token, started=[started],
                          failed=[pending.Failed(bundle_id=failing, error="RPCError" + "x" * 100,
                                                 retry_at=retry_at)])
    assert done == pending.Settled(deleted=1, recorded=1, lost=0)
    rows = _rows(engine)
    assert list(rows) == [failing]
    kept = rows[failing]
    assert (kept.attempts, kept.next_try_at, kept.lease_owner, kept.lease_until) == (1, retry_at, None, None)
    assert kept.last_error.startswith("RPCError") and len(kept.last_error) == 80
    assert _claim(engine, now + timedelta(seconds=1))[1] == []  # backing off, though its lease is gone
    _, again = _claim(engine, retry_at)
    assert [(c.bundle_id, c.attempts) for c in again] == [(failing, 1)]


def test_settle_with_a_stale_token_changes_nothing(engine):
    ids = _accept(engine, 3)
    now = T0 + timedelta(minutes=1)
    stale, _ = _claim(engine, now)
    fresh, _ = _claim(engine, now + LEASE + timedelta(seconds=1))  # ours ran out; another process took them
    before = _rows(engine)
    done = pending.settle(engine=engine, token=stale, started=ids[:2],
                          failed=[pending.Failed(bundle_id=ids[2], error="RPCError", retry_at=now)])
    assert done == pending.Settled(deleted=0, recorded=0, lost=3)
    assert _rows(engine) == before
    assert {r.lease_owner for r in before.values()} == {fresh}
    assert pending.settle(engine=engine, token=fresh, started=ids, failed=[]).deleted == 3
    assert _rows(engine) == {}


def test_settling_late_still_works_while_no_one_else_claimed(engine):
    """A lease that ran out but was not taken is still ours: the row is settled, not started twice."""
    (bid,) = _accept(engine, 1)
    token, _ = _claim(engine, T0)
    assert pending.settle(engine=engine, token=token, started=[bid], failed=[]).deleted == 1


def test_backlog_counts_leased_rows_too(engine):
    assert pending.backlog(engine=engine) == pending.Backlog(count=0, oldest_s=None)
    _accept(engine, 3)
    _claim(engine, T0 + timedelta(minutes=1), limit=1)
    got = pending.backlog(engine=engine, now=T0 + timedelta(minutes=1))
    assert got == pending.Backlog(count=3, oldest_s=60.0)


def test_concurrent_claimers_never_get_the_same_row(engine):
    """Threads with their own connections claim small batches at once until nothing is left: every
    row is claimed by exactly one of them, once (PostgreSQL: SKIP LOCKED and the re-checked lease; SQLite:
    the lease condition repeated in the UPDATE)."""
    ids = _accept(engine, 120)
    claims: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)
    now = T0 + timedelta(hours=1)  # every row due

    def unclaimed() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).where(P.c.lease_owner.is_(None))).scalar_one()

    def claimer() -> None:
        try:
            barrier.wait()
            # An empty claim may only mean that the others took this claim's rows first: stop when
            # none is left unclaimed.
            while True:
                token, got = _claim(engine, now, limit=7)
                claims.extend((c.bundle_id, token) for c in got)
                if not got and not unclaimed():
                    return
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    per_row = Counter(bid for bid, _ in claims)
    assert set(per_row) == set(ids) and set(per_row.values()) == {1}
    tokens = Counter(token for _, token in claims)
    assert all(n <= 7 for n in tokens.values())
    owners = {bid: r.lease_owner for bid, r in _rows(engine).items()}
    assert owners == dict(claims)  # what each claimer was told is what the table says


def test_the_lease_migration_goes_down_and_up_again(db_url):
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "0008")
    with engine_for(db_url) as eng:
        assert "lease_owner" not in {c["name"] for c in sa.inspect(eng).get_columns("pending_start")}
    command.upgrade(cfg, "head")
    with engine_for(db_url) as eng:
        cols = {c["name"]: c for c in sa.inspect(eng).get_columns("pending_start")}
        assert cols["lease_owner"]["nullable"] and cols["lease_until"]["nullable"]
