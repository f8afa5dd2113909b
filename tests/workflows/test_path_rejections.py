"""Paths a person resolves, one bundle each: a business rejection and the operator's retry, and the
parents' data corrected after Dukcapil refused it.

Time-skipping test server, stand-in activities (tests/support/fake_activities.py) on a fresh task
queue per test, a family no other test uses; assertions only on that bundle and its stand-ins.
"""

from __future__ import annotations

from domain.contracts import CorrectParentsInput, RetryServiceInput, Service
from domain.notification import Father, Mother
from tests.support.bundles import new_family, notification, running, stranger, svc, today
from tests.support.fake_activities import Fakes


def _pbi() -> Fakes:
    fakes = Fakes()
    fakes.segment = "PBI"  # BPJS active at once: the bundle ends when Dukcapil's part does
    return fakes


def _generations(fakes: Fakes, name: str) -> list[str]:
    """The retry generation in each call's idempotency key (a person's retry makes a new request)."""
    return [inp.idempotency_key.rsplit("/", 1)[1] for inp in fakes.inputs(name)]


async def test_business_rejection_waits_for_the_operator_and_the_retry_completes(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    fakes.reject["enrol_newborn"] = "PESERTA_TIDAK_AKTIF"
    async with running(env, fakes, notification(fam, await today(env))) as b:
        st = await b.until(lambda s: s.status.value == "needs_attention" and s.kk.status.value == "completed")
        bpjs = svc(st, "bpjs")
        assert (bpjs.status.value, bpjs.reason, bpjs.attempts) == (
            "needs_attention", "PESERTA_TIDAK_AKTIF", 1)
        assert "PESERTA_TIDAK_AKTIF" in (bpjs.detail or "")
        # The rest goes on: only BPJS waits for a person.
        assert {svc(st, s).status.value for s in ("nik", "akta", "kia")} == {"completed"}
        assert fakes.count("enrol_newborn") == 1  # non-retryable: Temporal did not try it again

        # Only a service that waits can be retried, and the KK takes no birth order.
        assert "not waiting for a retry" in await b.refusal(
            "retry_service", RetryServiceInput(service=Service.AKTA, birth_order=1))
        assert "birth_order is required" in await b.refusal(
            "retry_service", RetryServiceInput(service=Service.BPJS))

        # Retried before the cause is fixed: refused again, and it waits again.
        await b.update("retry_service", RetryServiceInput(service=Service.BPJS, birth_order=1))
        st = await b.until(lambda s: svc(s, "bpjs").attempts == 2
                           and svc(s, "bpjs").status.value == "needs_attention")
        assert svc(st, "bpjs").reason == "PESERTA_TIDAK_AKTIF" and fakes.count("enrol_newborn") == 2

        del fakes.reject["enrol_newborn"]  # the family's membership was reactivated
        await b.update("retry_service", RetryServiceInput(service=Service.BPJS, birth_order=1))
        final = await b.handle.result()
    assert final.status.value == "completed"
    bpjs = svc(final, "bpjs")
    assert (bpjs.status.value, bpjs.reason, bpjs.attempts, bpjs.facts["status"]) == (
        "completed", None, 3, "AKTIF")
    assert _generations(fakes, "enrol_newborn") == ["0", "1", "2"]
    dukcapil = ("register_birth", "issue_akta", "issue_kia", "reissue_kk")
    assert [fakes.count(a) for a in dukcapil] == [1, 1, 1, 1]
    retries = [e for e in final.timeline if e.kind == "retry_requested"]
    assert [(e.service, e.birth_order) for e in retries] == [(Service.BPJS, 1)] * 2


async def test_transient_failures_are_retried_without_a_person(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    fakes.transient = {"register_birth": 3, "issue_akta": 2, "reissue_kk": 1}
    async with running(env, fakes, notification(fam, await today(env))) as b:
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert [fakes.count(a) for a in ("register_birth", "issue_akta", "reissue_kk")] == [4, 3, 2]
    assert (svc(final, "nik").attempts, svc(final, "akta").attempts, final.kk.attempts) == (1, 1, 1)
    assert "needs_attention" not in [e.kind for e in final.timeline]
    # Temporal's retries repeat the same request: one NIK, under the first key.
    assert _generations(fakes, "register_birth") == ["0"] * 4
    assert len({inp.idempotency_key for inp in fakes.inputs("register_birth")}) == 1


async def test_mother_unknown_to_dukcapil_is_resolved_by_the_parents_correction(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    typo = stranger()  # the hospital typed a NIK Dukcapil does not know
    n = notification(fam, await today(env), mother={"nik": typo, "name": "Rina Marlina"})
    async with running(env, fakes, n) as b:
        st = await b.until(lambda s: s.status.value == "needs_attention")
        nik = svc(st, "nik")
        assert (nik.status.value, nik.reason, nik.document_number) == (
            "needs_attention", "NIK_IBU_TIDAK_DITEMUKAN", None)
        # Nothing that needs the child's NIK has started.
        assert {svc(st, s).status.value for s in ("akta", "kia", "bpjs")} == {"pending"}
        assert st.kk.status.value == "pending"
        assert fakes.count("enrol_newborn") == fakes.count("issue_akta") == 0

        assert "nothing to correct" in await b.refusal(
            "correct_parents", CorrectParentsInput(reason="tidak ada perubahan"))
        await b.update("correct_parents", CorrectParentsInput(
            mother=Mother(nik=fam.mother_nik, name="Rina Marlina"), reason="NIK ibu salah ketik"))
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert [i.mother_nik for i in fakes.inputs("register_birth")] == [typo, fam.mother_nik]
    assert _generations(fakes, "register_birth") == ["0", "1"]
    assert [i.mother_nik for i in fakes.inputs("issue_akta")] == [fam.mother_nik]
    assert [i.mother_nik for i in fakes.inputs("enrol_newborn")] == [fam.mother_nik]
    assert svc(final, "nik").document_number.startswith(fam.kecamatan)
    assert "parents_corrected" in [e.kind for e in final.timeline]


async def test_mother_not_on_the_kk_is_resolved_by_the_parents_correction(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    aunt = stranger()
    fakes.people.add(aunt)  # a woman Dukcapil knows, on no KK of this family
    n = notification(fam, await today(env), mother={"nik": aunt, "name": "Rina Marlina"})
    async with running(env, fakes, n) as b:
        st = await b.until(lambda s: s.status.value == "needs_attention")
        assert (svc(st, "nik").status.value, svc(st, "nik").reason) == ("needs_attention", "IBU_TIDAK_DI_KK")
        assert svc(st, "akta").status.value == "pending" and st.kk.status.value == "pending"
        await b.update("correct_parents", CorrectParentsInput(
            mother=Mother(nik=fam.mother_nik, name="Rina Marlina"), reason="ibu kandung yang benar"))
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert [i.mother_nik for i in fakes.inputs("register_birth")] == [aunt, fam.mother_nik]
    assert fakes.count("issue_akta") == fakes.count("reissue_kk") == 1
    assert fakes.inputs("reissue_kk")[0].kk_number == fam.kk_number


async def test_kk_not_found_before_routing_is_resolved_by_correcting_the_kk(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    mistyped = fam.kk_number[:-4] + "9999"  # no family has it
    async with running(env, fakes, notification(fam, await today(env), kk_number=mistyped)) as b:
        st = await b.until(lambda s: s.status.value == "needs_attention")
        assert (st.routing.status.value, st.routing.reason) == ("needs_attention", "KK_TIDAK_DITEMUKAN")
        assert svc(st, "nik").status.value == "pending" and fakes.count("register_birth") == 0
        await b.update("correct_parents", CorrectParentsInput(kk_number=fam.kk_number,
                                                              reason="nomor KK salah ketik"))
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert [i.kk_number for i in fakes.inputs("lookup_family")] == [mistyped, fam.kk_number]
    assert (final.office_code, final.domicile_kecamatan) == ("3673", fam.kecamatan)
    assert [i.kk_number for i in fakes.inputs("register_birth")] == [fam.kk_number]
    assert fakes.inputs("reissue_kk")[0].kk_number == fam.kk_number


async def test_marriage_proof_refused_by_dukcapil_is_retried_by_the_parents_correction(time_skipping_env):
    # Dukcapil refuses the akta when the buku nikah does not match the couple on the KK: most often
    # the father's NIK was mistyped. Correcting the father tries the akta again (nothing else cures it:
    # a plain retry gets the same answer, so the console does not offer one).
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    fakes.reject["issue_akta"] = "BUKTI_PERKAWINAN_TIDAK_SESUAI"
    async with running(env, fakes, notification(fam, await today(env))) as b:
        st = await b.until(lambda s: svc(s, "akta").status.value == "needs_attention")
        assert svc(st, "akta").reason == "BUKTI_PERKAWINAN_TIDAK_SESUAI"
        del fakes.reject["issue_akta"]  # with the right father, Dukcapil's check passes
        await b.update("correct_parents", CorrectParentsInput(
            father=Father(nik=fam.father_nik, name="Agus Salim"), reason="NIK ayah salah ketik"))
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert fakes.count("issue_akta") == 2 and _generations(fakes, "issue_akta") == ["0", "1"]
    assert svc(final, "akta").status.value == "completed"
