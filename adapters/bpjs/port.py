"""What the workflow's activities need from BPJS Kesehatan, in our contracts' terms."""

from __future__ import annotations

from typing import Protocol

from domain.contracts import BpjsEnrolInput, BpjsMembership


class BpjsPort(Protocol):
    async def enrol_newborn(self, req: BpjsEnrolInput) -> BpjsMembership: ...

    async def membership_status(self, card_number: str) -> BpjsMembership: ...

    async def aclose(self) -> None: ...
