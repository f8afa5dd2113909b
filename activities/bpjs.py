"""BPJS Kesehatan activities: newborn enrolment and membership status."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.errors import classified
from adapters.bpjs.port import BpjsPort
from domain.contracts import BpjsEndInput, BpjsEnrolInput, BpjsMembership, BpjsStatusInput, BpjsUpdateInput
from domain.contracts import names as act


class BpjsActivities:
    def __init__(self, port: BpjsPort) -> None:
        self._port = port

    @activity.defn(name=act.ENROL_NEWBORN)
    async def enrol_newborn(self, inp: BpjsEnrolInput) -> BpjsMembership:
        """Enrol the newborn in the family's membership (idempotent by the child's NIK)."""
        with classified("bpjs"):
            return await self._port.enrol_newborn(inp)

    @activity.defn(name=act.MEMBERSHIP_STATUS)
    async def membership_status(self, inp: BpjsStatusInput) -> BpjsMembership:
        """Check whether a membership has become active (e.g. after the first payment)."""
        with classified("bpjs"):
            return await self._port.membership_status(inp.card_number)

    @activity.defn(name=act.AWAIT_PAYMENT)
    async def await_payment(self, inp: BpjsStatusInput) -> BpjsMembership:
        """The membership once it is active; raises while it is not (unpaid).

        The workflow's retry policy repeats it at a fixed interval: retries add no history events,
        so a wait of months costs the bundle's history what one check does."""
        try:
            with classified("bpjs"):
                m = await self._port.membership_status(inp.card_number)
        except ApplicationError as err:
            if not err.non_retryable:
                raise
            # A refused check changes nothing for the family: check again at the next interval.
            raise ApplicationError("bpjs refused the status check", type="StatusCheckRefused") from None
        if m.status == "AKTIF":
            return m
        # Expected for weeks: BENIGN keeps every unpaid check out of the worker's warnings.
        raise ApplicationError(f"membership {m.status}", type="NotPaidYet",
                               category=ApplicationErrorCategory.BENIGN)

    @activity.defn(name=act.END_MEMBERSHIP)
    async def end_membership(self, inp: BpjsEndInput) -> BpjsMembership:
        """End the membership of a child who died."""
        with classified("bpjs"):
            return await self._port.end_membership(inp)

    @activity.defn(name=act.UPDATE_MEMBER)
    async def update_member(self, inp: BpjsUpdateInput) -> BpjsMembership:
        """Update the member's name after a correction."""
        with classified("bpjs"):
            return await self._port.update_member(inp)

    def all(self) -> list:
        return [self.enrol_newborn, self.membership_status, self.await_payment, self.end_membership,
                self.update_member]
