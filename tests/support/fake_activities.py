"""Stand-ins for every activity of the kelahiran workflow, registered under the real names.

For tests of the workflow's own logic (clocks, versions): they answer at once, as a healthy
Dukcapil and BPJS would; the end-to-end tests cover the real activities.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.contracts import (
    AktaInput,
    AktaIssued,
    BpjsEnrolInput,
    BpjsMembership,
    BpjsStatusInput,
    FamilyInfo,
    FamilyLookupInput,
    FamilyNoticeInput,
    FamilyNoticeSent,
    KiaInput,
    KiaIssued,
    KkReissued,
    KkReissueInput,
    NikIssued,
    ReadModelSync,
    RegisterBirthInput,
    ReminderInput,
    StillbirthInput,
    StillbirthRecorded,
)
from simulators.common.nik import make_nik


class Fakes:
    def __init__(self) -> None:
        self.paid = False
        self.reminders: list[ReminderInput] = []
        self.reject_stillbirth = False
        # Called with every read-model snapshot (a local activity in the workflow).
        self.on_sync: Callable[[ReadModelSync], Awaitable[None]] | None = None

    def activities(self) -> list:
        @activity.defn(name="lookup_family")
        async def lookup(inp: FamilyLookupInput) -> FamilyInfo:
            return FamilyInfo(kk_number=inp.kk_number, kab_kota="3673", kecamatan="367305",
                              kelurahan="3673051005", parents_married_on_kk=True, office_connected=True)

        @activity.defn(name="register_birth")
        async def register(inp: RegisterBirthInput) -> NikIssued:
            return NikIssued(nik=make_nik("367305", inp.birth_date, inp.sex, inp.birth_order))

        @activity.defn(name="record_stillbirth")
        async def stillbirth(inp: StillbirthInput) -> StillbirthRecorded:
            if self.reject_stillbirth:
                raise ApplicationError("refused", "IBU_TIDAK_DI_KK", type="BusinessRejection",
                                       non_retryable=True)
            return StillbirthRecorded(certificate_number="3673-LM-01012026-0001")

        @activity.defn(name="issue_akta")
        async def akta(inp: AktaInput) -> AktaIssued:
            return AktaIssued(register_number="3673-LU-01012026-0001", late=False,
                              parents_wording="kedua_orang_tua", issued_on=date(2026, 1, 1))

        @activity.defn(name="issue_kia")
        async def kia(inp: KiaInput) -> KiaIssued:
            return KiaIssued(nik=inp.child_nik, card_type="0-5", valid_until=date(2031, 1, 1))

        @activity.defn(name="reissue_kk")
        async def kk(inp: KkReissueInput) -> KkReissued:
            return KkReissued(kk_number=inp.kk_number, issued_on=date(2026, 1, 1), signature_id="TTE-1")

        def membership(status: str) -> BpjsMembership:
            return BpjsMembership(card_number="0001234567890", status=status, segment="PBPU", kelas="3",
                                  virtual_account="8888801234567890", amount_due=35000)

        @activity.defn(name="enrol_newborn")
        async def enrol(inp: BpjsEnrolInput) -> BpjsMembership:
            return membership("AKTIF" if self.paid else "MENUNGGU_PEMBAYARAN")

        @activity.defn(name="membership_status")
        async def status(inp: BpjsStatusInput) -> BpjsMembership:
            return membership("AKTIF" if self.paid else "MENUNGGU_PEMBAYARAN")

        @activity.defn(name="sync_read_model")
        async def sync(inp: ReadModelSync) -> bool:
            if self.on_sync is not None:
                await self.on_sync(inp)
            return True

        @activity.defn(name="send_reminder")
        async def remind(inp: ReminderInput) -> bool:
            self.reminders.append(inp)
            return True

        @activity.defn(name="notify_family")
        async def notify(inp: FamilyNoticeInput) -> FamilyNoticeSent:
            return FamilyNoticeSent(sent=True, message_id="sms-1")

        return [lookup, register, stillbirth, akta, kia, kk, enrol, status, sync, remind, notify]
