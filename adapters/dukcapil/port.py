"""What the workflow's activities need from Dukcapil, in our contracts' terms."""

from __future__ import annotations

from typing import Protocol

from domain.contracts import (
    AktaCorrected,
    AktaCorrectionInput,
    AktaInput,
    AktaIssued,
    DeathInput,
    DeathRecorded,
    FamilyInfo,
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
from domain.documents import KiaCard


class DukcapilPort(Protocol):
    """Every issuing call carries an idempotency key: the same key returns the same document."""

    async def offices(self) -> list[str]: ...

    async def lookup_family(self, kk_number: str) -> FamilyInfo: ...

    async def register_birth(self, req: RegisterBirthInput) -> NikIssued: ...

    async def record_stillbirth(self, req: StillbirthInput) -> StillbirthRecorded: ...

    async def issue_akta(self, req: AktaInput) -> AktaIssued: ...

    async def issue_kia(self, req: KiaInput) -> KiaIssued: ...

    async def reissue_kk(self, req: KkReissueInput) -> KkReissued: ...

    # Follow-ups after issue.
    async def record_death(self, req: DeathInput) -> DeathRecorded: ...

    async def update_kk_member(self, req: KkMemberInput) -> KkReissued: ...

    async def correct_akta(self, req: AktaCorrectionInput) -> AktaCorrected: ...

    async def reissue_kia(self, req: KiaInput) -> KiaIssued: ...

    # The documents as the family holds them (signed PDFs; the KIA is a card to collect).
    async def akta_pdf(self, register_number: str) -> bytes: ...

    async def kematian_pdf(self, register_number: str) -> bytes: ...

    async def kk_pdf(self, kk_number: str) -> bytes: ...

    async def kia_card(self, nik: str) -> KiaCard: ...

    async def aclose(self) -> None: ...
