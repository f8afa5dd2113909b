"""Paths a supervisor decides, one bundle each: an SPTJM the KK does not support, and a late akta
that needs the Kepala Dinas's decision (time skipping makes the 60 days pass in seconds).

Time-skipping test server, stand-in activities on a fresh task queue per test, a family no other
test uses; assertions only on that bundle and its stand-ins.
"""

from __future__ import annotations

from datetime import timedelta

from domain.contracts import KadisDecisionInput, ProvideNameInput, SptjmDecisionInput
from tests.support import payloads
from tests.support.bundles import new_family, notification, running, svc, today
from tests.support.fake_activities import Fakes

DECISION = "470/123/KADIS/2026"


def _pbi() -> Fakes:
    fakes = Fakes()
    fakes.segment = "PBI"
    return fakes


def _akta_waits(reason: str):
    return lambda s: (svc(s, "akta").status.value, svc(s, "akta").reason) == ("needs_attention", reason) \
        and svc(s, "bpjs").status.value == "completed"


async def test_sptjm_without_marriage_on_the_kk_is_refused_then_issued_to_the_mother_only(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes, married_on_kk=False)
    async with running(env, fakes, notification(fam, await today(env), proof="sptjm")) as b:
        st = await b.until(_akta_waits("SPTJM_TIDAK_SAH"))
        assert st.status.value == "needs_attention"
        # The KIA and the KK wait for the akta; the NIK and BPJS did not.
        assert (svc(st, "kia").status.value, st.kk.status.value, svc(st, "nik").status.value) == (
            "pending", "pending", "completed")
        assert "Kepala Dinas" in await b.refusal("record_kadis_decision",
                                                 KadisDecisionInput(decision_number=DECISION))
        message = await b.update("decide_sptjm", SptjmDecisionInput(
            accept=False, reason="KK tidak mencatat status kawin"))
        assert "anak seorang ibu" in message
        final = await b.handle.result()
    assert final.status.value == "completed"
    akta = svc(final, "akta")
    assert (akta.facts["orang_tua"], akta.facts["jenis"]) == ("anak_seorang_ibu", "LU")
    first, second = fakes.inputs("issue_akta")
    assert (first.father_nik, first.sptjm_marriage) == (fam.father_nik, True)
    assert (second.father_nik, second.sptjm_marriage) == (None, False)  # the mother alone
    assert fakes.count("issue_kia") == fakes.count("reissue_kk") == 1
    assert "sptjm_rejected" in [e.kind for e in final.timeline]


async def test_sptjm_accepted_once_the_kk_shows_the_parents_married(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes, married_on_kk=False)
    async with running(env, fakes, notification(fam, await today(env), proof="sptjm")) as b:
        await b.until(_akta_waits("SPTJM_TIDAK_SAH"))
        fam.married_on_kk = True  # the family had its KK updated at Dukcapil
        await b.update("decide_sptjm", SptjmDecisionInput(accept=True, reason="KK sudah diperbarui"))
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert svc(final, "akta").facts["orang_tua"] == "perkawinan_belum_tercatat"
    assert [(i.father_nik, i.sptjm_marriage) for i in fakes.inputs("issue_akta")] == [
        (fam.father_nik, True)] * 2
    assert "sptjm_accepted" in [e.kind for e in final.timeline]


async def test_akta_reported_after_60_days_waits_for_the_kadis_decision(time_skipping_env):
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    born = await today(env) - timedelta(days=75)
    async with running(env, fakes, notification(fam, born)) as b:
        st = await b.until(_akta_waits("KEPUTUSAN_KADIS_DIPERLUKAN"))
        assert st.status.value == "needs_attention"
        akta = svc(st, "akta")
        assert (akta.deadline, akta.deadline_state, st.deadline_risk) == (
            born + timedelta(days=60), "passed", True)
        assert svc(st, "kia").status.value == "pending" and st.kk.status.value == "pending"
        # BPJS was enrolled late too: accepted, with arrears from the birth month.
        assert svc(st, "bpjs").facts["tunggakan_sejak"] == born.replace(day=1).isoformat()

        await env.sleep(timedelta(days=5))  # nobody decides for a while: nothing moves by itself
        st = await b.state()
        assert svc(st, "akta").status.value == "needs_attention" and fakes.count("issue_akta") == 1
        assert "SPTJM" in await b.refusal("decide_sptjm", SptjmDecisionInput(accept=True, reason="salah"))

        await b.update("record_kadis_decision", KadisDecisionInput(decision_number=DECISION))
        final = await b.handle.result()
    assert final.status.value == "completed" and final.deadline_risk is False
    akta = svc(final, "akta")
    assert akta.document_number.startswith("3673-LT-") and akta.facts["jenis"] == "LT"
    assert [i.kadis_decision_number for i in fakes.inputs("issue_akta")] == [None, DECISION]
    order = fakes.order()
    assert order.index("issue_kia") > order.index("issue_akta") and "reissue_kk" in order
    assert "kadis_decision_recorded" in [e.kind for e in final.timeline]


async def test_name_given_after_60_days_makes_the_akta_late(time_skipping_env):
    """Late is decided by the day Dukcapil registers the akta, not by the day the hospital reported."""
    env, fakes = time_skipping_env, _pbi()
    fam = new_family(fakes)
    born = await today(env)
    async with running(env, fakes, notification(fam, born, [payloads.child(name=None)])) as b:
        await b.until(lambda s: svc(s, "akta").status.value == "waiting_input"
                      and svc(s, "bpjs").status.value == "completed")
        await env.sleep(timedelta(days=62))
        st = await b.state()
        akta = svc(st, "akta")
        assert (akta.status.value, akta.reason, akta.deadline_state) == (
            "waiting_input", "NAMA_BELUM_ADA", "passed")
        assert [(r.service.value, r.kind) for r in fakes.reminders] == [
            ("akta", "name_missing"), ("akta", "deadline_approaching")]
        assert fakes.count("issue_akta") == 0

        await b.update("provide_name", ProvideNameInput(birth_order=1, name="Nur Aini"))
        await b.until(_akta_waits("KEPUTUSAN_KADIS_DIPERLUKAN"))
        await b.update("record_kadis_decision", KadisDecisionInput(decision_number=DECISION))
        final = await b.handle.result()
    assert final.status.value == "completed"
    assert svc(final, "akta").facts["jenis"] == "LT"
    assert [i.child_name for i in fakes.inputs("issue_akta")] == ["Nur Aini"] * 2
