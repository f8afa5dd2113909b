"""Bundles in the states the console's tests act on, made once per module on the shared stack."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support import payloads
from tests.support.stack import Stack, svc

HOSPITAL = "RSUD-CONSOLE"
YESTERDAY = date.today() - timedelta(days=1)


async def nameless(stack: Stack, hospital: str = HOSPITAL) -> str:
    """A bundle whose baby was discharged without a name: akta, KIA and KK wait (NAMA_BELUM_ADA)."""
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY,
                                                    children=[payloads.child(name=None)]), hospital)
    await stack.wait(bid, lambda b: svc(b, "akta")["status"] == "waiting_input"
                     and svc(b, "bpjs")["status"] == "completed")
    return bid


async def completed(stack: Stack, hospital: str = HOSPITAL) -> str:
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY), hospital)
    b = await stack.wait(bid)
    assert b["status"] == "completed", b["status"]
    return bid
