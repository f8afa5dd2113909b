"""A child's BPJS membership: enrolment, then (PBPU families, a 4th PPU child) the wait for payment.

The membership is done when it is active. Until then the workflow polls its status every
`bpjs_poll_seconds` (or at once on a person's retry); the child's death ends the wait, since the
death follow-up ends the membership at BPJS. Deterministic, activities called by name.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

# `import workflows.x as y`, not `from workflows import x`: see workflows/kelahiran.py.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    import workflows.requests as rq
    from domain import bundle_state as bs
    from domain.contracts import BpjsMembership, BpjsStatusInput, Service, ServiceState, ServiceStatus
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
            return
        if st.status is not ServiceStatus.AWAITING_PAYMENT:
            b.t.set(st, ServiceStatus.AWAITING_PAYMENT, order, Service.BPJS,
                    detail="waiting for the family's first payment to the virtual account")
        try:
            await workflow.wait_condition(
                lambda: b.t.closed or (Service.BPJS, order) in b.retry or order in b.deaths,
                timeout=timedelta(seconds=b.inp.tuning.bpjs_poll_seconds),
            )
        except TimeoutError:
            pass
        b.retry.discard((Service.BPJS, order))
        if b.t.closed or order in b.deaths:
            break
        try:
            m = await b.activity(act.MEMBERSHIP_STATUS, BpjsStatusInput(card_number=m.card_number),
                                 BpjsMembership)
        except ActivityError:
            # A refused status check changes nothing: keep waiting for the payment.
            continue
    if order in b.deaths and st.status not in bs.DONE:
        # The death follow-up ends the membership at BPJS; the bundle no longer waits for it.
        b.t.set(st, ServiceStatus.NOT_APPLICABLE, order, Service.BPJS,
                detail="membership ended: the child died")


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
