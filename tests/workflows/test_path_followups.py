"""Paths that wait on the family, one bundle each: a child who dies before the KK is reissued, and a
PBPU family's first BPJS payment (28 days pass in seconds on the time-skipping server).

Time-skipping test server, stand-in activities on a fresh task queue per test, a family no other
test uses; assertions only on that bundle, its death follow-up and its stand-ins.
"""

from __future__ import annotations

from datetime import timedelta

from domain.contracts import (
    FollowUpState,
    ProvideNameInput,
    ReportDeathInput,
    RetryServiceInput,
    Service,
)
from tests.support import payloads
from tests.support.bundles import new_family, notification, running, skip_days, svc, today
from tests.support.fake_activities import Fakes


async def test_child_who_dies_before_the_kk_is_reissued(own_time_skipping_env):
    # Its own server: the death follow-up outlives the bundle, which wedges a shared server's clock.
    env, fakes = own_time_skipping_env, Fakes()  # PBPU: both memberships wait for the first payment
    fam = new_family(fakes)
    born = await today(env)
    kids = [payloads.child(1, sex="female", name="Aisyah"), payloads.child(2, sex="male", name=None)]
    async with running(env, fakes, notification(fam, born, kids)) as b:
        # Child 1 has its akta; the KK waits for child 2's name, so it is not reissued yet.
        st = await b.until(lambda s: svc(s, "kia", 1).status.value == "completed"
                           and svc(s, "bpjs", 1).status.value == "awaiting_payment"
                           and svc(s, "bpjs", 2).status.value == "awaiting_payment")
        assert (st.kk.status.value, svc(st, "akta", 2).status.value) == ("waiting_input", "waiting_input")
        nik1, nik2 = svc(st, "nik", 1).document_number, svc(st, "nik", 2).document_number

        death = ReportDeathInput(birth_order=1, date_of_death=born + timedelta(days=1), place_of_death="RSUD")
        await env.sleep(timedelta(days=1))
        assert "once the akta kelahiran exists" in await b.update("report_death", death)
        st = await b.until(lambda s: svc(s, "bpjs", 1).status.value == "not_applicable")
        assert next(c for c in st.children if c.birth_order == 1).died_on == death.date_of_death
        assert svc(st, "akta", 1).status.value == "completed"  # the akta kelahiran stands
        # The follow-up waits for the KK that lists the child: nothing recorded yet.
        assert st.follow_ups == [] and fakes.count("record_death") == 0
        assert "already reported" in await b.refusal("report_death", death)
        assert "no live-born child" in await b.refusal(
            "report_death", ReportDeathInput(birth_order=3, date_of_death=born, place_of_death="RSUD"))

        fakes.paid_cards.add(Fakes.card_for(nik2))  # the family pays child 2's contribution
        await b.update("retry_service", RetryServiceInput(service=Service.BPJS, birth_order=2))
        await b.update("provide_name", ProvideNameInput(birth_order=2, name="Rafi"))
        final = await b.handle.result()
        (link,) = final.follow_ups
        follow_up = await env.client.get_workflow_handle(
            link.workflow_id, result_type=FollowUpState).result()

    assert final.status.value == "completed"
    assert final.kk.status.value == "completed"
    assert (svc(final, "bpjs", 1).status.value, svc(final, "bpjs", 2).status.value) == (
        "not_applicable", "completed")
    # The KK is reissued listing both children, then updated: the child who died leaves it.
    (reissue,) = fakes.inputs("reissue_kk")
    assert [c.nik for c in reissue.children] == [nik1, nik2]
    order = fakes.order()
    assert order.index("reissue_kk") < order.index("record_death") < order.index("update_kk_member")
    (member,) = fakes.inputs("update_kk_member")
    assert (member.nik, member.action, member.kk_number) == (nik1, "remove_deceased", fam.kk_number)
    (ended,) = fakes.inputs("end_membership")
    assert ended.card_number == Fakes.card_for(nik1)
    assert (link.kind.value, link.birth_order, link.workflow_id) == (
        "death", 1, f"{final.bundle_id}-kematian-1")
    assert follow_up.status == "completed"
    assert follow_up.documents["akta_kematian"].startswith("3673-KM-")
    assert follow_up.documents["bpjs_status"] == "NONAKTIF"
    assert fakes.inputs("record_death")[0].child_nik == nik1


async def test_pbpu_payment_wait_flagged_after_28_days_then_completed_once_paid(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fam = new_family(fakes)
    born = await today(env)
    async with running(env, fakes, notification(fam, born)) as b:
        st = await b.until(lambda s: svc(s, "bpjs").status.value == "awaiting_payment"
                           and s.kk.status.value == "completed")
        assert st.status.value == "in_progress"  # the family's turn, not a person's
        bpjs = svc(st, "bpjs")
        card = bpjs.document_number
        assert (bpjs.facts["segmen"], bpjs.facts["status"], bpjs.facts["tagihan"]) == (
            "PBPU", "MENUNGGU_PEMBAYARAN", "35000")
        assert bpjs.facts["virtual_account"] == "88888" + card[-11:]
        assert (bpjs.deadline, bpjs.deadline_state) == (born + timedelta(days=28), "ok")

        await skip_days(env, 22)  # inside the 7-day warning window
        st = await b.state()
        assert svc(st, "bpjs").deadline_state == "approaching" and st.deadline_risk is True
        # Reminded when the payment began to be awaited, and again as the deadline approaches.
        assert [(r.service.value, r.kind, r.due) for r in fakes.reminders] == [
            ("bpjs", "payment_due", born + timedelta(days=28)),
            ("bpjs", "deadline_approaching", born + timedelta(days=28))]
        polls = fakes.count("await_bpjs_payment")
        assert 20 <= polls <= 24  # once a day (bpjs_poll_seconds), never in a busy loop

        await skip_days(env, 7)  # day 29: past the deadline, still unpaid
        st = await b.state()
        bpjs = svc(st, "bpjs")
        assert (bpjs.status.value, bpjs.deadline_state) == ("awaiting_payment", "passed")
        assert st.status.value == "in_progress" and st.deadline_risk is True  # late payment is accepted
        assert "deadline_passed" in [e.kind for e in st.timeline]

        fakes.paid_cards.add(card)
        await env.sleep(timedelta(days=1))  # the next daily check sees the payment
        final = await b.handle.result()
    assert final.status.value == "completed" and final.deadline_risk is False
    bpjs = svc(final, "bpjs")
    assert (bpjs.status.value, bpjs.facts["status"], bpjs.deadline_state) == ("completed", "AKTIF", "passed")
    assert "tunggakan_sejak" not in bpjs.facts  # enrolled on time: only the payment was late
    assert len(fakes.reminders) == 2 and fakes.count("enrol_newborn") == 1


async def test_paid_membership_is_checked_at_once_on_the_operators_retry(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fam = new_family(fakes)
    async with running(env, fakes, notification(fam, await today(env))) as b:
        st = await b.until(lambda s: svc(s, "bpjs").status.value == "awaiting_payment"
                           and s.kk.status.value == "completed")
        polls = fakes.count("membership_status")
        fakes.paid_cards.add(svc(st, "bpjs").document_number)
        # No time passes: the retry, not the daily poll, finds the payment.
        await b.update("retry_service", RetryServiceInput(service=Service.BPJS, birth_order=1))
        st = await b.until(lambda s: s.status.value == "completed")
    assert fakes.count("membership_status") == polls + 1
    assert svc(st, "bpjs").facts["status"] == "AKTIF"
