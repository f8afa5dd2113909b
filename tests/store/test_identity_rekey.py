"""A corrected mother's NIK re-keys the bundle's rows in the duplicate check (store/identity.py), on
real SQLite and the real PostgreSQL: the correct NIK matches it afterwards, the wrong one no longer
does, a new NIK another live bundle already holds is refused, and an intake racing the re-key waits."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from store import identity
from store.cipher import StateCipher, spec_for_tests
from store.models import BirthIdentity, Bundle
from tests.support.identity_rows import accept, holders, mother_keys

CIPHER = StateCipher.from_spec(spec_for_tests())
WRONG, RIGHT, OTHER = "3673055203950017", "3673055203950027", "3673055203950037"
BORN = date(2027, 2, 3)
B, BI = Bundle.__table__, BirthIdentity.__table__


def _birth(mother: str, born: date = BORN, orders: tuple[int, ...] = (1,)) -> identity.Birth:
    return identity.Birth(mother_nik=mother, birth_date=born, birth_orders=orders)


def _accept(engine, birth: identity.Birth, status: str = "in_progress") -> tuple[str, identity.Match | None]:
    return accept(engine, CIPHER, birth, status)


def _rekey(engine, bid: str, birth: identity.Birth, *, sent: str | None = WRONG,
           tolerated: str | None = None) -> identity.Rekeyed | None:
    with Session(engine) as s:
        done = identity.rekey(session=s, cipher=CIPHER, bundle_id=bid, birth=birth, sent_nik=sent,
                              tolerated=tolerated, window_days=150)
        s.commit()
    return done




def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(BI)))


def test_the_correct_nik_matches_the_corrected_bundle_and_the_wrong_one_no_longer_does(engine):
    twins = (1, 2)
    bid, _ = _accept(engine, _birth(WRONG, orders=twins))
    done = _rekey(engine, bid, _birth(RIGHT, orders=twins))
    assert done is not None and done.nearby is None
    assert holders(engine, CIPHER, _birth(RIGHT, orders=(1,))) == [bid]
    assert holders(engine, CIPHER, _birth(RIGHT, orders=(2,))) == [bid]
    assert holders(engine, CIPHER, _birth(WRONG, orders=twins)) == []
    # The wrong NIK's mother row went with its children; only the right one's is left.
    assert mother_keys(engine) == {identity.mother_digests(CIPHER, RIGHT)[0]}

    _, again = _accept(engine, _birth(RIGHT, orders=(2,)))  # the same twin, posted again correctly
    assert again == identity.Match(bundle_id=bid, same_child=True)
    _, wrong = _accept(engine, _birth(WRONG))  # the wrong NIK now belongs to no bundle
    assert wrong is None


def test_the_same_nik_again_a_name_corrected_changes_nothing(engine):
    bid, _ = _accept(engine, _birth(WRONG))
    before = _rows(engine)
    assert _rekey(engine, bid, _birth(WRONG)) is None
    assert _rows(engine) == before


def test_a_new_nik_another_live_bundle_holds_is_refused_and_nothing_changes(engine):
    other, _ = _accept(engine, _birth(RIGHT))
    bid, _ = _accept(engine, _birth(WRONG))
    before, mothers = _rows(engine), mother_keys(engine)
    with pytest.raises(identity.Collision) as refused:
        _rekey(engine, bid, _birth(RIGHT))
    assert refused.value.bundle_id == other
    assert _rows(engine) == before and mother_keys(engine) == mothers
    # The bundle this one is already held against decides nothing new: accepted, and it keeps the child.
    done = _rekey(engine, bid, _birth(RIGHT), tolerated=other)
    assert done is not None and done.nearby is None
    assert holders(engine, CIPHER, _birth(RIGHT)) == [other] and holders(engine, CIPHER, _birth(WRONG)) == []


def test_a_bundle_closed_as_a_confirmed_duplicate_gives_its_child_up_to_the_correction(engine):
    closed, _ = _accept(engine, _birth(RIGHT), status="closed_duplicate")
    bid, _ = _accept(engine, _birth(WRONG))
    _rekey(engine, bid, _birth(RIGHT))
    assert holders(engine, CIPHER, _birth(RIGHT)) == [bid]


def test_another_delivery_of_the_new_mother_in_the_window_is_told_not_refused(engine):
    near, _ = _accept(engine, _birth(RIGHT, born=BORN - timedelta(days=4)))
    bid, _ = _accept(engine, _birth(WRONG))
    done = _rekey(engine, bid, _birth(RIGHT))
    assert done is not None and done.nearby == identity.Match(bundle_id=near, same_child=False)
    assert holders(engine, CIPHER, _birth(RIGHT)) == [bid]


def test_a_bundle_holding_no_rows_is_compared_by_the_nik_the_hospital_sent(engine):
    """Held against an earlier bundle that keeps the child: a name correction (the NIK as sent) is
    no change; a new NIK claims its child."""
    first, _ = _accept(engine, _birth(WRONG))
    held, match = _accept(engine, _birth(WRONG))
    assert match is not None and holders(engine, CIPHER, _birth(WRONG)) == [first]
    assert _rekey(engine, held, _birth(WRONG), sent=WRONG) is None
    assert _rekey(engine, held, _birth(OTHER), sent=WRONG, tolerated=first) is not None
    assert holders(engine, CIPHER, _birth(OTHER)) == [held]
    assert holders(engine, CIPHER, _birth(WRONG)) == [first]


def test_a_correction_undone_by_rekeying_back_leaves_the_rows_as_they_were(engine):
    """The workflow undoes a re-key it cannot apply (an akta issued meanwhile) by re-keying back."""
    bid, _ = _accept(engine, _birth(WRONG, orders=(1, 2)))
    before = [r[:-1] for r in _rows(engine)]  # all but created_at
    assert _rekey(engine, bid, _birth(RIGHT, orders=(1, 2))) is not None
    assert _rekey(engine, bid, _birth(WRONG, orders=(1, 2)), sent=RIGHT) is not None
    assert [r[:-1] for r in _rows(engine)] == before
    assert mother_keys(engine) == {identity.mother_digests(CIPHER, WRONG)[0]}
    _, match = _accept(engine, _birth(WRONG))
    assert match == identity.Match(bundle_id=bid, same_child=True)


def test_an_intake_of_the_corrected_child_racing_the_rekey_waits_and_then_matches_it(engine):
    """The re-key holds its transaction open after its writes; an intake of the child under the new
    NIK, started meanwhile, must wait for it (the new mother's row lock, SQLite's write lock) and
    then see the bundle: two API replicas cannot both let the same child through."""
    bid, _ = _accept(engine, _birth(WRONG, born=BORN + timedelta(days=20)))
    corrected = _birth(RIGHT, born=BORN + timedelta(days=20))
    release, rekeyed = threading.Event(), threading.Event()
    results: list[identity.Match | None] = []

    def rekey() -> None:
        with Session(engine) as s:
            identity.rekey(session=s, cipher=CIPHER, bundle_id=bid, birth=corrected, sent_nik=WRONG,
                           tolerated=None, window_days=150)
            rekeyed.set()
            release.wait(5)
            s.commit()

    def intake() -> None:
        results.append(_accept(engine, corrected)[1])

    t1 = threading.Thread(target=rekey)
    t1.start()
    assert rekeyed.wait(5)
    t2 = threading.Thread(target=intake)
    t2.start()
    t2.join(0.5)
    assert t2.is_alive()  # waiting for the re-key's commit
    release.set()
    t1.join(10)
    t2.join(10)
    assert results == [identity.Match(bundle_id=bid, same_child=True)]
