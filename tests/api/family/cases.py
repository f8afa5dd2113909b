"""A completed bundle and what reached the family's phone, on the shared stack."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from tests.support import payloads
from tests.support.stack import ADMIN, Stack

HOSPITAL = "RSUD-KELUARGA"
YESTERDAY = date.today() - timedelta(days=1)
_phones = itertools.count(10_000_001)
LINK = re.compile(r"(https?://\S+/unduh/[A-Za-z0-9_-]+)")
PIN = re.compile(r"\bPIN (?:baru [^:]*: )?(\d{6})\b")


@dataclass
class Delivery:
    bundle_id: str
    phone: str  # as the hospital wrote it (08...)
    link: str
    pin: str
    sms: str
    family: dict

    @property
    def token(self) -> str:
        return self.link.rsplit("/", 1)[1]


def new_phone() -> str:
    return f"0812{next(_phones):08d}"


def e164(phone: str) -> str:
    return "+62" + phone[1:]


async def inbox(stack: Stack, phone: str) -> list[str]:
    """What the phone received, oldest first."""
    got = await stack.http.get(f"{stack.sms_url}/admin/pesan", params={"tujuan": e164(phone)}, headers=ADMIN)
    assert got.status_code == 200, got.text
    return [m["isi"] for m in reversed(got.json())]


async def wait_for_sms(stack: Stack, phone: str, count: int = 1, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = await inbox(stack, phone)
        if len(messages) >= count:
            return messages
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} SMS expected at {phone}, got {await inbox(stack, phone)}")


async def delivered(stack: Stack, *, children: list[dict] | None = None) -> Delivery:
    """A bundle posted, completed, and the family's SMS received."""
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    phone = new_phone()
    body = payloads.from_family(fam, birth_date=YESTERDAY, children=children, reporter_phone=phone)
    bid = await stack.accepted(body, HOSPITAL)
    bundle = await stack.wait(bid)
    assert bundle["status"] == "completed", bundle["status"]
    sms = (await wait_for_sms(stack, phone))[0]
    return Delivery(bundle_id=bid, phone=phone, link=LINK.search(sms).group(1), pin=PIN.search(sms).group(1),
                    sms=sms, family=fam)


def browser(stack: Stack) -> httpx.AsyncClient:
    """A fresh 'browser' (its own cookie jar) that does not follow redirects."""
    return httpx.AsyncClient(base_url=stack.api_url, timeout=30, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def enter_pin(client: httpx.AsyncClient, token: str, pin: str) -> httpx.Response:
    page = await client.get(f"/unduh/{token}")
    return await client.post(f"/unduh/{token}", data={"csrf_token": csrf_of(page.text), "pin": pin})
