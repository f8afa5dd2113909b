"""The payment wait's activity: it answers only an active membership and raises otherwise, so the
workflow's fixed-interval retry policy does the polling (without history events per check)."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory
from temporalio.testing import ActivityEnvironment

from activities.bpjs import BpjsActivities
from adapters.errors import BusinessRejection, TransientError
from domain.contracts import BpjsMembership, BpjsStatusInput


class Bpjs:
    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer

    async def membership_status(self, card: str) -> BpjsMembership:
        if isinstance(self.answer, Exception):
            raise self.answer
        return BpjsMembership(card_number=card, status=self.answer, segment="PBPU", kelas="3")


async def _wait(answer: str | Exception):
    return await ActivityEnvironment().run(BpjsActivities(Bpjs(answer)).await_payment,
                                           BpjsStatusInput(card_number="0001234567890"))


async def test_an_active_membership_ends_the_wait():
    assert (await _wait("AKTIF")).status == "AKTIF"


@pytest.mark.parametrize("status", ["MENUNGGU_PEMBAYARAN", "NONAKTIF", "DIDAFTARKAN"])
async def test_anything_else_raises_a_benign_retryable_error(status):
    with pytest.raises(ApplicationError) as err:
        await _wait(status)
    assert not err.value.non_retryable and err.value.type == "NotPaidYet"
    assert err.value.category is ApplicationErrorCategory.BENIGN  # weeks of these are not warnings


@pytest.mark.parametrize("failure", [BusinessRejection("PESERTA_TIDAK_DITEMUKAN"), TransientError("down")])
async def test_a_refused_or_failed_check_is_retried_too(failure):
    with pytest.raises(ApplicationError) as err:
        await _wait(failure)
    assert not err.value.non_retryable
