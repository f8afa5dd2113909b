"""What the workflow's activities need from BPJS Kesehatan, in our contracts' terms."""

from __future__ import annotations

from typing import Protocol

from domain.contracts import BpjsEndInput, BpjsEnrolInput, BpjsMembership, BpjsUpdateInput


class BpjsPort(Protocol):
    async def enrol_newborn(self, req: BpjsEnrolInput) -> BpjsMembership: ...

    async def membership_status(self, card_number: str) -> BpjsMembership: ...

    async def end_membership(self, req: BpjsEndInput) -> BpjsMembership: ...

    async def update_member(self, req: BpjsUpdateInput) -> BpjsMembership: ...

    async def aclose(self) -> None: ...
