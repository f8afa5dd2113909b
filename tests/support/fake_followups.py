"""The stand-ins for the follow-ups after issue (akta kematian, corrections), under the real names.

Part of tests/support/fake_activities.py's Fakes: they record their calls and refuse or fail the
same way (`fakes.reject`, `fakes.transient`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from temporalio import activity

from domain.contracts import (
    AktaCorrected,
    AktaCorrectionInput,
    BpjsEndInput,
    BpjsMembership,
    BpjsUpdateInput,
    DeathInput,
    DeathRecorded,
    KiaInput,
    KiaIssued,
    KkMemberInput,
    KkReissued,
)
from domain.contracts.followups import FollowUpWrite

if TYPE_CHECKING:
    from tests.support.fake_activities import Fakes


def fifth_birthday(born: date) -> date:
    """Until when a KIA without photo is valid (a 29 February birthday falls on 1 March)."""
    try:
        return born.replace(year=born.year + 5)
    except ValueError:
        return date(born.year + 5, 3, 1)


def follow_up_activities(fakes: Fakes) -> list:
    @activity.defn(name="record_death")
    async def death(inp: DeathInput) -> DeathRecorded:
        fakes.enter("record_death", inp)
        today = fakes.today()
        number = f"{inp.office}-KM-{today:%d%m%Y}-{fakes.next_number('km'):04d}"
        return DeathRecorded(certificate_number=number, issued_on=today)

    @activity.defn(name="update_kk_member")
    async def kk_member(inp: KkMemberInput) -> KkReissued:
        fakes.enter("update_kk_member", inp)
        return KkReissued(kk_number=inp.kk_number, issued_on=fakes.today(),
                          signature_id=f"TTE-{fakes.next_number('kk')}")

    @activity.defn(name="end_membership")
    async def end(inp: BpjsEndInput) -> BpjsMembership:
        fakes.enter("end_membership", inp)
        return fakes.membership(inp.card_number, status="NONAKTIF")

    @activity.defn(name="correct_akta")
    async def correct(inp: AktaCorrectionInput) -> AktaCorrected:
        fakes.enter("correct_akta", inp)
        today = fakes.today()
        number = f"{inp.office}-LU-{today:%d%m%Y}-{fakes.next_number('akta'):04d}"
        return AktaCorrected(register_number=number, superseded_number=inp.old_akta_number,
                             issued_on=today)

    @activity.defn(name="reissue_kia")
    async def reissue_kia(inp: KiaInput) -> KiaIssued:
        fakes.enter("reissue_kia", inp)
        return KiaIssued(nik=inp.child_nik, card_type="0-5",
                         valid_until=fifth_birthday(fakes.births.get(inp.child_nik, date(2026, 1, 1))))

    @activity.defn(name="update_member")
    async def update_member(inp: BpjsUpdateInput) -> BpjsMembership:
        fakes.enter("update_member", inp)
        return fakes.membership(inp.card_number)

    @activity.defn(name="sync_follow_up")
    async def sync_follow_up(inp: FollowUpWrite) -> bool:
        fakes.follow_up_syncs.append(inp.state)
        fakes.follow_up_writes.append(inp)
        return True

    return [death, kk_member, end, correct, reissue_kia, update_member, sync_follow_up]
