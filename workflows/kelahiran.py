"""The durable kelahiran workflow: one delivery -> NIK, akta, KIA, BPJS per child and one KK reissue.

Deterministic: no I/O, no clock but workflow.now(), activities called by name. A business
rejection never fails the workflow: that service waits for a person (retry or close) while the
others continue as far as their dependencies allow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import bundle_state as bs
    from domain.contracts import (
        WORKFLOW_TYPE,
        AktaInput,
        AktaIssued,
        BpjsEnrolInput,
        BpjsMembership,
        BpjsStatusInput,
        BundleState,
        ChildState,
        CloseBundleInput,
        FamilyInfo,
        FamilyLookupInput,
        KadisDecisionInput,
        KelahiranInput,
        KiaInput,
        KiaIssued,
        KkChild,
        KkReissued,
        KkReissueInput,
        NikIssued,
        ProvideNameInput,
        ReadModelSync,
        Reason,
        RegisterBirthInput,
        RetryServiceInput,
        Service,
        ServiceState,
        ServiceStatus,
        StillbirthInput,
        StillbirthRecorded,
        TimelineEvent,
        UpdateAccepted,
    )
    from domain.notification import Child, Outcome
    from workflows import activity_names as act

T = TypeVar("T")
BUSINESS = "BusinessRejection"
TERMINAL = {"completed", "closed_with_issues", "stillbirth_recorded"}


@workflow.defn(name=WORKFLOW_TYPE)
class KelahiranWorkflow:
    @workflow.init
    def __init__(self, inp: KelahiranInput) -> None:
        self._inp = inp
        self._n = inp.notification
        self._state: BundleState = bs.initial_state(inp)
        self._names: dict[int, str] = {c.birth_order: c.name for c in self._n.children if c.name}
        self._niks: dict[int, str] = {}
        self._akta: dict[int, str] = {}
        self._office: str | None = None
        self._kadis_decision: str | None = None
        self._retry: set[tuple[Service, int]] = set()
        self._generation: dict[tuple[Service, int], int] = {}
        self._closed = False
        self._dirty = True
        self._finished = False

    # --- run -----------------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: KelahiranInput) -> BundleState:
        syncer = asyncio.create_task(self._sync_loop())
        self._event("received", message=f"{len(self._n.children)} child(ren) reported")
        if await self._route():
            await self._register_children()
            await asyncio.gather(
                self._kk_flow(),
                *(self._live_child_flow(c) for c in self._live_children()),
            )
        self._refresh_status()
        if self._state.status not in TERMINAL:
            # Only a person can end a bundle that is stuck (retry succeeded paths return above).
            await workflow.wait_condition(lambda: self._state.status in TERMINAL)
        self._state.completed_at = workflow.now()
        self._event(self._state.status.value)
        self._finished = True
        await syncer
        return self._state

    def _live_children(self) -> list[Child]:
        return [c for c in self._n.ordered_children() if c.outcome is Outcome.LIVE]

    async def _route(self) -> bool:
        """Find the office serving the family's KK domicile; False if the bundle cannot go on."""
        st = self._state.routing
        while True:
            info = await self._perform(
                None, Service.ROUTING,
                lambda: self._activity(act.LOOKUP_FAMILY, FamilyLookupInput(kk_number=self._n.kk_number),
                                       FamilyInfo),
            )
            if info is None:
                return False
            self._state.domicile_kecamatan = info.kecamatan
            if info.office_connected:
                self._office = info.kab_kota
                self._state.office_code = info.kab_kota
                self._set(st, ServiceStatus.COMPLETED, None, Service.ROUTING, document=info.kab_kota)
                return True
            self._set(st, ServiceStatus.NEEDS_ATTENTION, None, Service.ROUTING,
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
                    self._child(c.birth_order).services[Service.NIK].document_number = res.nik
            else:
                res = await self._perform(c.birth_order, Service.STILLBIRTH,
                                          lambda c=c: self._record_stillbirth(c))
                if res is not None:
                    self._svc(c.birth_order, Service.STILLBIRTH).document_number = res.certificate_number

    async def _live_child_flow(self, c: Child) -> None:
        if c.birth_order in self._niks:
            await asyncio.gather(self._akta_then_kia(c), self._bpjs(c))

    async def _akta_then_kia(self, c: Child) -> None:
        order = c.birth_order
        if order not in self._names:
            st = self._svc(order, Service.AKTA)
            self._set(st, ServiceStatus.WAITING_INPUT, order, Service.AKTA,
                      reason=Reason.NAMA_BELUM_ADA.value, detail="waiting for the baby's name")
            for s in (Service.KIA,):
                self._set(self._svc(order, s), ServiceStatus.WAITING_INPUT, order, s,
                          reason=Reason.NAMA_BELUM_ADA.value, quiet=True)
            if self._state.kk.status is ServiceStatus.PENDING:
                self._set(self._state.kk, ServiceStatus.WAITING_INPUT, None, Service.KK,
                          reason=Reason.NAMA_BELUM_ADA.value, quiet=True)
            await workflow.wait_condition(lambda: order in self._names or self._closed)
            if self._closed:
                return
        akta = await self._perform(order, Service.AKTA, lambda: self._issue_akta(c))
        if akta is None:
            return
        self._akta[order] = akta.register_number
        st = self._svc(order, Service.AKTA)
        st.document_number = akta.register_number
        st.facts = {"jenis": "LT" if akta.late else "LU", "orang_tua": akta.parents_wording}
        kia = await self._perform(order, Service.KIA, lambda: self._issue_kia(c))
        if kia is not None:
            kst = self._svc(order, Service.KIA)
            kst.document_number = kia.nik
            kst.facts = {"jenis": kia.card_type, "berlaku_sampai": kia.valid_until.isoformat()}

    async def _kk_flow(self) -> None:
        live = [c.birth_order for c in self._live_children()]
        if not live:
            return
        await workflow.wait_condition(lambda: all(o in self._akta for o in live) or self._closed)
        if self._closed:
            return
        res = await self._perform(None, Service.KK, self._reissue_kk)
        if res is not None:
            self._state.kk.document_number = res.kk_number
            self._state.kk.facts = {"tanggal_terbit": res.issued_on.isoformat(),
                                    "tanda_tangan": res.signature_id}

    async def _bpjs(self, c: Child) -> None:
        order = c.birth_order
        m = await self._perform(order, Service.BPJS, lambda: self._enrol(c), done_if=_active)
        st = self._svc(order, Service.BPJS)
        while m is not None:
            st.document_number = m.card_number
            st.facts = {"segmen": m.segment, "kelas": m.class_, "status": m.status}
            if m.virtual_account:
                st.facts |= {"virtual_account": m.virtual_account, "tagihan": str(m.amount_due)}
            if m.arrears_from:
                st.facts["tunggakan_sejak"] = m.arrears_from.isoformat()
            if m.status == "AKTIF":
                self._set(st, ServiceStatus.COMPLETED, order, Service.BPJS)
                return
            if st.status is not ServiceStatus.AWAITING_PAYMENT:
                self._set(st, ServiceStatus.AWAITING_PAYMENT, order, Service.BPJS,
                          detail="waiting for the family's first payment to the virtual account")
            try:
                await workflow.wait_condition(
                    lambda: self._closed or (Service.BPJS, order) in self._retry,
                    timeout=timedelta(seconds=self._inp.tuning.bpjs_poll_seconds),
                )
            except TimeoutError:
                pass
            self._retry.discard((Service.BPJS, order))
            if self._closed:
                return
            try:
                m = await self._activity(act.MEMBERSHIP_STATUS,
                                         BpjsStatusInput(card_number=m.card_number), BpjsMembership)
            except ActivityError:
                # A refused status check changes nothing: keep waiting for the payment.
                continue

    # --- activity calls ----------------------------------------------------------------------

    def _key(self, service: Service, order: int) -> str:
        # A person-triggered retry gets a new generation: the rejected call issued nothing, and the
        # retried request may carry new data (e.g. the Kepala Dinas's decision).
        gen = self._generation.get((service, order), 0)
        return f"{self._inp.bundle_id}/{service.value}/{order}/{gen}"

    def _register_birth(self, c: Child) -> Awaitable[NikIssued]:
        n = self._n
        return self._activity(act.REGISTER_BIRTH, RegisterBirthInput(
            office=self._office or "", idempotency_key=self._key(Service.NIK, c.birth_order),
            kk_number=n.kk_number, mother_nik=n.mother.nik,
            father_nik=n.father.nik if n.father else None, birth_date=n.birth_date,
            birth_time=n.birth_time.isoformat(timespec="minutes"),
            birth_place_kab_kota=n.birth_place.kab_kota_code, facility_name=n.birth_place.facility_name,
            sex=c.sex, name=self._names.get(c.birth_order) or f"Bayi Ny. {n.mother.name}",
            birth_order=c.birth_order, multiplicity=len(n.children),
            weight_grams=c.weight_grams, length_cm=c.length_cm), NikIssued)

    def _record_stillbirth(self, c: Child) -> Awaitable[StillbirthRecorded]:
        return self._activity(act.RECORD_STILLBIRTH, StillbirthInput(
            office=self._office or "", idempotency_key=self._key(Service.STILLBIRTH, c.birth_order),
            kk_number=self._n.kk_number, mother_nik=self._n.mother.nik,
            birth_date=self._n.birth_date, birth_order=c.birth_order,
            gestational_age_weeks=c.gestational_age_weeks or 0,
            facility_name=self._n.birth_place.facility_name), StillbirthRecorded)

    def _issue_akta(self, c: Child) -> Awaitable[AktaIssued]:
        n = self._n
        return self._activity(act.ISSUE_AKTA, AktaInput(
            office=self._office or "", idempotency_key=self._key(Service.AKTA, c.birth_order),
            child_nik=self._niks[c.birth_order], child_name=self._names[c.birth_order],
            kk_number=n.kk_number, mother_nik=n.mother.nik,
            father_nik=n.father.nik if n.father else None,
            marriage_proof_number=n.marriage_proof.number if n.marriage_proof else None,
            sptjm_marriage=n.sptjm_marriage, witness_niks=[w.nik for w in n.witnesses],
            birth_place_kab_kota=n.birth_place.kab_kota_code,
            facility_name=n.birth_place.facility_name, attendant=n.attendant.value,
            kadis_decision_number=self._kadis_decision), AktaIssued)

    def _issue_kia(self, c: Child) -> Awaitable[KiaIssued]:
        return self._activity(act.ISSUE_KIA, KiaInput(
            office=self._office or "", idempotency_key=self._key(Service.KIA, c.birth_order),
            child_nik=self._niks[c.birth_order], child_name=self._names[c.birth_order],
            akta_number=self._akta[c.birth_order]), KiaIssued)

    def _reissue_kk(self) -> Awaitable[KkReissued]:
        children = [KkChild(nik=self._niks[o], name=self._names[o], akta_number=self._akta[o])
                    for o in sorted(self._akta)]
        return self._activity(act.REISSUE_KK, KkReissueInput(
            office=self._office or "", idempotency_key=self._key(Service.KK, 0),
            kk_number=self._n.kk_number, children=children), KkReissued)

    def _enrol(self, c: Child) -> Awaitable[BpjsMembership]:
        n = self._n
        return self._activity(act.ENROL_NEWBORN, BpjsEnrolInput(
            idempotency_key=self._key(Service.BPJS, c.birth_order), mother_nik=n.mother.nik,
            child_nik=self._niks[c.birth_order],
            child_name=self._names.get(c.birth_order) or f"Bayi Ny. {n.mother.name}",
            birth_date=n.birth_date, sex=c.sex), BpjsMembership)

    def _activity(self, name: str, arg: Any, result_type: type[T]) -> Awaitable[T]:
        t = self._inp.tuning
        return workflow.execute_activity(
            name, arg, result_type=result_type,
            start_to_close_timeout=timedelta(seconds=t.activity_timeout_seconds),
            # Transient failures are retried for as long as it takes; business rejections are
            # raised non-retryable by the activities and handled in _perform.
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=t.retry_initial_seconds),
                maximum_interval=timedelta(seconds=t.retry_max_seconds),
                backoff_coefficient=2.0, maximum_attempts=0,
                non_retryable_error_types=[BUSINESS]),
        )

    async def _perform(self, order: int | None, service: Service, call: Callable[[], Awaitable[T]],
                       *, done_if: Callable[[Any], bool] = lambda _: True) -> T | None:
        """Run one service until it succeeds; on a business rejection wait for a person."""
        st = self._svc(order, service)
        while True:
            self._set(st, ServiceStatus.IN_PROGRESS, order, service, quiet=True)
            st.attempts += 1
            try:
                result = await call()
            except ActivityError as err:
                cause = err.cause
                if not (isinstance(cause, ApplicationError) and cause.type == BUSINESS):
                    raise
                reason = cause.details[0] if cause.details else "DITOLAK"
                self._set(st, ServiceStatus.NEEDS_ATTENTION, order, service,
                          reason=str(reason), detail=cause.message)
                if not await self._wait_for_retry(service, order or 0):
                    return None
                continue
            if done_if(result) and service is not Service.ROUTING:
                self._set(st, ServiceStatus.COMPLETED, order, service)
            return result

    async def _wait_for_retry(self, service: Service, order: int) -> bool:
        key = (service, order)
        await workflow.wait_condition(lambda: key in self._retry or self._closed)
        if self._closed:
            return False
        self._retry.discard(key)
        self._generation[key] = self._generation.get(key, 0) + 1
        return True

    # --- state -------------------------------------------------------------------------------

    def _child(self, order: int) -> ChildState:
        found = bs.child(self._state, order)
        assert found is not None  # noqa: S101 - orders come from the validated notification
        return found

    def _svc(self, order: int | None, service: Service) -> ServiceState:
        if service is Service.ROUTING:
            return self._state.routing
        if service is Service.KK:
            return self._state.kk
        return self._child(order or 0).services[service]

    def _set(self, st: ServiceState, status: ServiceStatus, order: int | None, service: Service, *,
             reason: str | None = None, detail: str | None = None, document: str | None = None,
             quiet: bool = False) -> None:
        st.status = status
        st.reason = reason
        st.detail = detail
        st.updated_at = workflow.now()
        if document is not None:
            st.document_number = document
        if not quiet:
            self._event(status.value, service=service, order=order, reason=reason, message=detail or "")
        self._refresh_status()

    def _event(self, kind: str, *, service: Service | None = None, order: int | None = None,
               reason: str | None = None, message: str = "") -> None:
        self._state.timeline.append(TimelineEvent(at=workflow.now(), kind=kind, service=service,
                                                  birth_order=order, reason=reason, message=message))
        self._dirty = True

    def _refresh_status(self) -> None:
        self._state.status = bs.derive_status(self._state, closed=self._closed)
        self._dirty = True

    async def _sync_loop(self) -> None:
        """Write the read model whenever the state changed, coalescing bursts into one write."""
        t = self._inp.tuning
        while True:
            await workflow.wait_condition(lambda: self._dirty or self._finished)
            if not self._dirty and self._finished:
                return
            self._dirty = False
            self._state.version += 1
            await workflow.execute_activity(
                act.SYNC_READ_MODEL, ReadModelSync(state=self._state.model_copy(deep=True)),
                start_to_close_timeout=timedelta(seconds=t.read_model_timeout_seconds),
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=t.retry_max_seconds),
                                         maximum_attempts=0),
            )

    # --- queries and updates -----------------------------------------------------------------

    @workflow.query
    def status(self) -> BundleState:
        return self._state

    @workflow.update
    async def provide_name(self, inp: ProvideNameInput) -> UpdateAccepted:
        self._names[inp.birth_order] = inp.name
        child = self._child(inp.birth_order)
        child.name_provided = True
        kia = child.services[Service.KIA]
        if kia.status is ServiceStatus.WAITING_INPUT:
            kia.status, kia.reason = ServiceStatus.PENDING, None
        if self._state.kk.status is ServiceStatus.WAITING_INPUT and all(
                c.name_provided for c in self._state.children if c.outcome == "live"):
            self._state.kk.status, self._state.kk.reason = ServiceStatus.PENDING, None
        self._event("name_provided", order=inp.birth_order)
        return UpdateAccepted(message="name recorded")

    @provide_name.validator
    def _validate_name(self, inp: ProvideNameInput) -> None:
        self._require_open()
        c = bs.child(self._state, inp.birth_order)
        if c is None or c.outcome != "live":
            raise ValueError(f"no live-born child with birth_order {inp.birth_order}")
        if inp.birth_order in self._names:
            raise ValueError("this child already has a name; use a correction instead")

    @workflow.update
    async def retry_service(self, inp: RetryServiceInput) -> UpdateAccepted:
        self._retry.add((inp.service, inp.birth_order or 0))
        self._event("retry_requested", service=inp.service, order=inp.birth_order)
        return UpdateAccepted(message="retry scheduled")

    @retry_service.validator
    def _validate_retry(self, inp: RetryServiceInput) -> None:
        self._require_open()
        bundle_level = inp.service in (Service.ROUTING, Service.KK)
        if bundle_level != (inp.birth_order is None):
            raise ValueError("birth_order is required for child services and not allowed for "
                             "routing/kk")
        if not bundle_level and bs.child(self._state, inp.birth_order or 0) is None:
            raise ValueError(f"no child with birth_order {inp.birth_order}")
        st = self._svc(inp.birth_order, inp.service) if (
            bundle_level or inp.service in self._child(inp.birth_order or 0).services) else None
        allowed = (ServiceStatus.NEEDS_ATTENTION, ServiceStatus.AWAITING_PAYMENT)
        if st is None or st.status not in allowed:
            raise ValueError(f"{inp.service.value} is not waiting for a retry")

    @workflow.update
    async def record_kadis_decision(self, inp: KadisDecisionInput) -> UpdateAccepted:
        self._kadis_decision = inp.decision_number
        self._event("kadis_decision_recorded", message=f"by {inp.actor}")
        for c in self._state.children:
            st = c.services.get(Service.AKTA)
            if st and st.status is ServiceStatus.NEEDS_ATTENTION:
                self._retry.add((Service.AKTA, c.birth_order))
        return UpdateAccepted(message="decision recorded; late akta retried")

    @record_kadis_decision.validator
    def _validate_decision(self, inp: KadisDecisionInput) -> None:
        self._require_open()
        if not any(c.services.get(Service.AKTA, ServiceState()).reason
                   == Reason.KEPUTUSAN_KADIS_DIPERLUKAN for c in self._state.children):
            raise ValueError("no akta in this bundle is waiting for a Kepala Dinas decision")

    @workflow.update
    async def close_bundle(self, inp: CloseBundleInput) -> UpdateAccepted:
        self._closed = True
        self._state.closed_reason = inp.reason
        for _, _, st in bs.all_services(self._state):
            if st.status not in bs.DONE:
                st.status = ServiceStatus.CANCELLED
                st.updated_at = workflow.now()
        self._event("closed", message=f"by {inp.actor}: {inp.reason}")
        self._refresh_status()
        return UpdateAccepted(message="bundle closed")

    @close_bundle.validator
    def _validate_close(self, inp: CloseBundleInput) -> None:
        self._require_open()

    def _require_open(self) -> None:
        if self._closed or self._finished or self._state.status in TERMINAL:
            raise ValueError(f"bundle is {self._state.status.value}; no further changes")


def _active(m: BpjsMembership) -> bool:
    return m.status == "AKTIF"
