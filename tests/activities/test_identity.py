"""The `rekey_mother` activity (activities/identity.py) on real SQLite and the real PostgreSQL: it moves
a bundle's rows to the corrected mother's NIK in one committed transaction, is idempotent (a retry
after the commit changes nothing), and reports a collision (nothing changed) or a nearby delivery."""

from __future__ import annotations

from datetime import date

import pytest

from activities.identity import IdentityActivities
from domain.contracts import MotherRekeyInput
from store import identity
from store.cipher import StateCipher, spec_for_tests
from tests.support.identity_rows import accept, holders
from tests.support.readmodel import BACKENDS, engine_for, migrated_url

CIPHER = StateCipher.from_spec(spec_for_tests())
WRONG, RIGHT = "3673055203950117", "3673055203950127"
BORN = date(2027, 3, 4)


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    with migrated_url(request.param, tmp_path) as url, engine_for(url) as eng:
        yield eng


def _birth(mother: str) -> identity.Birth:
    return identity.Birth(mother_nik=mother, birth_date=BORN, birth_orders=(1,))


def _input(bid: str, new: str, previous: str) -> MotherRekeyInput:
    return MotherRekeyInput(bundle_id=bid, mother_nik=new, previous_nik=previous, birth_date=BORN,
                            birth_orders=[1])


async def test_the_rows_move_once_and_a_retry_changes_nothing(engine):
    bid, _ = accept(engine, CIPHER, _birth(WRONG))
    acts = IdentityActivities(engine, CIPHER, window_days=150)
    moved = await acts.rekey_mother(_input(bid, RIGHT, WRONG))
    assert (moved.changed, moved.collision, moved.nearby, moved.window_days) == (True, None, None, 150)
    assert holders(engine, CIPHER, _birth(RIGHT)) == [bid] and holders(engine, CIPHER, _birth(WRONG)) == []
    again = await acts.rekey_mother(_input(bid, RIGHT, WRONG))  # Temporal's retry after the commit
    assert (again.changed, again.collision) == (False, None)
    assert holders(engine, CIPHER, _birth(RIGHT)) == [bid]


async def test_a_child_another_live_bundle_holds_is_a_collision_and_nothing_moves(engine):
    first, _ = accept(engine, CIPHER, _birth(RIGHT))
    second, _ = accept(engine, CIPHER, _birth(WRONG))
    got = await IdentityActivities(engine, CIPHER, window_days=150).rekey_mother(_input(second, RIGHT, WRONG))
    assert (got.changed, got.collision) == (False, first)
    assert holders(engine, CIPHER, _birth(RIGHT)) == [first]
    assert holders(engine, CIPHER, _birth(WRONG)) == [second]


async def test_another_delivery_of_the_new_mother_nearby_is_reported(engine):
    twin = identity.Birth(mother_nik=RIGHT, birth_date=BORN, birth_orders=(2,))
    other, _ = accept(engine, CIPHER, twin)  # reported on its own, by another hospital
    bid, _ = accept(engine, CIPHER, _birth(WRONG))
    got = await IdentityActivities(engine, CIPHER, window_days=150).rekey_mother(_input(bid, RIGHT, WRONG))
    assert (got.changed, got.collision, got.nearby) == (True, None, other)
