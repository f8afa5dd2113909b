"""Follow-ups after issue, each its own workflow linked to the bundle.

KematianWorkflow: a baby born alive died; the akta kelahiran stands, an akta kematian is issued,
the child leaves the KK and its BPJS membership ends. KoreksiWorkflow: issued data was wrong; the
akta is reissued (old number superseded), then the KIA, the KK and, if the name changed, BPJS.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

# `import workflows.x as y`, not `from workflows import x`: the sandbox passes through only the
# module an import statement names; a submodule reached from a fresh package's fromlist is
# imported afresh, i.e. compiled and run again for every workflow run.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    from domain.contracts import (
        CORRECTION_WORKFLOW_TYPE,
        DEATH_WORKFLOW_TYPE,
        AktaCorrected,
        AktaCorrectionInput,
        BpjsEndInput,
        BpjsMembership,
        BpjsUpdateInput,
        DeathInput,
        DeathRecorded,
        FollowUpInput,
        FollowUpState,
        KiaInput,
        KiaIssued,
        KkMemberInput,
        KkReissued,
        UpdateAccepted,
    )
    from domain.contracts.followups import AktaRecord, FollowUpWrite, RetryFollowUpInput
    from workflows.calls import business_reason, call

T = TypeVar("T")


class _FollowUp:
    """Sequential steps; a business rejection waits for a person's retry, like the bundle does."""

    def __init__(self, inp: FollowUpInput) -> None:
        self._inp = inp
        self._state = FollowUpState(workflow_id=inp.workflow_id, bundle_id=inp.bundle_id, kind=inp.kind,
                                    birth_order=inp.birth_order)
        self._retry = False
        # What this follow-up issued, carried by every later sync (the writes are idempotent).
        self._akta: AktaRecord | None = None
        self._akta_kematian: str | None = None

    def _key(self, step: str) -> str:
        return f"{self._inp.workflow_id}/{step}"

    async def _step(self, step: str, name: str, arg, result_type: type[T]) -> T:
        while True:
            self._state.step, self._state.status, self._state.reason = step, "in_progress", None
            try:
                return await call(name, arg, result_type, self._inp.tuning)
            except ActivityError as err:
                reason = business_reason(err)
                if reason is None:
                    raise
                self._state.status, self._state.reason = "needs_attention", reason
                await self._sync()
                await workflow.wait_condition(lambda: self._retry)
                self._retry = False
                self._state.status, self._state.reason = "in_progress", None
                await self._sync()  # off the worklist while the step runs again

    async def _sync(self) -> None:
        self._state.version += 1
        await workflow.execute_activity(
            act.SYNC_FOLLOW_UP, FollowUpWrite(state=self._state.model_copy(deep=True), akta=self._akta,
                                              akta_kematian=self._akta_kematian),
            start_to_close_timeout=timedelta(seconds=self._inp.tuning.read_model_timeout_seconds),
            retry_policy=RetryPolicy(maximum_attempts=0,
                                     maximum_interval=timedelta(seconds=self._inp.tuning.retry_max_seconds)))

    async def _run_steps(self, steps: Callable[[], Awaitable[None]]) -> FollowUpState:
        self._state.started_at = workflow.now()
        await self._sync()
        await steps()
        self._state.status, self._state.step = "completed", "done"
        self._state.completed_at = workflow.now()
        await self._sync()
        return self._state

    def _query(self) -> FollowUpState:
        return self._state

    def _check_retry(self, inp: RetryFollowUpInput) -> None:
        """The update's validator: refused before it enters the history, never a failed task."""
        if self._state.status != "needs_attention":
            raise ValueError("this follow-up is not waiting for a retry")

    def _ask_retry(self, inp: RetryFollowUpInput) -> UpdateAccepted:
        # Marked at once, so a second retry sent before the step resumes is refused by the validator.
        self._state.status = "in_progress"
        self._retry = True
        return UpdateAccepted(message=f"retry of step {self._state.step} scheduled")


