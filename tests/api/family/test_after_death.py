"""What reaches the family when a child dies, and the reminders while a service waits on it, on the
shared stack (real simulators: what reached the phone is the SMS simulator's inbox)."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest

from simulators.dukcapil.pdf import tanggal
from tests.api.family import cases
from tests.api.family.cases import LINK, PIN, browser, enter_pin
from tests.support import payloads, qr
from tests.support.stack import Stack, svc

pytestmark = pytest.mark.integration


async def _pbpu_birth(stack: Stack) -> tuple[str, str]:
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    phone = cases.new_phone()
    bid = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY, reporter_phone=phone),
                               cases.HOSPITAL)
    return bid, phone


async def test_the_payment_reminder_reaches_the_phone_once_with_the_bill(stack: Stack):
    bid, phone = await _pbpu_birth(stack)
    b = await stack.wait(bid, lambda b: "reminder_sent" in [e["kind"] for e in b["timeline"]])
    facts = svc(b, "bpjs")["facts"]
    (sms,) = await cases.wait_for_sms(stack, phone)
    amount = f"Rp {int(facts['tagihan']):,}".replace(",", ".")
    assert facts["virtual_account"] in sms and amount in sms
    assert "pendaftaran bayi" in sms
    await asyncio.sleep(3)  # many payment checks later: still one reminder, one SMS
    assert len(await cases.inbox(stack, phone)) == 1
    b = await stack.get(bid)
    assert [e["kind"] for e in b["timeline"]].count("reminder_sent") == 1


async def test_after_a_death_the_sms_and_the_page_say_so(stack: Stack):
    bid, phone = await _pbpu_birth(stack)
    await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    died = date.today()
    r = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/death",
                              headers=stack.hospital(cases.HOSPITAL),
                              json={"date_of_death": died.isoformat(), "place_of_death": "RSUD"})
    assert r.status_code == 202, r.text
    b = await stack.wait(bid, lambda b: b["status"] == "completed" and any(
        f["kind"] == "death" and f["status"] == "completed" for f in b["follow_up_status"]))
    # The bundle shows the membership ended, not a bill.
    assert svc(b, "bpjs")["status"] == "not_applicable"
    assert svc(b, "bpjs")["facts"]["status"] == "NONAKTIF" and "tagihan" not in svc(b, "bpjs")["facts"]
    messages = await cases.wait_for_sms(stack, phone, count=2)  # the payment reminder, then the notice
    notice = messages[-1]
    assert "berduka" in notice and "akta kematian" in notice and "KIA" not in notice
    token, pin = LINK.search(notice).group(1).rsplit("/", 1)[1], PIN.search(notice).group(1)
    death_no = next(f for f in b["follow_up_status"] if f["kind"] == "death")["documents"]["akta_kematian"]
    async with browser(stack) as client:
        await enter_pin(client, token, pin)
        page = (await client.get(f"/unduh/{token}/dokumen")).text
        assert 'data-doc="akta-kematian"' in page and death_no in page
        assert f'href="/unduh/{token}/kematian/1"' in page and "diambil di kantor" not in page
        assert 'data-doc="akta"' in page  # the akta kelahiran stands
        assert 'data-doc="kia"' not in page  # no identity card to collect for a child who died
        assert (await client.get(f"/unduh/{token}/kia/1")).status_code == 404
        assert re.search(r"berduka", page)

        pdf = await client.get(f"/unduh/{token}/kematian/1")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == 'attachment; filename="akta-kematian-anak-1.pdf"'
        text = re.sub(r"\s+", " ", qr.page_text(pdf.content))  # a line may wrap anywhere between words
        assert qr.is_a4(pdf.content) and "KUTIPAN AKTA KEMATIAN" in text and death_no in text
        assert "Siti Aminah" in text and f"pada tanggal {tanggal(died)}" in text
        assert (await client.get(f"/unduh/{token}/kematian/2")).status_code == 404  # no such child
    (url,) = qr.qr_texts(pdf.content)
    check = await stack.http.get(url)  # anyone who scans it: no token, no cookie
    assert 'data-result="genuine"' in check.text and 'data-status="current"' in check.text
    async with browser(stack) as stranger:  # without the PIN's session: back to the PIN form
        r = await stranger.get(f"/unduh/{token}/kematian/1")
        assert r.status_code == 303 and r.headers["location"] == f"/unduh/{token}"
