"""A child's BPJS membership: enrolment, then (PBPU families, a 4th PPU child) the wait for payment.

The membership is done when it is active. The wait is one activity that BPJS is asked through at a
fixed interval (`bpjs_poll_seconds`): it raises while the membership is unpaid and the retry policy
repeats it with no backoff. Retries write no history events, so an unpaid bundle's history stays
the same size after months of checks (a timer and an activity per check reached Temporal's history
limit in hours at a 5 s interval). A person's retry checks at once; the bundle's close or the
child's death ends the wait, since the death follow-up ends the membership at BPJS.
Deterministic, activities called by name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError
from temporalio.workflow import ActivityCancellationType

# `import workflows.x as y`, not `from workflows import x`: see workflows/kelahiran.py.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    import workflows.requests as rq
    from domain import after_death
    from domain import bundle_state as bs
    from domain.contracts import BpjsMembership, BpjsStatusInput, Note, Service, ServiceState, ServiceStatus
    from domain.contracts.notification import ChildData
    from workflows.bundle import Bundle



async def membership(b: Bundle, c: ChildData) -> None:
    order = c.birth_order
    m = await b.perform(order, Service.BPJS, lambda: _enrol(b, c), done_if=_active)
    st = b.t.svc(order, Service.BPJS)
    while m is not None:
        _record(st, m)
        if m.status == "AKTIF":
            # An enrolment that is active at once was already marked completed by perform (done_if).
            if st.status is not ServiceStatus.COMPLETED:
                b.t.set(st, ServiceStatus.COMPLETED, order, Service.BPJS)
            break
        if st.status is not ServiceStatus.AWAITING_PAYMENT:
            b.t.set(st, ServiceStatus.AWAITING_PAYMENT, order, Service.BPJS,
                    detail="waiting for the family's first payment to the virtual account",
                    note=Note.AWAITING_PAYMENT)
        m = await _until_paid(b, order, m)
    if order in b.deaths:
        if st.status not in bs.DONE:
            # The death follow-up ends the membership at BPJS; the bundle no longer waits for it.
            b.t.set(st, ServiceStatus.NOT_APPLICABLE, order, Service.BPJS,
                    detail="membership ended: the child died", note=Note.BPJS_ENDED)
        end_facts(b, order)


def end_facts(b: Bundle, order: int) -> None:
    """The membership of a child who died: ended, no bill, no virtual account to pay into."""
    st = b.t.svc(order, Service.BPJS)
    if st.facts != (ended := after_death.ended_facts(st.facts)):
        st.facts = ended
        st.updated_at = workflow.now()
        b.t.dirty = True


async def _until_paid(b: Bundle, order: int, m: BpjsMembership) -> BpjsMembership | None:
    """The membership once paid; the same one after a person's retry; None once closed or died."""
    poll = timedelta(seconds=b.inp.tuning.bpjs_poll_seconds)
    wait = workflow.start_activity(
        act.AWAIT_PAYMENT, BpjsStatusInput(card_number=m.card_number), result_type=BpjsMembership,
        start_to_close_timeout=timedelta(seconds=b.inp.tuning.activity_timeout_seconds),
        retry_policy=RetryPolicy(initial_interval=poll, backoff_coefficient=1.0, maximum_interval=poll,
                                 maximum_attempts=0),
        # A running check is short: the bundle goes on without waiting for it to notice.
        cancellation_type=ActivityCancellationType.TRY_CANCEL)
    key = (Service.BPJS, order)
    await workflow.wait_condition(
        lambda: wait.done() or b.t.closed or key in b.retry or order in b.deaths)
    if wait.done():
        try:
            return wait.result()
        except ActivityError:
            # Its retry policy retries every failure; should one end it, a person's retry checks again.
            await workflow.wait_condition(lambda: b.t.closed or key in b.retry or order in b.deaths)
    else:
        wait.cancel()
        try:
            await wait
        except (ActivityError, asyncio.CancelledError):
            pass
    if b.t.closed or order in b.deaths:
        return None
    b.retry.discard(key)
    try:
        return await b.activity(act.MEMBERSHIP_STATUS, BpjsStatusInput(card_number=m.card_number),
                                BpjsMembership)
    except ActivityError:
        # A refused status check changes nothing: keep waiting for the payment.
        return m


def _record(st: ServiceState, m: BpjsMembership) -> None:
    st.document_number = m.card_number
    st.facts = {"segmen": m.segment, "kelas": m.class_, "status": m.status}
    if m.virtual_account:
        st.facts |= {"virtual_account": m.virtual_account, "tagihan": str(m.amount_due)}
    if m.arrears_from:
        st.facts["tunggakan_sejak"] = m.arrears_from.isoformat()


def _enrol(b: Bundle, c: ChildData) -> Awaitable[BpjsMembership]:
    o = c.birth_order
    return b.activity(act.ENROL_NEWBORN, rq.enrol(b.n, c, key=b.key(Service.BPJS, o), nik=b.niks[o],
                                                  name=b.name(o)), BpjsMembership)


def _active(m: BpjsMembership) -> bool:
    return m.status == "AKTIF"
