"""A bundle the intake held as a suspected duplicate, and a KK number corrected after routing.

Time-skipping test server, stand-in activities on a fresh task queue per test, a family no other
test uses; assertions only on that bundle and its stand-ins.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime

from temporalio.worker import Worker

from api.intake import HELD_DETAIL, hold_as_duplicate
from domain.bundle_state import new_input
from domain.contracts import (
    WORKFLOW_TYPE,
    BundleState,
    CorrectParentsInput,
    ForwardInput,
    ProvideNameInput,
    RetryServiceInput,
    Service,
    WorkflowTuning,
)
from domain.contracts.inputs import DuplicateDecisionInput
from domain.notification import Mother
from store.identity import Match
from tests.support import payloads
from tests.support.bundles import EXECUTION_TIMEOUT, Bundle, new_family, notification, running, svc, today
from tests.support.fake_activities import Fakes
from workflows.kelahiran import KelahiranWorkflow

EARLIER = str(uuid.uuid4())
DUKCAPIL = ("lookup_family", "register_birth", "issue_akta", "issue_kia", "reissue_kk", "enrol_newborn")


def _pbi() -> Fakes:
    fakes = Fakes()
    fakes.segment = "PBI"
    return fakes


@contextlib.asynccontextmanager
async def held(env, fakes: Fakes, n):
    """The bundle as the intake starts it after matching an earlier one (api/intake.py)."""
    queue = f"dup-{uuid.uuid4()}"
    inp = new_input(bundle_id=str(uuid.uuid4()), hospital_id="RSUD-PATHS", received_at=datetime.now(UTC),
                    notification=n, tuning=WorkflowTuning(bpjs_poll_seconds=86400, retry_initial_seconds=0.1,
                                                          retry_max_seconds=1))
    hold_as_duplicate(inp.state, Match(bundle_id=EARLIER, same_child=True))
    async with Worker(env.client, task_queue=queue, workflows=[KelahiranWorkflow],
                      activities=fakes.activities()):
        handle = await env.client.start_workflow(WORKFLOW_TYPE, inp, id=inp.bundle_id, task_queue=queue,
                                                 result_type=BundleState, execution_timeout=EXECUTION_TIMEOUT)
        try:
            yield Bundle(env=env, handle=handle, fakes=fakes, queue=queue)
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("test over")


def _calls(fakes: Fakes) -> int:
    return sum(fakes.count(name) for name in DUKCAPIL)


async def test_a_held_bundle_asks_for_nothing_until_a_supervisor_rules_the_duplicate_out(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    async with held(env, fakes, notification(fam, await today(env))) as b:
        st = await b.state()
        assert (st.status.value, st.routing.status.value, st.routing.reason) == (
            "needs_attention", "needs_attention", "DUPLIKAT_DICURIGAI")
        assert st.suspected_duplicate_of == EARLIER and st.routing.detail == HELD_DETAIL
        await env.sleep(3600)  # an hour later: still nothing asked of Dukcapil or BPJS
        assert _calls(fakes) == 0
        assert "supervisor's decision" in await b.refusal(
            "retry_service", RetryServiceInput(service=Service.ROUTING))
        assert "no connected office" in await b.refusal(
            "forward_bundle", ForwardInput(office="Disdukcapil X", reference="REF-1", reason="bukan di sini"))
        assert await b.update("decide_duplicate", DuplicateDecisionInput(
            duplicate=False, reason="kembar, lahir terpisah")) == "not a duplicate: the bundle goes on"
        final = await b.handle.result()
    assert final.status.value == "completed" and final.suspected_duplicate_of is None
    assert final.duplicate_of is None and fakes.count("register_birth") == 1
    assert "duplicate_ruled_out" in [e.kind for e in final.timeline]


async def test_a_confirmed_duplicate_closes_linked_to_the_first_with_nothing_issued(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    async with held(env, fakes, notification(fam, await today(env))) as b:
        await b.update("decide_duplicate", DuplicateDecisionInput(duplicate=True,
                                                                  reason="dikirim ulang SIMRS"))
        final = await b.handle.result()
    assert final.status.value == "closed_duplicate" and final.duplicate_of == EARLIER
    assert final.closed_reason == "dikirim ulang SIMRS" and _calls(fakes) == 0
    assert {st.status.value for c in final.children for st in c.services.values()} == {"cancelled"}
    assert "duplicate_confirmed" in [e.kind for e in final.timeline]


async def test_a_bundle_not_held_refuses_a_duplicate_decision(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    n = notification(fam, await today(env), children=[payloads.child(name=None)])
    async with running(env, fakes, n) as b:
        await b.until(lambda s: svc(s, "akta").status.value == "waiting_input")
        assert "not held as a suspected duplicate" in await b.refusal(
            "decide_duplicate", DuplicateDecisionInput(duplicate=True, reason="coba"))
        # A NIK is issued: the KK number can no longer change (routing stands).
        assert "no NIK is issued" in await b.refusal(
            "correct_parents", CorrectParentsInput(kk_number="3604011203150001", reason="KK lain"))
        await b.update("provide_name", ProvideNameInput(birth_order=1, name="Siti Aminah"))
        assert (await b.handle.result()).status.value == "completed"


async def test_mother_not_on_the_kk_a_corrected_kk_number_routes_again_to_another_office(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)  # Kota Serang: the KK the hospital sent
    real = new_family(fakes, kecamatan="360401", kab_kota="3604")  # hers, in Kab. Serang
    n = notification(fam, await today(env), mother={"nik": real.mother_nik, "name": "Rina Marlina"})
    async with running(env, fakes, n) as b:
        st = await b.until(lambda s: svc(s, "nik").reason == "IBU_TIDAK_DI_KK")
        assert st.office_code == "3673"
        msg = await b.update("correct_parents", CorrectParentsInput(kk_number=real.kk_number,
                                                                    reason="KK ibu yang benar"))
        assert "routing runs again" in msg
        final = await b.handle.result()
    assert final.status.value == "completed" and final.office_code == "3604"
    assert final.domicile_kecamatan == "360401"
    assert [i.kk_number for i in fakes.inputs("lookup_family")] == [fam.kk_number, real.kk_number]
    assert [(i.office, i.kk_number) for i in fakes.inputs("register_birth")] == [
        ("3673", fam.kk_number), ("3604", real.kk_number)]
    assert svc(final, "nik").document_number.startswith("360401")
    assert fakes.inputs("reissue_kk")[0].kk_number == real.kk_number
    assert [e.message for e in final.timeline if e.service is Service.ROUTING and e.kind == "pending"] == [
        "KK number corrected: routing again"]


async def test_a_corrected_kk_number_may_lead_outside_and_another_correction_brings_it_back(
        time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    away = new_family(fakes, kecamatan="367101", kab_kota="3671", office_connected=False)  # Kota Tangerang
    n = notification(fam, await today(env), mother={"nik": away.mother_nik, "name": "Rina Marlina"})
    async with running(env, fakes, n) as b:
        await b.until(lambda s: svc(s, "nik").reason == "IBU_TIDAK_DI_KK")
        await b.update("correct_parents", CorrectParentsInput(kk_number=away.kk_number, reason="KK ibu"))
        st = await b.until(lambda s: s.routing.reason == "DOMISILI_LUAR")
        assert st.office_code is None and svc(st, "nik").status.value == "pending"
        assert svc(st, "nik").reason is None
        # Corrected once more, back to a served KK: routing is retried with it.
        await b.update("correct_parents", CorrectParentsInput(
            kk_number=fam.kk_number, mother=Mother(nik=fam.mother_nik, name="Rina Marlina"), reason="salah"))
        final = await b.handle.result()
    assert final.status.value == "completed" and final.office_code == "3673"
    assert [i.kk_number for i in fakes.inputs("lookup_family")] == [fam.kk_number, away.kk_number,
                                                                   fam.kk_number]
