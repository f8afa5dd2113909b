"""Stand-ins for every activity of the kelahiran workflows, registered under the real names.

For tests of the workflows' own logic (clocks, versions, the paths a person resolves): by default
they answer at once, as a healthy Dukcapil and BPJS would; the end-to-end tests cover the real
activities. A test can make them refuse (a business rejection, raised exactly as the real
activities raise it), fail for a while (transient), or know a family and apply Dukcapil's rules to
it (mother on the KK, SPTJM only where the KK shows the parents married, a late akta needs the
Kepala Dinas's decision). Every call is recorded, so a test can count them.

"Today" is the day the server scheduled the attempt (WIB): on the time-skipping test server that
is the skipped clock, so a birth 61 days back is late however fast the test ran.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.errors import classified
from adapters.errors import BusinessRejection, TransientError
from domain.contracts import (
    AktaInput,
    AktaIssued,
    BpjsEnrolInput,
    BpjsMembership,
    BpjsStatusInput,
    BundleSync,
    FamilyInfo,
    FamilyLookupInput,
    FamilyNoticeInput,
    FamilyNoticeSent,
    FollowUpState,
    KiaInput,
    KiaIssued,
    KkReissued,
    KkReissueInput,
    MotherRekeyed,
    MotherRekeyInput,
    NikIssued,
    RegisterBirthInput,
    ReminderDelivered,
    ReminderInput,
    StillbirthInput,
    StillbirthRecorded,
)
from tests.support.fake_followups import fifth_birthday, follow_up_activities
from tests.support.nik import make_nik

WIB = timezone(timedelta(hours=7))
LATE_AFTER_DAYS = 60  # UU 23/2006 Pasal 27: later is "terlambat" (LT) and needs a Kadis decision
BPJS_LATE_AFTER_DAYS = 28  # Perpres 82/2018 Pasal 16: later owes contributions from the birth month
DUKCAPIL = {"lookup_family", "register_birth", "record_stillbirth", "issue_akta", "issue_kia", "reissue_kk",
            "record_death", "update_kk_member", "correct_akta", "reissue_kia"}


@dataclass
class FakeFamily:
    """A family the stand-ins know: its KK, who is on it, and what the KK shows."""

    kk_number: str
    mother_nik: str
    father_nik: str | None = None
    kab_kota: str = "3673"
    kecamatan: str = "367305"
    married_on_kk: bool = True  # an SPTJM suami-istri is accepted only then
    office_connected: bool = True


class Fakes:
    def __init__(self) -> None:
        self.paid = False  # every PBPU membership is paid
        self.paid_cards: set[str] = set()  # ... or only these cards
        self.segment = "PBPU"  # PBI and PPU memberships are active at once
        self.reminders: list[ReminderInput] = []
        self.reject_stillbirth = False
        # Activity name -> reason code: that stand-in refuses (non-retryable) until the entry goes.
        self.reject: dict[str, str] = {}
        # Activity name -> how many more attempts fail as a transient outage (retried by Temporal).
        self.transient: dict[str, int] = {}
        # Known families by KK number. None known: every KK and mother is accepted (Kota Serang).
        self.families: dict[str, FakeFamily] = {}
        self.people: set[str] = set()  # NIKs Dukcapil knows besides the families' parents
        self.calls: list[tuple[str, Any]] = []  # (activity name, input), in call order
        self.follow_up_syncs: list[FollowUpState] = []
        self.follow_up_writes: list[Any] = []  # the whole sync (FollowUpWrite): documents included
        self.births: dict[str, date] = {}  # child NIK -> birth date
        self._serials: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self._done: dict[str, Any] = {}  # idempotency key -> answer
        self._enrolled: dict[str, date] = {}  # card number -> the day it was enrolled
        # Called with every read-model snapshot (a local activity in the workflow).
        self.on_sync: Callable[[BundleSync], Awaitable[None]] | None = None
        # The duplicate check's answer to a corrected mother's NIK (activities/identity.py).
        self.rekeyed = MotherRekeyed(changed=True, window_days=150)
        self.on_rekey: Callable[[MotherRekeyInput], Awaitable[None]] | None = None

    # --- what the tests read ---------------------------------------------------------------------

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)

    def inputs(self, name: str) -> list[Any]:
        return [inp for n, inp in self.calls if n == name]

    def order(self) -> list[str]:
        return [n for n, _ in self.calls]

    @staticmethod
    def card_for(child_nik: str) -> str:
        return "00" + child_nik[-11:]

    # --- behaviour -------------------------------------------------------------------------------

    def enter(self, name: str, inp: Any) -> None:
        self.calls.append((name, inp))
        system = "dukcapil" if name in DUKCAPIL else "bpjs"
        if self.transient.get(name, 0) > 0:
            self.transient[name] -= 1
            with classified(system):
                raise TransientError("simulated outage", status_code=503)
        if name in self.reject:
            with classified(system):
                raise BusinessRejection(self.reject[name])

    @staticmethod
    def _refuse(reason: str) -> None:
        with classified("dukcapil"):
            raise BusinessRejection(reason)

    @staticmethod
    def today() -> date:
        return activity.info().current_attempt_scheduled_time.astimezone(WIB).date()

    def next_number(self, counter: str) -> int:
        self._counters[counter] = self._counters.get(counter, 0) + 1
        return self._counters[counter]

    def _family(self, kk_number: str) -> FakeFamily | None:
        """The known family of this KK; refused when families are known but this one is not."""
        if not self.families:
            return None
        fam = self.families.get(kk_number)
        if fam is None:
            self._refuse("KK_TIDAK_DITEMUKAN")
        return fam

    def _mother_on_kk(self, fam: FakeFamily | None, mother_nik: str) -> None:
        if fam is None:
            return
        known = self.people | {f.mother_nik for f in self.families.values()} | {
            f.father_nik for f in self.families.values() if f.father_nik}
        if mother_nik not in known:
            self._refuse("NIK_IBU_TIDAK_DITEMUKAN")
        if mother_nik != fam.mother_nik:
            self._refuse("IBU_TIDAK_DI_KK")

    def membership(self, card: str, *, status: str | None = None) -> BpjsMembership:
        nik = next((n for n in self.births if self.card_for(n) == card), None)
        born = self.births.get(nik) if nik else None
        active = self.segment in ("PBI", "PPU") or self.paid or card in self.paid_cards
        status = status or ("AKTIF" if active else "MENUNGGU_PEMBAYARAN")
        enrolled = self._enrolled.setdefault(card, self.today())
        late = born is not None and (enrolled - born).days > BPJS_LATE_AFTER_DAYS  # registered late
        return BpjsMembership(
            card_number=card, status=status, segment=self.segment, kelas="3",
            virtual_account=None if self.segment in ("PBI", "PPU") else "88888" + card[-11:],
            amount_due=0 if active else 35000, arrears_from=born.replace(day=1) if late and born else None)

    def activities(self) -> list:
        @activity.defn(name="lookup_family")
        async def lookup(inp: FamilyLookupInput) -> FamilyInfo:
            self.enter("lookup_family", inp)
            fam = self._family(inp.kk_number) or FakeFamily(kk_number=inp.kk_number, mother_nik="")
            return FamilyInfo(kk_number=inp.kk_number, kab_kota=fam.kab_kota, kecamatan=fam.kecamatan,
                              kelurahan=fam.kecamatan + "1005", parents_married_on_kk=fam.married_on_kk,
                              office_connected=fam.office_connected)

        @activity.defn(name="register_birth")
        async def register(inp: RegisterBirthInput) -> NikIssued:
            self.enter("register_birth", inp)
            if inp.idempotency_key in self._done:
                return self._done[inp.idempotency_key]
            fam = self._family(inp.kk_number)
            self._mother_on_kk(fam, inp.mother_nik)
            kecamatan = fam.kecamatan if fam else "367305"
            prefix = make_nik(kecamatan, inp.birth_date, inp.sex, 1)[:12]
            self._serials[prefix] = self._serials.get(prefix, 0) + 1
            nik = make_nik(kecamatan, inp.birth_date, inp.sex, self._serials[prefix])
            self.births[nik] = inp.birth_date
            self._done[inp.idempotency_key] = NikIssued(nik=nik)
            return self._done[inp.idempotency_key]

        @activity.defn(name="record_stillbirth")
        async def stillbirth(inp: StillbirthInput) -> StillbirthRecorded:
            self.enter("record_stillbirth", inp)
            if self.reject_stillbirth:
                self._refuse("IBU_TIDAK_DI_KK")
            return StillbirthRecorded(certificate_number=f"{inp.office or '3673'}-LM-01012026-0001")

        @activity.defn(name="issue_akta")
        async def akta(inp: AktaInput) -> AktaIssued:
            self.enter("issue_akta", inp)
            if inp.idempotency_key in self._done:
                return self._done[inp.idempotency_key]
            today, born = self.today(), self.births.get(inp.child_nik)
            late = born is not None and (today - born).days > LATE_AFTER_DAYS
            if late and not inp.kadis_decision_number:
                self._refuse("KEPUTUSAN_KADIS_DIPERLUKAN")
            fam = self.families.get(inp.kk_number)
            if inp.marriage_proof_number:
                wording = "kedua_orang_tua"
            elif inp.sptjm_marriage:
                if fam is not None and not fam.married_on_kk:
                    self._refuse("SPTJM_TIDAK_SAH")
                wording = "perkawinan_belum_tercatat"
            else:
                wording = "anak_seorang_ibu"
            office = inp.office or "3673"
            number = f"{office}-{'LT' if late else 'LU'}-{today:%d%m%Y}-{self.next_number('akta'):04d}"
            self._done[inp.idempotency_key] = AktaIssued(register_number=number, late=late,
                                                         parents_wording=wording, issued_on=today)
            return self._done[inp.idempotency_key]

        @activity.defn(name="issue_kia")
        async def kia(inp: KiaInput) -> KiaIssued:
            self.enter("issue_kia", inp)
            return KiaIssued(nik=inp.child_nik, card_type="0-5",
                             valid_until=fifth_birthday(self.births.get(inp.child_nik, date(2026, 1, 1))))

        @activity.defn(name="reissue_kk")
        async def kk(inp: KkReissueInput) -> KkReissued:
            self.enter("reissue_kk", inp)
            return KkReissued(kk_number=inp.kk_number, issued_on=self.today(),
                              signature_id=f"TTE-{self.next_number('kk')}")

        @activity.defn(name="enrol_newborn")
        async def enrol(inp: BpjsEnrolInput) -> BpjsMembership:
            self.enter("enrol_newborn", inp)
            return self.membership(self.card_for(inp.child_nik))

        @activity.defn(name="membership_status")
        async def status(inp: BpjsStatusInput) -> BpjsMembership:
            self.enter("membership_status", inp)
            return self.membership(inp.card_number)

        @activity.defn(name="sync_read_model")
        async def sync(inp: BundleSync) -> bool:
            if self.on_sync is not None:
                await self.on_sync(inp)
            return True

        @activity.defn(name="await_bpjs_payment")
        async def await_payment(inp: BpjsStatusInput) -> BpjsMembership:
            self.enter("await_bpjs_payment", inp)
            m = self.membership(inp.card_number)
            if m.status != "AKTIF":  # as the real one: raise while unpaid, the retry policy repeats it
                raise ApplicationError("not paid yet", type="NotPaidYet",
                                       category=ApplicationErrorCategory.BENIGN)
            return m

        @activity.defn(name="deliver_reminder")
        async def remind(inp: ReminderInput) -> ReminderDelivered:
            self.enter("deliver_reminder", inp)
            self.reminders.append(inp)
            return ReminderDelivered(message_id=f"sms-{len(self.reminders)}")

        @activity.defn(name="notify_family")
        async def notify(inp: FamilyNoticeInput) -> FamilyNoticeSent:
            self.enter("notify_family", inp)
            return FamilyNoticeSent(sent=True, message_id="sms-1")

        @activity.defn(name="rekey_mother")
        async def rekey(inp: MotherRekeyInput) -> MotherRekeyed:
            self.calls.append(("rekey_mother", inp))
            if self.on_rekey is not None:
                await self.on_rekey(inp)
            return self.rekeyed

        return [lookup, register, stillbirth, akta, kia, kk, enrol, status, await_payment, sync, remind,
                notify, rekey, *follow_up_activities(self)]