@workflow.defn(name=DEATH_WORKFLOW_TYPE)
class KematianWorkflow(_FollowUp):
    @workflow.init
    def __init__(self, inp: FollowUpInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: FollowUpInput) -> FollowUpState:
        async def steps() -> None:
            death = await self._step("akta_kematian", act.RECORD_DEATH, DeathInput(
                office=inp.office, idempotency_key=self._key("akta_kematian"), child_nik=inp.child_nik,
                kk_number=inp.kk_number, date_of_death=inp.date_of_death,
                place_of_death=inp.place_of_death or ""), DeathRecorded)
            self._state.documents["akta_kematian"] = death.certificate_number
            self._akta_kematian = death.certificate_number
            kk = await self._step("kk", act.UPDATE_KK_MEMBER, KkMemberInput(
                office=inp.office, idempotency_key=self._key("kk"), kk_number=inp.kk_number,
                nik=inp.child_nik, action="remove_deceased"), KkReissued)
            self._state.documents["kk_tanggal_terbit"] = kk.issued_on.isoformat()
            if inp.card_number:
                m = await self._step("bpjs", act.END_MEMBERSHIP, BpjsEndInput(
                    card_number=inp.card_number, date_of_death=inp.date_of_death), BpjsMembership)
                self._state.documents["bpjs_status"] = m.status

        return await self._run_steps(steps)

    @workflow.query
    def status(self) -> FollowUpState:
        return self._query()

    @workflow.update
    async def retry(self, inp: RetryFollowUpInput) -> UpdateAccepted:
        return self._ask_retry(inp)

    @retry.validator
    def _validate_retry(self, inp: RetryFollowUpInput) -> None:
        self._check_retry(inp)


@workflow.defn(name=CORRECTION_WORKFLOW_TYPE)
class KoreksiWorkflow(_FollowUp):
    @workflow.init
    def __init__(self, inp: FollowUpInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: FollowUpInput) -> FollowUpState:
        async def steps() -> None:
            akta = await self._step("akta", act.CORRECT_AKTA, AktaCorrectionInput(
                office=inp.office, idempotency_key=self._key("akta"), child_nik=inp.child_nik,
                old_akta_number=inp.akta_number, child_name=inp.child_name or "",
                father_nik=inp.father_nik, reason=inp.reason), AktaCorrected)
            self._state.documents |= {"akta": akta.register_number, "akta_lama": akta.superseded_number}
            self._akta = AktaRecord(birth_order=inp.birth_order, number=akta.register_number,
                                    name=inp.child_name, supersedes=akta.superseded_number)
            await self._sync()  # the bundle shows the new akta from now on, the old one superseded
            kia, kk = await asyncio.gather(
                self._step("kia", act.REISSUE_KIA, KiaInput(
                    office=inp.office, idempotency_key=self._key("kia"), child_nik=inp.child_nik,
                    child_name=inp.child_name or "", akta_number=akta.register_number), KiaIssued),
                self._step("kk", act.UPDATE_KK_MEMBER, KkMemberInput(
                    office=inp.office, idempotency_key=self._key("kk"), kk_number=inp.kk_number,
                    nik=inp.child_nik, action="update", name=inp.child_name,
                    akta_number=akta.register_number), KkReissued))
            self._state.documents |= {"kia_berlaku_sampai": kia.valid_until.isoformat(),
                                      "kk_tanggal_terbit": kk.issued_on.isoformat()}
            if inp.card_number and inp.child_name:
                m = await self._step("bpjs", act.UPDATE_MEMBER, BpjsUpdateInput(
                    card_number=inp.card_number, child_name=inp.child_name), BpjsMembership)
                self._state.documents["bpjs_status"] = m.status

        return await self._run_steps(steps)

    @workflow.query
    def status(self) -> FollowUpState:
        return self._query()

    @workflow.update
    async def retry(self, inp: RetryFollowUpInput) -> UpdateAccepted:
        return self._ask_retry(inp)

    @retry.validator
    def _validate_retry(self, inp: RetryFollowUpInput) -> None:
        self._check_retry(inp)
