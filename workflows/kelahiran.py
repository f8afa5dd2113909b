"""The durable kelahiran workflow: one delivery -> NIK, akta, KIA, BPJS per child and one KK reissue.

Deterministic: no I/O, no clock but workflow.now(), activities called by name. A business
rejection never fails the workflow: that service waits for a person (retry or close) while the
others continue as far as their dependencies allow.

This module holds the workflow class: its run and its queries and updates. What the workflow knows
and how a service step runs is workflows/bundle.py; the steps themselves are workflows/services.py
(routing, NIK, akta then KIA, KK) and workflows/bpjs.py; the legal clocks workflows/deadlines.py; the
read-model writes workflows/readmodel_sync.py; a reported death's follow-up workflows/deaths.py.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow

# `import workflows.x as y`, not `from workflows import x`: the sandbox passes through only the
# module an import statement names; a submodule reached from a fresh package's fromlist is
# imported afresh, i.e. compiled and run again for every workflow run.
with workflow.unsafe.imports_passed_through():
    import workflows.bpjs as bpjs
    import workflows.corrections as corrections
    import workflows.deadlines as deadlines
    import workflows.deaths as deaths
    import workflows.family as family
    import workflows.readmodel_sync as readmodel_sync
    import workflows.services as services
    from domain import bundle_state as bs
    from domain.contracts import (
        TERMINAL_STATUSES,
        WORKFLOW_TYPE,
        BundleState,
        CloseBundleInput,
        CorrectParentsInput,
        ForwardInfo,
        ForwardInput,
        KadisDecisionInput,
        KelahiranInput,
        ProvideNameInput,
        Reason,
        ReportDeathInput,
        RetryServiceInput,
        Service,
        ServiceState,
        ServiceStatus,
        SptjmDecisionInput,
        UpdateAccepted,
    )
    from domain.contracts.inputs import DuplicateDecisionInput
    from domain.contracts.notification import ChildData
    from workflows.bundle import REROUTED, Bundle

@workflow.defn(name=WORKFLOW_TYPE)
class KelahiranWorkflow:
    @workflow.init
    def __init__(self, inp: KelahiranInput) -> None:
        self._b = Bundle(inp)
        self._watches: list[asyncio.Task] = []
        self._follow_up_starts: list[asyncio.Task] = []
        self._correcting = asyncio.Lock()  # one parents' correction at a time (each awaits its re-key)

    # --- run -----------------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: KelahiranInput) -> BundleState:
        b = self._b
        syncer = asyncio.create_task(readmodel_sync.sync_loop(b))
        self._watches = deadlines.start_watches(b)
        if await self._not_held(b):
            while await services.route(b):
                await services.register_children(b)
                if not b.rerouting:
                    await asyncio.gather(services.kk_reissue(b), *(self._child(c) for c in b.live_children()))
                    break
                b.rerouting = False  # the KK number was corrected before any NIK: route it again
        await asyncio.gather(*self._follow_up_starts)
        b.t.refresh()
        if b.t.state.status not in TERMINAL_STATUSES:
            # Only a person can end a bundle that is stuck (retry succeeded paths return above).
            await workflow.wait_condition(lambda: b.t.state.status in TERMINAL_STATUSES)
        if not workflow.all_handlers_finished():  # (no wait otherwise: the recorded histories replay)
            # An update still at work (a correction waiting for its re-key) finishes, or undoes, first.
            await workflow.wait_condition(workflow.all_handlers_finished)
        b.t.state.completed_at = workflow.now()
        b.t.event(b.t.state.status.value)
        b.finished = True
        await syncer
        # After the last read-model write: the link in the SMS works.
        await family.notify_when_completed(b.inp, b.n, b.t.state)
        return b.t.state

    @staticmethod
    async def _not_held(b: Bundle) -> bool:
        """A bundle the intake held as a suspected duplicate waits, before routing (so before any NIK
        is asked for), for a supervisor's decision; False if it was closed meanwhile."""
        held = lambda: b.t.state.routing.reason == Reason.DUPLIKAT_DICURIGAI  # noqa: E731
        if held():
            # The legal clocks were just set (deadlines.start_watches): the read model shows them
            # while the bundle waits, as the workflow has them (else `readmodel drift` reports it).
            b.t.dirty = True
            await workflow.wait_condition(lambda: not held() or b.t.closed)
        return not b.t.closed

    async def _child(self, c: ChildData) -> None:
        """A live-born child's akta then KIA, and its BPJS membership, once it has a NIK."""
        if c.birth_order in self._b.niks:
            await asyncio.gather(services.akta_then_kia(self._b, c), bpjs.membership(self._b, c))

    # --- queries and updates -----------------------------------------------------------------

    @workflow.query
    def status(self) -> BundleState:
        return self._b.t.state

    @workflow.update
    async def provide_name(self, inp: ProvideNameInput) -> UpdateAccepted:
        self._b.names[inp.birth_order] = inp.name
        child = self._b.t.child(inp.birth_order)
        child.name_provided = True
        kia = child.services[Service.KIA]
        if kia.status is ServiceStatus.WAITING_INPUT:
            kia.status, kia.reason = ServiceStatus.PENDING, None
        if self._b.t.state.kk.status is ServiceStatus.WAITING_INPUT and all(
                c.name_provided for c in self._b.t.state.children if c.outcome == "live"):
            self._b.t.state.kk.status, self._b.t.state.kk.reason = ServiceStatus.PENDING, None
        if _name_refused(child):  # Dukcapil refused the akta for the name: issue it with this one
            self._b.retry.add((Service.AKTA, inp.birth_order))
        self._b.t.event("name_provided", order=inp.birth_order)
        return UpdateAccepted(message="name recorded")

    @provide_name.validator
    def _validate_name(self, inp: ProvideNameInput) -> None:
        self._require_open()
        c = bs.child(self._b.t.state, inp.birth_order)
        if c is None or c.outcome != "live":
            raise ValueError(f"no live-born child with birth_order {inp.birth_order}")
        if inp.birth_order in self._b.names and not _name_refused(c):
            raise ValueError("this child already has a name; use a correction instead")

    @workflow.update
    async def retry_service(self, inp: RetryServiceInput) -> UpdateAccepted:
        self._b.retry.add((inp.service, inp.birth_order or 0))
        self._b.t.event("retry_requested", service=inp.service, order=inp.birth_order)
        return UpdateAccepted(message="retry scheduled")

    @retry_service.validator
    def _validate_retry(self, inp: RetryServiceInput) -> None:
        self._require_open()
        bundle_level = inp.service in (Service.ROUTING, Service.KK)
        if bundle_level != (inp.birth_order is None):
            raise ValueError("birth_order is required for child services and not allowed for "
                             "routing/kk")
        if not bundle_level and bs.child(self._b.t.state, inp.birth_order or 0) is None:
            raise ValueError(f"no child with birth_order {inp.birth_order}")
        st = self._b.t.svc(inp.birth_order, inp.service) if (
            bundle_level or inp.service in self._b.t.child(inp.birth_order or 0).services) else None
        allowed = (ServiceStatus.NEEDS_ATTENTION, ServiceStatus.AWAITING_PAYMENT)
        if st is None or st.status not in allowed:
            raise ValueError(f"{inp.service.value} is not waiting for a retry")
        if st.reason == Reason.DUPLIKAT_DICURIGAI:
            raise ValueError("a suspected duplicate waits for a supervisor's decision, not a retry")

    @workflow.update
    async def decide_duplicate(self, inp: DuplicateDecisionInput) -> UpdateAccepted:
        t = self._b.t
        if inp.duplicate:
            t.state.duplicate_of = t.state.suspected_duplicate_of
            t.by("duplicate_confirmed", inp.actor, inp.reason, service=Service.ROUTING)
            t.close(inp.reason)  # closed_duplicate: nothing was issued, nothing will be
            return UpdateAccepted(message="closed as a duplicate of the earlier bundle")
        t.state.suspected_duplicate_of = None
        t.by("duplicate_ruled_out", inp.actor, inp.reason, service=Service.ROUTING)
        t.set(t.state.routing, ServiceStatus.PENDING, None, Service.ROUTING, quiet=True)
        return UpdateAccepted(message="not a duplicate: the bundle goes on")

    @decide_duplicate.validator
    def _validate_duplicate(self, inp: DuplicateDecisionInput) -> None:
        self._require_open()
        if self._b.t.state.routing.reason != Reason.DUPLIKAT_DICURIGAI:
            raise ValueError("this bundle is not held as a suspected duplicate")

    @workflow.update
    async def record_kadis_decision(self, inp: KadisDecisionInput) -> UpdateAccepted:
        self._b.kadis_decision = inp.decision_number
        self._b.t.by("kadis_decision_recorded", inp.actor)
        for c in self._b.t.state.children:
            st = c.services.get(Service.AKTA)
            if st and st.status is ServiceStatus.NEEDS_ATTENTION:
                self._b.retry.add((Service.AKTA, c.birth_order))
        return UpdateAccepted(message="decision recorded; late akta retried")

    @record_kadis_decision.validator
    def _validate_decision(self, inp: KadisDecisionInput) -> None:
        self._require_open()
        if not any(c.services.get(Service.AKTA, ServiceState()).reason
                   == Reason.KEPUTUSAN_KADIS_DIPERLUKAN for c in self._b.t.state.children):
            raise ValueError("no akta in this bundle is waiting for a Kepala Dinas decision")

    @workflow.update
    async def report_death(self, inp: ReportDeathInput) -> UpdateAccepted:
        self._b.deaths[inp.birth_order] = inp
        self._b.t.child(inp.birth_order).died_on = inp.date_of_death
        self._b.t.by("death_reported", inp.actor, order=inp.birth_order)
        self._follow_up_starts.append(asyncio.create_task(deaths.start_follow_up(self._b, inp)))
        return UpdateAccepted(message="death recorded; follow-up starts once the akta kelahiran exists")

    @report_death.validator
    def _validate_death(self, inp: ReportDeathInput) -> None:
        self._require_open()
        c = bs.child(self._b.t.state, inp.birth_order)
        if c is None or c.outcome != "live":
            raise ValueError(f"no live-born child with birth_order {inp.birth_order}")
        if inp.birth_order in self._b.deaths:
            raise ValueError("this child's death was already reported")
        if inp.date_of_death < self._b.n.birth_date:
            raise ValueError("date_of_death is before the birth")

    @workflow.update
    async def close_bundle(self, inp: CloseBundleInput) -> UpdateAccepted:
        self._b.t.close(inp.reason)
        self._b.t.by("closed", inp.actor, inp.reason)
        return UpdateAccepted(message="bundle closed")

    @close_bundle.validator
    def _validate_close(self, inp: CloseBundleInput) -> None:
        self._require_open()

    @workflow.update
    async def forward_bundle(self, inp: ForwardInput) -> UpdateAccepted:
        self._b.t.forward(ForwardInfo(office=inp.office, reference=inp.reference, at=workflow.now(),
                                      actor=inp.actor), inp.reason)
        return UpdateAccepted(message=f"bundle forwarded to {inp.office}")

    @forward_bundle.validator
    def _validate_forward(self, inp: ForwardInput) -> None:
        self._require_open()
        if self._b.t.state.routing.reason != Reason.DOMISILI_LUAR:
            raise ValueError("only a bundle whose family no connected office serves can be forwarded")

    @workflow.update
    async def decide_sptjm(self, inp: SptjmDecisionInput) -> UpdateAccepted:
        self._b.mother_only = not inp.accept
        self._b.t.by("sptjm_accepted" if inp.accept else "sptjm_rejected", inp.actor, inp.reason,
                     service=Service.AKTA)
        self._b.retry_where(Service.AKTA, {Reason.SPTJM_TIDAK_SAH})
        return UpdateAccepted(message="akta retried " + (
            "with the SPTJM" if inp.accept else "naming the mother only (anak seorang ibu)"))

    @decide_sptjm.validator
    def _validate_sptjm(self, inp: SptjmDecisionInput) -> None:
        self._require_open()
        if not any(c.services.get(Service.AKTA, ServiceState()).reason == Reason.SPTJM_TIDAK_SAH
                   for c in self._b.t.state.children):
            raise ValueError("no akta in this bundle is waiting for an SPTJM decision")

    @workflow.update
    async def correct_parents(self, inp: CorrectParentsInput) -> UpdateAccepted:
        async with self._correcting:
            return await corrections.correct_parents(self._b, inp, self._validate_parents)

    @correct_parents.validator
    def _validate_parents(self, inp: CorrectParentsInput) -> None:
        self._require_open()
        if inp.mother is None and inp.father is None and inp.kk_number is None:
            raise ValueError("nothing to correct: give mother, father or kk_number")
        if self._b.akta:
            raise ValueError("an akta is already issued: request a correction after issue instead")
        if inp.kk_number is not None and self._b.office is not None and any(
                st.status not in (ServiceStatus.PENDING, ServiceStatus.NEEDS_ATTENTION)
                for c in self._b.t.state.children for svc, st in c.services.items() if svc in REROUTED):
            raise ValueError("the KK number can only change while no NIK is issued or being requested")

    def _require_open(self) -> None:
        if not self._b.is_open():
            raise ValueError(f"bundle is {self._b.t.state.status.value}; no further changes")


def _name_refused(child) -> bool:
    """The akta waits for a valid name: Dukcapil refused the one it had (Permendagri 73/2022)."""
    akta = child.services.get(Service.AKTA)
    return (akta is not None and akta.status is ServiceStatus.NEEDS_ATTENTION
            and akta.reason == Reason.NAMA_TIDAK_SESUAI)
