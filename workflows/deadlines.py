"""Legal clocks: escalate a service that is still open as its deadline approaches, flag it when passed.

Deadlines are days after the birth date, counted in WIB (where the births and offices are). A
service waiting for the family (the baby's name, the first BPJS payment) gets an SMS reminder as
soon as it starts waiting, and another when its deadline approaches (workflows/reminders.py).
Durable timers only: a 28-day wait costs nothing while it waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, timezone

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import workflows.reminders as reminders
    from domain import bundle_state as bs
    from domain.contracts import Note, Service, ServiceStatus
    from domain.contracts.notification import Outcome
    from workflows.bundle import Bundle
    from workflows.tracker import Tracker

WIB = timezone(timedelta(hours=7))
FAMILY_WAITS = reminders.FAMILY_WAITS
Remind = Callable[[Service, int, str, date], Awaitable[None]]


def start_watches(b: Bundle) -> list[asyncio.Task]:
    """One watch per legal clock: akta and BPJS per live-born child, the report of a stillbirth;
    and for the services that can wait on the family, a reminder when they start to."""
    tu, born = b.inp.tuning, b.n.birth_date
    family = reminders.Reminders(b)

    async def remind(service: Service, order: int, kind: str, due: date) -> None:
        await family.send(service, order, kind, due)

    watches = []
    for c in b.n.ordered_children():
        if c.outcome is Outcome.LIVE:
            plan = [(Service.AKTA, tu.akta_deadline_days, tu.akta_warn_days),
                    (Service.BPJS, tu.bpjs_deadline_days, tu.bpjs_warn_days)]
        else:
            plan = [(Service.STILLBIRTH, tu.stillbirth_deadline_days, tu.stillbirth_warn_days)]
        for service, days, warn in plan:
            watches.append(asyncio.create_task(watch(
                b.t, c.birth_order, service, birth=born, days=days, warn_days=warn, remind=remind)))
            if service in (Service.AKTA, Service.BPJS):
                watches.append(asyncio.create_task(family.when_waiting(
                    service, c.birth_order, born + timedelta(days=days))))
    return watches


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
                message=f"legal deadline {due.isoformat()}", note=Note.LEGAL_DEADLINE,
                params={"date": due.isoformat()})
        t.refresh()
        if stage == "approaching" and st.status in FAMILY_WAITS:
            await remind(service, order, "deadline_approaching", due)


def _settled(t: Tracker, order: int, service: Service) -> bool:
    st = t.svc(order, service)
    return t.closed or st.status in bs.DONE or st.status is ServiceStatus.CANCELLED
