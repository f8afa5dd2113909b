"""One child, one bundle (store/identity.py): the check and the claim in one transaction, on real
SQLite and the real PostgreSQL, also when two intakes of the same child race."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from store import identity
from store.cipher import StateCipher, spec_for_tests
from store.models import BirthIdentity, Bundle, MotherIdentity

CIPHER = StateCipher.from_spec(spec_for_tests())
MOTHER, OTHER_MOTHER = "3673055203950007", "3673055203950008"
BORN = date(2027, 1, 8)
B = Bundle.__table__


def _bundle(session: Session, bid: str, status: str = "in_progress") -> None:
    now = datetime.now(UTC)
    session.exec(B.insert().values(
        id=bid, hospital_id="RS-A", record_id=f"rec-{bid}", content_hash="0" * 64, status=status,
        birth_date=BORN, received_at=now, updated_at=now, child_count=1, reasons="", deadline_risk=False,
        version=0, state_json="{}"))


def _accept(engine, birth: identity.Birth, *, window: int = 150, cipher: StateCipher = CIPHER,
            hold: threading.Event | None = None) -> tuple[str, identity.Match | None]:
    """What the intake does: check and claim, then the bundle row, then commit (one transaction)."""
    bid = str(uuid.uuid4())
    with Session(engine) as session:
        match = identity.claim(session=session, cipher=cipher, bundle_id=bid, birth=birth, window_days=window)
        if hold is not None:
            hold.wait(2)  # a slow intake: the other one must wait for this commit, not pass meanwhile
        _bundle(session, bid)
        session.commit()
    return bid, match


def _birth(mother: str = MOTHER, born: date = BORN, orders: tuple[int, ...] = (1,)) -> identity.Birth:
    return identity.Birth(mother_nik=mother, birth_date=born, birth_orders=orders)


def _set_status(engine, bid: str, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(B.update().where(B.c.id == bid).values(status=status))


def test_the_same_child_matches_the_first_bundle_and_stays_claimed_by_it(engine):
    first, none = _accept(engine, _birth())
    assert none is None
    second, match = _accept(engine, _birth())
    assert match == identity.Match(bundle_id=first, same_child=True)
    with Session(engine) as s:
        assert identity.holder(session=s, cipher=CIPHER, birth=_birth()) == [first]
        rows = s.exec(sa.select(BirthIdentity.__table__)).all()
        stored = " ".join(str(v) for r in rows for v in r) + " ".join(
            str(v) for r in s.exec(sa.select(MotherIdentity.__table__)) for v in r)
    assert MOTHER not in stored and MOTHER[:12] not in stored  # digests only, never the NIK
    assert {r.key_id for r in rows} == {"test-only-rm"} and len(rows) == 1  # the second claimed nothing


def test_another_delivery_of_the_same_mother_in_the_window_matches_others_do_not(engine):
    first, _ = _accept(engine, _birth(born=BORN))
    _, twin = _accept(engine, _birth(born=BORN, orders=(2,)))  # a twin reported on its own
    assert twin == identity.Match(bundle_id=first, same_child=False)
    _, soon = _accept(engine, _birth(born=BORN + timedelta(days=150)))
    assert soon is not None and soon.same_child is False
    _, later = _accept(engine, _birth(born=BORN + timedelta(days=400)))
    assert later is None  # the next pregnancy
    _, other = _accept(engine, _birth(mother=OTHER_MOTHER))
    assert other is None
    _, no_window = _accept(engine, _birth(born=BORN + timedelta(days=3)), window=0)
    assert no_window is None  # a window of 0 checks the same child only


def test_a_bundle_closed_as_a_confirmed_duplicate_matches_nothing_and_gives_up_its_children(engine):
    first, _ = _accept(engine, _birth(born=BORN + timedelta(days=2)))
    _set_status(engine, first, "closed_duplicate")
    again, match = _accept(engine, _birth(born=BORN + timedelta(days=2)))
    assert match is None
    with Session(engine) as s:
        held = identity.holder(session=s, cipher=CIPHER, birth=_birth(born=BORN + timedelta(days=2)))
    assert held == [again]
    _set_status(engine, again, "closed_with_issues")  # closed for another reason: still that child
    _, still = _accept(engine, _birth(born=BORN + timedelta(days=2)))
    assert still == identity.Match(bundle_id=again, same_child=True)


def test_digests_are_keyed_and_survive_a_key_rotation(engine):
    old = CIPHER
    assert identity.child_digests(old, MOTHER, BORN, 1) != identity.child_digests(
        StateCipher.from_spec("other:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="), MOTHER, BORN, 1)
    first, _ = _accept(engine, _birth(), cipher=old)
    rotated = StateCipher.from_spec(
        "new:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=," + spec_for_tests(), current="new")
    _, match = _accept(engine, _birth(), cipher=rotated)
    assert match == identity.Match(bundle_id=first, same_child=True)


def test_two_intakes_of_the_same_child_at_once_cannot_both_pass(engine):
    """The first intake holds its transaction open after its check; the second, started meanwhile,
    must wait for it and then see its rows (the mother's row lock, SQLite's write lock)."""
    results: list[tuple[str, identity.Match | None]] = []
    release = threading.Event()

    def slow() -> None:
        results.append(_accept(engine, _birth(born=BORN - timedelta(days=9)), hold=release))

    def fast() -> None:
        results.append(_accept(engine, _birth(born=BORN - timedelta(days=9))))

    t1 = threading.Thread(target=slow)
    t1.start()
    threading.Event().wait(0.3)  # the slow one has checked and claimed, and holds its transaction
    t2 = threading.Thread(target=fast)
    t2.start()
    t2.join(0.5)
    assert t2.is_alive()  # waiting for the first's commit
    release.set()
    t1.join(10)
    t2.join(10)
    (first, m1), (second, m2) = results
    assert m1 is None and m2 == identity.Match(bundle_id=first, same_child=True)
