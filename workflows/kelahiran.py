"""The durable kelahiran workflow: one delivery -> NIK, akta, KIA, BPJS per child and one KK reissue.

Deterministic: no I/O, no clock but workflow.now(), activities called by name. A business
rejection never fails the workflow: that service waits for a person (retry or close) while the
others continue as far as their dependencies allow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError
from temporalio.workflow import ParentClosePolicy

# `import workflows.x as y`, not `from workflows import x`: the sandbox passes through only the
# module an import statement names; a submodule reached from a fresh package's fromlist is
# imported afresh, i.e. compiled and run again for every workflow run.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    import workflows.deadlines as deadlines
    import workflows.family as family
    import workflows.requests as rq
    from domain import bundle_state as bs
    from domain.contracts import (
        DEATH_WORKFLOW_TYPE,
        TERMINAL_STATUSES,
        WORKFLOW_TYPE,
        AktaIssued,
        BpjsMembership,
        BpjsStatusInput,
        BundleState,
        CloseBundleInput,
        CorrectParentsInput,
        FamilyInfo,
        FamilyLookupInput,
        FollowUpInput,
        FollowUpKind,
        FollowUpLink,
        ForwardInfo,
        ForwardInput,
        KadisDecisionInput,
        KelahiranInput,
        KiaIssued,
        KkReissued,
        NikIssued,
        ProvideNameInput,
        ReadModelSync,
        Reason,
        ReminderInput,
        ReportDeathInput,
        RetryServiceInput,
        Service,
        ServiceState,
        ServiceStatus,
        SptjmDecisionInput,
        StillbirthRecorded,
        UpdateAccepted,
    )
    from domain.notification import Child, Outcome
    from workflows.calls import business_reason, call
    from workflows.tracker import Tracker, snapshot_version

T = TypeVar("T")
# Business rejections a correction of the parents' data (or the KK number) can cure.
PARENT_DATA_REASONS = {Reason.KK_TIDAK_DITEMUKAN, Reason.NIK_IBU_TIDAK_DITEMUKAN, Reason.IBU_TIDAK_DI_KK,
                       Reason.SPTJM_TIDAK_SAH}


@workflow.defn(name=WORKFLOW_TYPE)
class KelahiranWorkflow:
    @workflow.init
    def __init__(self, inp: KelahiranInput) -> None:
        self._inp = inp
        self._n = inp.notification
        self._t = Tracker(bs.initial_state(inp))
        self._names: dict[int, str] = {c.birth_order: c.name for c in self._n.children if c.name}
        self._niks: dict[int, str] = {}
        self._akta: dict[int, str] = {}
        self._office: str | None = None
        self._kadis_decision: str | None = None
        self._mother_only = False  # an SPTJM was rejected: the akta names the mother alone
        self._retry: set[tuple[Service, int]] = set()
        self._generation: dict[tuple[Service, int], int] = {}
        self._finished = False
        self._watches: list[asyncio.Task] = []
        self._deaths: dict[int, ReportDeathInput] = {}
        self._follow_up_starts: list[asyncio.Task] = []

    # --- run -----------------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: KelahiranInput) -> BundleState:
        syncer = asyncio.create_task(self._sync_loop())
        self._t.event("received", message=f"{len(self._n.children)} child(ren) reported")
        self._start_deadline_watches()
        if await self._route():
            await self._register_children()
            await asyncio.gather(
                self._kk_flow(),
                *(self._live_child_flow(c) for c in self._live_children()),
            )
        await asyncio.gather(*self._follow_up_starts)
        self._t.refresh()
        if self._t.state.status not in TERMINAL_STATUSES:
            # Only a person can end a bundle that is stuck (retry succeeded paths return above).
            await workflow.wait_condition(lambda: self._t.state.status in TERMINAL_STATUSES)
        self._t.state.completed_at = workflow.now()
        self._t.event(self._t.state.status.value)
        self._finished = True
        await syncer
        # After the last read-model write: the link in the SMS works.
        await family.notify_when_completed(self._inp, self._n, self._t.state)
        return self._t.state

    def _start_deadline_watches(self) -> None:
        tu, born = self._inp.tuning, self._n.birth_date
        for c in self._n.ordered_children():
            if c.outcome is Outcome.LIVE:
                plan = [(Service.AKTA, tu.akta_deadline_days, tu.akta_warn_days),
                        (Service.BPJS, tu.bpjs_deadline_days, tu.bpjs_warn_days)]
            else:
                plan = [(Service.STILLBIRTH, tu.stillbirth_deadline_days, tu.stillbirth_warn_days)]
            for service, days, warn in plan:
                self._watches.append(asyncio.create_task(deadlines.watch(
                    self._t, c.birth_order, service, birth=born, days=days, warn_days=warn,
                    remind=self._remind)))

    async def _remind(self, service: Service, order: int, kind: str, due: date) -> None:
        await self._activity(act.SEND_REMINDER, ReminderInput(
            bundle_id=self._inp.bundle_id, service=service, birth_order=order, kind=kind, due=due), bool)
        self._t.event("reminder_sent", service=service, order=order, message=kind)

    def _live_children(self) -> list[Child]:
        return [c for c in self._n.ordered_children() if c.outcome is Outcome.LIVE]

    async def _route(self) -> bool:
        """Find the office serving the family's KK domicile; False if the bundle cannot go on."""
        st = self._t.state.routing
        while True:
            info = await self._perform(
                None, Service.ROUTING,
                lambda: self._activity(act.LOOKUP_FAMILY, FamilyLookupInput(kk_number=self._n.kk_number),
                                       FamilyInfo),
            )
            if info is None:
                return False
            self._t.state.domicile_kecamatan = info.kecamatan
            if info.office_connected:
                self._office = info.kab_kota
                self._t.state.office_code = info.kab_kota
                self._t.set(st, ServiceStatus.COMPLETED, None, Service.ROUTING, document=info.kab_kota)
                return True
            self._t.set(st, ServiceStatus.NEEDS_ATTENTION, None, Service.ROUTING,
                      reason=Reason.DOMISILI_LUAR.value,
                      detail=f"no connected Dukcapil office for kab/kota {info.kab_kota}")
            if not await self._wait_for_retry(Service.ROUTING, 0):
                return False

    async def _register_children(self) -> None:
        # Sequential, in birth order: twins' NIK serials must follow their birth order.
        for c in self._n.ordered_children():
            if c.outcome is Outcome.LIVE:
                res = await self._perform(c.birth_order, Service.NIK,
                                          lambda c=c: self._register_birth(c))
                if res is not None:
                    self._niks[c.birth_order] = res.nik
                    self._t.child(c.birth_order).services[Service.NIK].document_number = res.nik
            else:
                res = await self._perform(c.birth_order, Service.STILLBIRTH,
                                          lambda c=c: self._record_stillbirth(c))
                if res is not None:
                    self._t.svc(c.birth_order, Service.STILLBIRTH).document_number = res.certificate_number

    async def _live_child_flow(self, c: Child) -> None:
        if c.birth_order in self._niks:
            await asyncio.gather(self._akta_then_kia(c), self._bpjs(c))

    async def _akta_then_kia(self, c: Child) -> None:
        order = c.birth_order
        if order not in self._names:
            st = self._t.svc(order, Service.AKTA)
            self._t.set(st, ServiceStatus.WAITING_INPUT, order, Service.AKTA,
                      reason=Reason.NAMA_BELUM_ADA.value, detail="waiting for the baby's name")
            for s in (Service.KIA,):
                self._t.set(self._t.svc(order, s), ServiceStatus.WAITING_INPUT, order, s,
                          reason=Reason.NAMA_BELUM_ADA.value, quiet=True)
            if self._t.state.kk.status is ServiceStatus.PENDING:
                self._t.set(self._t.state.kk, ServiceStatus.WAITING_INPUT, None, Service.KK,
                          reason=Reason.NAMA_BELUM_ADA.value, quiet=True)
            await workflow.wait_condition(lambda: order in self._names or self._t.closed)
            if self._t.closed:
                return
        akta = await self._perform(order, Service.AKTA, lambda: self._issue_akta(c))
        if akta is None:
            return
        self._akta[order] = akta.register_number
        st = self._t.svc(order, Service.AKTA)
        st.document_number = akta.register_number
        st.facts = {"jenis": "LT" if akta.late else "LU", "orang_tua": akta.parents_wording}
        kia = await self._perform(order, Service.KIA, lambda: self._issue_kia(c))
        if kia is not None:
            kst = self._t.svc(order, Service.KIA)
            kst.document_number = kia.nik
            kst.facts = {"jenis": kia.card_type, "berlaku_sampai": kia.valid_until.isoformat()}

    async def _kk_flow(self) -> None:
        live = [c.birth_order for c in self._live_children()]
        if not live:
            return
        await workflow.wait_condition(lambda: all(o in self._akta for o in live) or self._t.closed)
        if self._t.closed:
            return
        res = await self._perform(None, Service.KK, self._reissue_kk)
        if res is not None:
            self._t.state.kk.document_number = res.kk_number
            self._t.state.kk.facts = {"tanggal_terbit": res.issued_on.isoformat(),
                                    "tanda_tangan": res.signature_id}

    async def _bpjs(self, c: Child) -> None:
        order = c.birth_order
        m = await self._perform(order, Service.BPJS, lambda: self._enrol(c), done_if=_active)
        st = self._t.svc(order, Service.BPJS)
        while m is not None:
            st.document_number = m.card_number
            st.facts = {"segmen": m.segment, "kelas": m.class_, "status": m.status}
            if m.virtual_account:
                st.facts |= {"virtual_account": m.virtual_account, "tagihan": str(m.amount_due)}
            if m.arrears_from:
                st.facts["tunggakan_sejak"] = m.arrears_from.isoformat()
            if m.status == "AKTIF":
                # An enrolment that is active at once was already marked completed by _perform (done_if).
                if st.status is not ServiceStatus.COMPLETED:
                    self._t.set(st, ServiceStatus.COMPLETED, order, Service.BPJS)
                return
            if st.status is not ServiceStatus.AWAITING_PAYMENT:
                self._t.set(st, ServiceStatus.AWAITING_PAYMENT, order, Service.BPJS,
                          detail="waiting for the family's first payment to the virtual account")
            try:
                await workflow.wait_condition(
                    lambda: self._t.closed or (Service.BPJS, order) in self._retry or order in self._deaths,
                    timeout=timedelta(seconds=self._inp.tuning.bpjs_poll_seconds),
                )
            except TimeoutError:
                pass
            self._retry.discard((Service.BPJS, order))
            if self._t.closed or order in self._deaths:
                break
            try:
                m = await self._activity(act.MEMBERSHIP_STATUS,
                                         BpjsStatusInput(card_number=m.card_number), BpjsMembership)
            except ActivityError:
                # A refused status check changes nothing: keep waiting for the payment.
                continue
        if order in self._deaths and st.status not in bs.DONE:
            # The death follow-up ends the membership at BPJS; the bundle no longer waits for it.
            self._t.set(st, ServiceStatus.NOT_APPLICABLE, order, Service.BPJS,
                        detail="membership ended: the child died")

    # --- activity calls ----------------------------------------------------------------------

    def _key(self, service: Service, order: int) -> str:
        # A person-triggered retry gets a new generation: the rejected call issued nothing, and the
        # retried request may carry new data (e.g. the Kepala Dinas's decision).
        gen = self._generation.get((service, order), 0)
        return f"{self._inp.bundle_id}/{service.value}/{order}/{gen}"

    def _name(self, order: int) -> str:
        return self._names.get(order) or rq.placeholder_name(self._n)

    def _register_birth(self, c: Child) -> Awaitable[NikIssued]:
        return self._activity(act.REGISTER_BIRTH, rq.register_birth(
            self._n, c, office=self._office or "", key=self._key(Service.NIK, c.birth_order),
            name=self._name(c.birth_order)), NikIssued)

    def _record_stillbirth(self, c: Child) -> Awaitable[StillbirthRecorded]:
        return self._activity(act.RECORD_STILLBIRTH, rq.stillbirth(
            self._n, c, office=self._office or "", key=self._key(Service.STILLBIRTH, c.birth_order)),
            StillbirthRecorded)

    def _issue_akta(self, c: Child) -> Awaitable[AktaIssued]:
        o = c.birth_order
        return self._activity(act.ISSUE_AKTA, rq.akta(
            self._n, office=self._office or "", key=self._key(Service.AKTA, o), nik=self._niks[o],
            name=self._names[o], kadis_decision=self._kadis_decision, mother_only=self._mother_only),
            AktaIssued)

    def _issue_kia(self, c: Child) -> Awaitable[KiaIssued]:
        o = c.birth_order
        return self._activity(act.ISSUE_KIA, rq.kia(
            office=self._office or "", key=self._key(Service.KIA, o), nik=self._niks[o],
            name=self._names[o], akta_number=self._akta[o]), KiaIssued)

    def _reissue_kk(self) -> Awaitable[KkReissued]:
        return self._activity(act.REISSUE_KK, rq.kk_reissue(
            self._n, office=self._office or "", key=self._key(Service.KK, 0), niks=self._niks,
            names=self._names, aktas=self._akta), KkReissued)

    def _enrol(self, c: Child) -> Awaitable[BpjsMembership]:
        o = c.birth_order
        return self._activity(act.ENROL_NEWBORN, rq.enrol(
            self._n, c, key=self._key(Service.BPJS, o), nik=self._niks[o], name=self._name(o)),
            BpjsMembership)

    def _activity(self, name: str, arg: Any, result_type: type[T]) -> Awaitable[T]:
        return call(name, arg, result_type, self._inp.tuning)

    async def _perform(self, order: int | None, service: Service, call: Callable[[], Awaitable[T]],
                       *, done_if: Callable[[Any], bool] = lambda _: True) -> T | None:
        """Run one service until it succeeds; on a business rejection wait for a person."""
        st = self._t.svc(order, service)
        while True:
            self._t.set(st, ServiceStatus.IN_PROGRESS, order, service, quiet=True)
            st.attempts += 1
            try:
                result = await call()
            except ActivityError as err:
                reason = business_reason(err)
                if reason is None:
                    raise
                self._t.set(st, ServiceStatus.NEEDS_ATTENTION, order, service,
                            reason=reason, detail=str(err.cause.message if err.cause else reason))
                if not await self._wait_for_retry(service, order or 0):
                    return None
                continue
            if done_if(result) and service is not Service.ROUTING:
                self._t.set(st, ServiceStatus.COMPLETED, order, service)
            return result

    async def _wait_for_retry(self, service: Service, order: int) -> bool:
        key = (service, order)
        died = (lambda: order in self._deaths) if service is Service.BPJS else (lambda: False)
        await workflow.wait_condition(lambda: key in self._retry or self._t.closed or died())
        if self._t.closed or died():
            return False
        self._retry.discard(key)
        self._generation[key] = self._generation.get(key, 0) + 1
        return True

    # --- state -------------------------------------------------------------------------------

    async def _sync_loop(self) -> None:
        """Write the read model whenever the state changed, coalescing bursts into one write."""
        t = self._inp.tuning
        while True:
            await workflow.wait_condition(lambda: self._t.dirty or self._finished)
            if not self._t.dirty and self._finished:
                return
            self._t.dirty = False
            self._t.state.version = snapshot_version(self._t.state.version,
                                                     workflow.info().get_current_history_length())
            # No copy: the argument is serialised right here, as the command is made (a local retry
            # after a backoff serialises the state again, newer but never older).
            # A local activity: no task on the server and no copy of the state in the history (only
            # the result's marker).
            await workflow.execute_local_activity(
                act.SYNC_READ_MODEL, ReadModelSync(state=self._t.state),
                start_to_close_timeout=timedelta(seconds=t.read_model_timeout_seconds),
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=t.retry_max_seconds),
                                         maximum_attempts=0),
            )

    # --- queries and updates -----------------------------------------------------------------

    @workflow.query
    def status(self) -> BundleState:
        return self._t.state

    @workflow.update
    async def provide_name(self, inp: ProvideNameInput) -> UpdateAccepted:
        self._names[inp.birth_order] = inp.name
        child = self._t.child(inp.birth_order)
        child.name_provided = True
        kia = child.services[Service.KIA]
        if kia.status is ServiceStatus.WAITING_INPUT:
            kia.status, kia.reason = ServiceStatus.PENDING, None
        if self._t.state.kk.status is ServiceStatus.WAITING_INPUT and all(
                c.name_provided for c in self._t.state.children if c.outcome == "live"):
            self._t.state.kk.status, self._t.state.kk.reason = ServiceStatus.PENDING, None
        self._t.event("name_provided", order=inp.birth_order)
        return UpdateAccepted(message="name recorded")

    @provide_name.validator
    def _validate_name(self, inp: ProvideNameInput) -> None:
        self._require_open()
        c = bs.child(self._t.state, inp.birth_order)
        if c is None or c.outcome != "live":
            raise ValueError(f"no live-born child with birth_order {inp.birth_order}")
        if inp.birth_order in self._names:
            raise ValueError("this child already has a name; use a correction instead")

    @workflow.update
    async def retry_service(self, inp: RetryServiceInput) -> UpdateAccepted:
        self._retry.add((inp.service, inp.birth_order or 0))
        self._t.event("retry_requested", service=inp.service, order=inp.birth_order)
        return UpdateAccepted(message="retry scheduled")

    @retry_service.validator
    def _validate_retry(self, inp: RetryServiceInput) -> None:
        self._require_open()
        bundle_level = inp.service in (Service.ROUTING, Service.KK)
        if bundle_level != (inp.birth_order is None):
            raise ValueError("birth_order is required for child services and not allowed for "
                             "routing/kk")
        if not bundle_level and bs.child(self._t.state, inp.birth_order or 0) is None:
            raise ValueError(f"no child with birth_order {inp.birth_order}")
        st = self._t.svc(inp.birth_order, inp.service) if (
            bundle_level or inp.service in self._t.child(inp.birth_order or 0).services) else None
        allowed = (ServiceStatus.NEEDS_ATTENTION, ServiceStatus.AWAITING_PAYMENT)
        if st is None or st.status not in allowed:
            raise ValueError(f"{inp.service.value} is not waiting for a retry")

    @workflow.update
    async def record_kadis_decision(self, inp: KadisDecisionInput) -> UpdateAccepted:
        self._kadis_decision = inp.decision_number
        self._t.event("kadis_decision_recorded", message=f"by {inp.actor}")
        for c in self._t.state.children:
            st = c.services.get(Service.AKTA)
            if st and st.status is ServiceStatus.NEEDS_ATTENTION:
                self._retry.add((Service.AKTA, c.birth_order))
        return UpdateAccepted(message="decision recorded; late akta retried")

    @record_kadis_decision.validator
    def _validate_decision(self, inp: KadisDecisionInput) -> None:
        self._require_open()
        if not any(c.services.get(Service.AKTA, ServiceState()).reason
                   == Reason.KEPUTUSAN_KADIS_DIPERLUKAN for c in self._t.state.children):
            raise ValueError("no akta in this bundle is waiting for a Kepala Dinas decision")

    @workflow.update
    async def report_death(self, inp: ReportDeathInput) -> UpdateAccepted:
        self._deaths[inp.birth_order] = inp
        self._t.child(inp.birth_order).died_on = inp.date_of_death
        self._t.event("death_reported", order=inp.birth_order, message=f"by {inp.actor}")
        self._follow_up_starts.append(asyncio.create_task(self._start_death_follow_up(inp)))
        return UpdateAccepted(message="death recorded; follow-up starts once the akta kelahiran exists")

    @report_death.validator
    def _validate_death(self, inp: ReportDeathInput) -> None:
        self._require_open()
        c = bs.child(self._t.state, inp.birth_order)
        if c is None or c.outcome != "live":
            raise ValueError(f"no live-born child with birth_order {inp.birth_order}")
        if inp.birth_order in self._deaths:
            raise ValueError("this child's death was already reported")
        if inp.date_of_death < self._n.birth_date:
            raise ValueError("date_of_death is before the birth")

    async def _start_death_follow_up(self, death: ReportDeathInput) -> None:
        order = death.birth_order
        # The akta kelahiran stands, and the KK lists the child before it can be updated: the
        # follow-up starts after both.
        await workflow.wait_condition(
            lambda: (order in self._akta and self._t.state.kk.status is ServiceStatus.COMPLETED)
            or self._t.closed)
        if self._t.closed:
            return
        wid = f"{self._inp.bundle_id}-kematian-{order}"
        bpjs = self._t.svc(order, Service.BPJS)
        await workflow.start_child_workflow(
            DEATH_WORKFLOW_TYPE, FollowUpInput(
                kind=FollowUpKind.DEATH, workflow_id=wid, bundle_id=self._inp.bundle_id,
                birth_order=order, office=self._office or "", kk_number=self._n.kk_number,
                child_nik=self._niks[order], akta_number=self._akta[order],
                card_number=bpjs.document_number, date_of_death=death.date_of_death,
                place_of_death=death.place_of_death, tuning=self._inp.tuning),
            id=wid, parent_close_policy=ParentClosePolicy.ABANDON)
        self._t.state.follow_ups.append(FollowUpLink(kind=FollowUpKind.DEATH, birth_order=order,
                                                     workflow_id=wid, started_at=workflow.now()))
        self._t.event("follow_up_started", order=order, message=f"death follow-up {wid}")

    @workflow.update
    async def close_bundle(self, inp: CloseBundleInput) -> UpdateAccepted:
        self._t.close(inp.reason)
        self._t.event("closed", message=f"by {inp.actor}: {inp.reason}")
        return UpdateAccepted(message="bundle closed")

    @close_bundle.validator
    def _validate_close(self, inp: CloseBundleInput) -> None:
        self._require_open()

    @workflow.update
    async def forward_bundle(self, inp: ForwardInput) -> UpdateAccepted:
        self._t.forward(ForwardInfo(office=inp.office, reference=inp.reference, at=workflow.now(),
                                    actor=inp.actor), inp.reason)
        self._t.event("handed_over",
                      message=f"by {inp.actor} to {inp.office} ({inp.reference}): {inp.reason}")
        return UpdateAccepted(message=f"bundle forwarded to {inp.office}")

    @forward_bundle.validator
    def _validate_forward(self, inp: ForwardInput) -> None:
        self._require_open()
        if self._t.state.routing.reason != Reason.DOMISILI_LUAR:
            raise ValueError("only a bundle whose family no connected office serves can be forwarded")

    @workflow.update
    async def decide_sptjm(self, inp: SptjmDecisionInput) -> UpdateAccepted:
        self._mother_only = not inp.accept
        self._t.event("sptjm_accepted" if inp.accept else "sptjm_rejected",
                      service=Service.AKTA, message=f"by {inp.actor}: {inp.reason}")
        self._retry_where(Service.AKTA, {Reason.SPTJM_TIDAK_SAH})
        return UpdateAccepted(message="akta retried " + (
            "with the SPTJM" if inp.accept else "naming the mother only (anak seorang ibu)"))

    @decide_sptjm.validator
    def _validate_sptjm(self, inp: SptjmDecisionInput) -> None:
        self._require_open()
        if not any(c.services.get(Service.AKTA, ServiceState()).reason == Reason.SPTJM_TIDAK_SAH
                   for c in self._t.state.children):
            raise ValueError("no akta in this bundle is waiting for an SPTJM decision")

    @workflow.update
    async def correct_parents(self, inp: CorrectParentsInput) -> UpdateAccepted:
        changes = {k: v for k, v in (("mother", inp.mother), ("father", inp.father),
                                     ("kk_number", inp.kk_number)) if v is not None}
        self._n = self._n.model_copy(update=changes)
        self._t.event("parents_corrected", message=f"by {inp.actor}: {', '.join(changes)}: {inp.reason}")
        self._retry_where(None, PARENT_DATA_REASONS)
        return UpdateAccepted(message="parent data corrected; waiting services retried")

    @correct_parents.validator
    def _validate_parents(self, inp: CorrectParentsInput) -> None:
        self._require_open()
        if inp.mother is None and inp.father is None and inp.kk_number is None:
            raise ValueError("nothing to correct: give mother, father or kk_number")
        if self._akta:
            raise ValueError("an akta is already issued: request a correction after issue instead")
        if inp.kk_number is not None and self._office is not None:
            raise ValueError("the KK can only change before routing succeeded")

    def _retry_where(self, service: Service | None, reasons: set[str]) -> None:
        """Schedule a retry of every service (or every `service`) waiting with one of `reasons`."""
        for svc_order, svc, st in bs.all_services(self._t.state):
            if (service in (None, svc) and st.status is ServiceStatus.NEEDS_ATTENTION
                    and st.reason in reasons):
                self._retry.add((svc, svc_order or 0))

    def _require_open(self) -> None:
        if self._t.closed or self._finished or self._t.state.status in TERMINAL_STATUSES:
            raise ValueError(f"bundle is {self._t.state.status.value}; no further changes")


def _active(m: BpjsMembership) -> bool:
    return m.status == "AKTIF"
