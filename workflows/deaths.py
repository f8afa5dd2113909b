"""A reported death of a baby born alive: its follow-up workflow, started once the bundle allows it.

The akta kelahiran stands and the KK must list the child before the KK can be updated, so the
follow-up (KematianWorkflow, workflows/followups.py) starts after both; it outlives the bundle.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    import workflows.bpjs as bpjs_flow
    from domain.contracts import (
        DEATH_WORKFLOW_TYPE,
        FollowUpInput,
        FollowUpKind,
        FollowUpLink,
        Note,
        ReportDeathInput,
        Service,
        ServiceStatus,
    )
    from workflows.bundle import Bundle


async def start_follow_up(b: Bundle, death: ReportDeathInput) -> None:
    order = death.birth_order
    if b.t.svc(order, Service.BPJS).status is ServiceStatus.COMPLETED:
        # Active already: the follow-up ends it, so the bundle shows it ended, not a card to use.
        # (A membership still awaiting payment is ended by workflows/bpjs.py when the wait stops.)
        bpjs_flow.end_facts(b, order)
    await workflow.wait_condition(
        lambda: (order in b.akta and b.t.state.kk.status is ServiceStatus.COMPLETED) or b.t.closed)
    if b.t.closed:
        return
    wid = f"{b.inp.bundle_id}-kematian-{order}"
    bpjs = b.t.svc(order, Service.BPJS)
    await workflow.start_child_workflow(
        DEATH_WORKFLOW_TYPE, FollowUpInput(
            kind=FollowUpKind.DEATH, workflow_id=wid, bundle_id=b.inp.bundle_id,
            birth_order=order, office=b.office or "", kk_number=b.n.kk_number,
            child_nik=b.niks[order], akta_number=b.akta[order],
            card_number=bpjs.document_number, date_of_death=death.date_of_death,
            place_of_death=death.place_of_death, tuning=b.inp.tuning),
        id=wid, parent_close_policy=ParentClosePolicy.ABANDON)
    b.t.state.follow_ups.append(FollowUpLink(kind=FollowUpKind.DEATH, birth_order=order,
                                             workflow_id=wid, started_at=workflow.now()))
    b.t.event("follow_up_started", order=order, message=f"death follow-up {wid}", note=Note.DEATH_FOLLOW_UP,
              params={"follow_up": wid})
