"""SMS reminders to the family: one per service, child and kind, only while the family is awaited.

A reminder goes out as soon as a service starts waiting on the family (the baby's name, the first
BPJS payment), also for a birth reported late, and once more as the deadline approaches. Never for
a child who died, nor for a bundle closed, forwarded or held as a suspected duplicate. The timeline
says `reminder_sent` only once the gateway accepted the SMS, `reminder_failed` (with a reason)
otherwise. Deterministic, the activity called by name.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    from domain import bundle_state as bs
    from domain.contracts import (
        TERMINAL_STATUSES,
        Note,
        Reason,
        ReminderDelivered,
        ReminderInput,
        Service,
        ServiceStatus,
    )
    from workflows.bundle import Bundle
    from workflows.calls import BUSINESS, business_reason

FAMILY_WAITS = {ServiceStatus.WAITING_INPUT: "name_missing", ServiceStatus.AWAITING_PAYMENT: "payment_due"}
# A gateway down for longer than this: the reminder is recorded as failed (the deadline's
# escalation still reaches the operators).
GIVE_UP_AFTER = timedelta(days=1)


class Reminders:
    def __init__(self, b: Bundle) -> None:
        self.b = b
        self.tried: set[tuple[Service, int, str]] = set()

    def held(self, order: int) -> bool:
        """No reminder may go out: the child died, or the bundle is closed, forwarded or held as a
        suspected duplicate (nothing may reach the family until a supervisor decided)."""
        t = self.b.t
        return (t.closed or t.state.status in TERMINAL_STATUSES or order in self.b.deaths
                or t.child(order).died_on is not None
                or any(st.reason == Reason.DUPLIKAT_DICURIGAI for _, _, st in bs.all_services(t.state)))

    async def when_waiting(self, service: Service, order: int, due: date) -> None:
        """Remind as soon as `service` of child `order` starts waiting on the family."""
        st = self.b.t.svc(order, service)
        await workflow.wait_condition(
            lambda: st.status in FAMILY_WAITS or st.status in bs.DONE
            or st.status is ServiceStatus.CANCELLED or self.held(order))
        kind = FAMILY_WAITS.get(st.status)
        if kind:
            await self.send(service, order, kind, due)

    async def send(self, service: Service, order: int, kind: str, due: date) -> None:
        key = (service, order, kind)
        if key in self.tried or self.held(order):
            return
        self.tried.add(key)
        b = self.b
        phone = getattr(b.n, "reporter_phone", None)  # FHIR deliveries may come without it
        if not phone:
            b.t.event("reminder_failed", service=service, order=order, reason="NOMOR_PELAPOR_TIDAK_ADA",
                      message=kind, note=Note.REMINDER, params={"reminder": kind})
            return
        facts = b.t.svc(order, Service.BPJS).facts if service is Service.BPJS else {}
        tagihan = facts.get("tagihan")
        inp = ReminderInput(bundle_id=b.inp.bundle_id, service=service, birth_order=order, kind=kind,
                            due=due, phone=phone, several=len(b.n.children) > 1,
                            virtual_account=facts.get("virtual_account"),
                            amount_due=int(tagihan) if tagihan and tagihan.isdigit() else None)
        tu = b.inp.tuning
        try:
            await workflow.execute_activity(
                act.DELIVER_REMINDER, inp, result_type=ReminderDelivered,
                start_to_close_timeout=timedelta(seconds=tu.activity_timeout_seconds),
                schedule_to_close_timeout=GIVE_UP_AFTER,
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=tu.retry_initial_seconds),
                                         maximum_interval=timedelta(seconds=tu.retry_max_seconds),
                                         backoff_coefficient=2.0, non_retryable_error_types=[BUSINESS]))
        except ActivityError as err:
            b.t.event("reminder_failed", service=service, order=order,
                      reason=business_reason(err) or "SMS_GATEWAY_TIDAK_TERSEDIA", message=kind,
                      note=Note.REMINDER, params={"reminder": kind})
            return
        b.t.event("reminder_sent", service=service, order=order, message=kind, note=Note.REMINDER,
                  params={"reminder": kind})
