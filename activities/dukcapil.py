"""Dukcapil activities: a thin, retry-safe wrapper over the Dukcapil adapter."""

from __future__ import annotations

from temporalio import activity

from activities.errors import classified
from adapters.dukcapil.port import DukcapilPort
from domain.contracts import (
    AktaCorrected,
    AktaCorrectionInput,
    AktaInput,
    AktaIssued,
    DeathInput,
    DeathRecorded,
    FamilyInfo,
    FamilyLookupInput,
    KiaInput,
    KiaIssued,
    KkMemberInput,
    KkReissued,
    KkReissueInput,
    NikIssued,
    RegisterBirthInput,
    StillbirthInput,
    StillbirthRecorded,
)
from domain.contracts import names as act


class DukcapilActivities:
    """Constructed once per worker with a pooled client; registered as bound methods."""

    def __init__(self, port: DukcapilPort, connected_offices: frozenset[str] | None = None) -> None:
        self._port = port
        self._offices = connected_offices

    async def _connected(self) -> frozenset[str]:
        if self._offices is None:
            self._offices = frozenset(await self._port.offices())
        return self._offices

    @activity.defn(name=act.LOOKUP_FAMILY)
    async def lookup_family(self, inp: FamilyLookupInput) -> FamilyInfo:
        """Find the family's KK domicile and whether a connected office serves it."""
        with classified("dukcapil"):
            info = await self._port.lookup_family(inp.kk_number)
            offices = await self._connected()
        return info.model_copy(update={"office_connected": info.kab_kota in offices})

    @activity.defn(name=act.REGISTER_BIRTH)
    async def register_birth(self, inp: RegisterBirthInput) -> NikIssued:
        """Register a live birth and obtain the child's NIK."""
        with classified("dukcapil"):
            return await self._port.register_birth(inp)

    @activity.defn(name=act.RECORD_STILLBIRTH)
    async def record_stillbirth(self, inp: StillbirthInput) -> StillbirthRecorded:
        """Record a stillbirth (surat keterangan lahir mati only)."""
        with classified("dukcapil"):
            return await self._port.record_stillbirth(inp)

    @activity.defn(name=act.ISSUE_AKTA)
    async def issue_akta(self, inp: AktaInput) -> AktaIssued:
        """Issue the akta kelahiran."""
        with classified("dukcapil"):
            return await self._port.issue_akta(inp)

    @activity.defn(name=act.ISSUE_KIA)
    async def issue_kia(self, inp: KiaInput) -> KiaIssued:
        """Issue the KIA (child identity card)."""
        with classified("dukcapil"):
            return await self._port.issue_kia(inp)

    @activity.defn(name=act.REISSUE_KK)
    async def reissue_kk(self, inp: KkReissueInput) -> KkReissued:
        """Reissue the family's KK listing the new children."""
        with classified("dukcapil"):
            return await self._port.reissue_kk(inp)

    @activity.defn(name=act.RECORD_DEATH)
    async def record_death(self, inp: DeathInput) -> DeathRecorded:
        """Issue the akta kematian of a child whose akta kelahiran stands."""
        with classified("dukcapil"):
            return await self._port.record_death(inp)

    @activity.defn(name=act.UPDATE_KK_MEMBER)
    async def update_kk_member(self, inp: KkMemberInput) -> KkReissued:
        """Reissue the KK with one member removed (death) or updated (correction)."""
        with classified("dukcapil"):
            return await self._port.update_kk_member(inp)

    @activity.defn(name=act.CORRECT_AKTA)
    async def correct_akta(self, inp: AktaCorrectionInput) -> AktaCorrected:
        """Reissue a corrected akta kelahiran; the old number is superseded."""
        with classified("dukcapil"):
            return await self._port.correct_akta(inp)

    @activity.defn(name=act.REISSUE_KIA)
    async def reissue_kia(self, inp: KiaInput) -> KiaIssued:
        """Reissue the KIA after a correction."""
        with classified("dukcapil"):
            return await self._port.reissue_kia(inp)

    def all(self) -> list:
        return [self.lookup_family, self.register_birth, self.record_stillbirth, self.issue_akta,
                self.issue_kia, self.reissue_kk, self.record_death, self.update_kk_member,
                self.correct_akta, self.reissue_kia]
