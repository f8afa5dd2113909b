"""Legal clocks: escalate a service that is still open as its deadline approaches, flag it when passed.

Deadlines are days after the birth date, counted in WIB (where the births and offices are). A
service waiting for the family (the baby's name, the first BPJS payment) also gets a reminder when
its deadline approaches. Durable timers only: a 28-day wait costs nothing while it waits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, timezone

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import bundle_state as bs
    from domain.contracts import Service, ServiceStatus
    from workflows.tracker import Tracker

WIB = timezone(timedelta(hours=7))
FAMILY_WAITS = {ServiceStatus.WAITING_INPUT: "name_missing", ServiceStatus.AWAITING_PAYMENT: "payment_due"}
Remind = Callable[[Service, int, str, date], Awaitable[None]]


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=WIB)


async def watch(t: Tracker, order: int, service: Service, *, birth: date, days: int, warn_days: int,
                remind: Remind) -> None:
    """Escalate `service` of child `order` at deadline - warn_days and flag it after the deadline."""
    st = t.svc(order, service)
    due = birth + timedelta(days=days)
    st.deadline, st.deadline_state = due, "ok"
    stages = (("approaching", start_of(due - timedelta(days=warn_days))),
              ("passed", start_of(due + timedelta(days=1))))
    for stage, at in stages:
        wait = at - workflow.now()
        if wait > timedelta(0):
            try:
                await workflow.wait_condition(lambda: _settled(t, order, service), timeout=wait)
                return
            except TimeoutError:
                pass
        if _settled(t, order, service):
            return
        st.deadline_state = stage
        t.event(f"deadline_{stage}", service=service, order=order,
                message=f"legal deadline {due.isoformat()}")
        t.refresh()
        kind = FAMILY_WAITS.get(st.status)
        if stage == "approaching" and kind:
            await remind(service, order, kind, due)


def _settled(t: Tracker, order: int, service: Service) -> bool:
    st = t.svc(order, service)
    return t.closed or st.status in bs.DONE or st.status is ServiceStatus.CANCELLED
