"""A corrected mother's NIK moves the bundle in the duplicate check (the `rekey_mother` activity)
before the workflow changes anything, inside the update: refused by the check, nothing changes; a
bundle that ended while the rows moved gets them back and the correction is refused; another delivery
of that mother nearby is told.

Time-skipping test server, stand-in activities (tests/support/fake_activities.py) on a fresh task
queue per test, a family no other test uses; assertions only on that bundle and its stand-ins.
"""

from __future__ import annotations

import asyncio

from domain.contracts import CloseBundleInput, CorrectParentsInput, MotherRekeyed, UpdateAccepted
from domain.notification import Mother
from tests.support.bundles import new_family, notification, running, stranger, svc, today
from tests.support.fake_activities import Fakes


def _typo_bundle(fakes: Fakes, born):
    fakes.segment = "PBI"
    fam = new_family(fakes)
    return fam, notification(fam, born, mother={"nik": stranger(), "name": "Rina Marlina"})


def _correction(fam) -> CorrectParentsInput:
    return CorrectParentsInput(mother=Mother(nik=fam.mother_nik, name="Rina Marlina"), reason="NIK ibu salah")


async def test_the_check_moves_first_and_another_delivery_nearby_is_told(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fam, n = _typo_bundle(fakes, await today(env))
    fakes.rekeyed = MotherRekeyed(changed=True, nearby="bundle-nearby", window_days=150)
    async with running(env, fakes, n) as b:
        await b.until(lambda s: svc(s, "nik").reason == "NIK_IBU_TIDAK_DITEMUKAN")
        got = await b.handle.execute_update("correct_parents", _correction(fam), result_type=UpdateAccepted)
        final = await b.handle.result()
    assert "another delivery within 150 days (bundle bundle-nearby)" in got.message
    assert got.details == {"nearby_delivery": "bundle-nearby"}
    [moved] = fakes.inputs("rekey_mother")
    assert (moved.mother_nik, moved.previous_nik, moved.birth_orders) == (fam.mother_nik, n.mother.nik, [1])
    # The check moved before the workflow asked Dukcapil again, with the corrected NIK.
    order = fakes.order()
    assert order.index("rekey_mother") < max(i for i, name in enumerate(order) if name == "register_birth")
    assert [i.mother_nik for i in fakes.inputs("register_birth")] == [n.mother.nik, fam.mother_nik]
    assert final.status.value == "completed"


async def test_a_correction_the_check_refuses_changes_nothing(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fam, n = _typo_bundle(fakes, await today(env))
    fakes.rekeyed = MotherRekeyed(changed=False, collision="bundle-earlier", window_days=150)
    async with running(env, fakes, n) as b:
        await b.until(lambda s: svc(s, "nik").reason == "NIK_IBU_TIDAK_DITEMUKAN")
        refusal = await b.refusal("correct_parents", _correction(fam))
        st = await b.state()
        await b.update("close_bundle", CloseBundleInput(reason="uji selesai", actor="sup-1"))
        await b.handle.result()
    assert refusal.startswith("DUPLIKAT_DICURIGAI") and "bundle-earlier" in refusal
    assert "parents_corrected" not in [e.kind for e in st.timeline]
    assert svc(st, "nik").reason == "NIK_IBU_TIDAK_DITEMUKAN"
    assert [i.mother_nik for i in fakes.inputs("register_birth")] == [n.mother.nik]  # not retried


async def test_a_bundle_closed_while_the_rows_moved_gets_them_back(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fam, n = _typo_bundle(fakes, await today(env))
    async with running(env, fakes, n) as b:
        await b.until(lambda s: svc(s, "nik").reason == "NIK_IBU_TIDAK_DITEMUKAN")

        async def close_meanwhile(inp) -> None:
            if len(fakes.inputs("rekey_mother")) == 1:  # the correction's re-key, not the undo
                await b.update("close_bundle", CloseBundleInput(reason="keluarga pindah", actor="sup-1"))

        fakes.on_rekey = close_meanwhile
        refusal = await b.refusal("correct_parents", _correction(fam))
        final = await b.handle.result()
    assert "closed" in refusal and "while the correction was being made" in refusal
    moved, back = fakes.inputs("rekey_mother")
    assert (moved.mother_nik, moved.previous_nik) == (fam.mother_nik, n.mother.nik)
    assert (back.mother_nik, back.previous_nik) == (n.mother.nik, fam.mother_nik)
    assert final.status.value == "closed_with_issues"
    assert "parents_corrected" not in [e.kind for e in final.timeline]


async def test_two_corrections_at_once_are_made_one_after_the_other(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    _, n = _typo_bundle(fakes, await today(env))
    # Two NIKs Dukcapil refuses too: the bundle waits, so neither correction can be overtaken by an
    # akta (which would rightly refuse the later one).
    one, two = stranger(), stranger()
    async with running(env, fakes, n) as b:
        await b.until(lambda s: svc(s, "nik").reason == "NIK_IBU_TIDAK_DITEMUKAN")
        await asyncio.gather(*(b.update("correct_parents", CorrectParentsInput(
            mother=Mother(nik=nik, name="Rina Marlina"), reason="NIK ibu salah")) for nik in (one, two)))
        st = await b.state()
        await b.update("close_bundle", CloseBundleInput(reason="uji selesai", actor="sup-1"))
        await b.handle.result()
    # Each re-key starts from the NIK the one before left, so the check ends where the workflow does.
    moves = [(i.previous_nik, i.mother_nik) for i in fakes.inputs("rekey_mother")]
    assert moves in ([(n.mother.nik, one), (one, two)], [(n.mother.nik, two), (two, one)])
    assert [e.kind for e in st.timeline].count("parents_corrected") == 2
