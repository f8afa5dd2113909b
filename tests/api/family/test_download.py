"""Documents for the family, end to end: the bundle completes, an SMS brings a link and a one-time PIN,
the PIN opens the signed PDFs (whose QR codes verify at Dukcapil) and the KIA's data."""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy as sa

from tests.api.family import cases
from tests.api.family.cases import browser, csrf_of, delivered, enter_pin
from tests.support import payloads, qr
from tests.support.pii import has_nik_like
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


def _personal(d: cases.Delivery) -> list[str]:
    fam = d.family
    return [fam["no_kk"], fam["ibu"]["nik"], fam["ibu"]["nama"], "Siti Aminah"] + (
        [fam["ayah"]["nik"], fam["ayah"]["nama"]] if fam["ayah"] else [])


async def test_a_completed_bundle_sends_the_family_one_sms_with_a_link_and_a_pin(stack: Stack):
    d = await delivered(stack)
    assert d.link.startswith(f"{stack.api_url}/unduh/")
    assert len(d.token) >= 27 and d.bundle_id not in d.link
    assert not has_nik_like(d.sms), "no NIK or KK number in an SMS"
    await asyncio.sleep(1)
    assert len(await cases.inbox(stack, d.phone)) == 1


async def test_nothing_personal_is_shown_before_the_pin(stack: Stack):
    d = await delivered(stack)
    async with browser(stack) as client:
        page = await client.get(f"/unduh/{d.token}")
        assert page.status_code == 200 and 'data-page="pin"' in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "script-src" not in page.headers["content-security-policy"]  # no script at all
        for secret in _personal(d):
            assert secret not in page.text
        assert not has_nik_like(page.text)
        for path in ("dokumen", "akta/1", "kematian/1", "kk", "kia/1"):
            r = await client.get(f"/unduh/{d.token}/{path}")
            assert r.status_code == 303 and r.headers["location"] == f"/unduh/{d.token}", path


async def test_wrong_pins_lock_the_link_and_then_even_the_right_one_does_not_open_it(stack: Stack):
    d = await delivered(stack)
    limit = stack.settings.family_pin_attempts
    async with browser(stack) as client:
        for left in range(limit - 1, 0, -1):
            r = await enter_pin(client, d.token, _wrong(d.pin))
            assert r.status_code == 401 and f"Sisa percobaan: {left}" in r.text
        r = await enter_pin(client, d.token, _wrong(d.pin))
        assert r.status_code == 403 and 'data-state="locked"' in r.text
        page = await client.get(f"/unduh/{d.token}")
        assert page.status_code == 403 and 'data-state="locked"' in page.text
        r = await client.post(f"/unduh/{d.token}", data={"csrf_token": "x", "pin": d.pin})
        assert r.status_code == 403 and 'data-state="locked"' in r.text
        assert (await client.post(f"/unduh/{d.token}/pin-baru", data={})).status_code == 403


async def test_the_right_pin_opens_the_signed_documents_once(stack: Stack):
    d = await delivered(stack)
    async with browser(stack) as client:
        opened = await enter_pin(client, d.token, d.pin)
        assert opened.status_code == 303 and opened.headers["location"] == f"/unduh/{d.token}/dokumen"
        listing = await client.get(f"/unduh/{d.token}/dokumen")
        assert listing.status_code == 200
        for doc in ('data-doc="akta"', 'data-doc="kk"', 'data-doc="kia"'):
            assert doc in listing.text
        bundle = await stack.get(d.bundle_id)
        akta_number = bundle["children"][0]["services"]["akta"]["document_number"]
        assert akta_number in listing.text

        akta = await client.get(f"/unduh/{d.token}/akta/1")
        assert akta.status_code == 200 and akta.headers["content-type"] == "application/pdf"
        assert akta.headers["content-disposition"] == 'attachment; filename="akta-kelahiran-anak-1.pdf"'
        assert qr.is_a4(akta.content) and akta_number in qr.page_text(akta.content)
        kk = await client.get(f"/unduh/{d.token}/kk")
        assert kk.status_code == 200 and qr.is_a4(kk.content)
        assert d.family["no_kk"] in qr.page_text(kk.content)
        for pdf in (akta.content, kk.content):
            (url,) = qr.qr_texts(pdf)
            assert url.startswith(f"{stack.dukcapil_url}/verifikasi/")
            check = await stack.http.get(url)  # anyone who scans it: no token, no cookie
            assert 'data-result="genuine"' in check.text and 'data-status="current"' in check.text

        kia = await client.get(f"/unduh/{d.token}/kia/1")
        assert kia.status_code == 200
        nik = bundle["children"][0]["services"]["nik"]["document_number"]
        assert nik in kia.text and "Siti Aminah" in kia.text
        assert "Dinas Kependudukan dan Pencatatan Sipil Kota Serang" in kia.text
        assert "Berlaku hingga" in kia.text

    async with browser(stack) as other:  # the PIN was used: another browser needs a new one
        r = await enter_pin(other, d.token, d.pin)
        assert r.status_code == 401 and "sudah dipakai" in r.text


async def test_leaving_ends_the_session_but_not_the_link(stack: Stack):
    d = await delivered(stack)
    async with browser(stack) as client:
        await enter_pin(client, d.token, d.pin)
        listing = await client.get(f"/unduh/{d.token}/dokumen")
        left = await client.post(f"/unduh/{d.token}/keluar", data={"csrf_token": csrf_of(listing.text)})
        assert left.status_code == 303
        assert (await client.get(f"/unduh/{d.token}/dokumen")).status_code == 303
        assert (await client.get(f"/unduh/{d.token}")).status_code == 200


async def test_a_pin_form_without_its_csrf_value_is_refused_and_not_counted(stack: Stack):
    d = await delivered(stack)
    async with browser(stack) as client:
        await client.get(f"/unduh/{d.token}")  # the cookie is there, the form value is not
        r = await client.post(f"/unduh/{d.token}", data={"pin": d.pin})
        assert r.status_code == 403 and "kedaluwarsa" in r.text
        r = await client.post(f"/unduh/{d.token}", data={"pin": d.pin, "csrf_token": "forged"})
        assert r.status_code == 403
        assert (await enter_pin(client, d.token, d.pin)).status_code == 303


async def test_unknown_and_expired_links_look_the_same(stack: Stack):
    d = await delivered(stack)
    async with browser(stack) as client:
        unknown = await client.get("/unduh/" + "A" * 27)
        engine = sa.create_engine(stack.settings.database_url)
        with engine.begin() as db:
            db.execute(sa.text("UPDATE family_access SET expires_at = '2000-01-01 00:00:00' "
                               "WHERE bundle_id = :b"), {"b": d.bundle_id})
        engine.dispose()
        expired = await client.get(f"/unduh/{d.token}")
        assert unknown.status_code == expired.status_code == 404
        assert unknown.text == expired.text and 'data-state="invalid"' in expired.text
        r = await client.post(f"/unduh/{d.token}", data={"pin": d.pin, "csrf_token": "x"})
        assert r.status_code == 404


async def test_a_new_pin_arrives_by_sms_and_replaces_the_first(stack: Stack):
    d = await delivered(stack)
    async with browser(stack) as client:
        page = await client.get(f"/unduh/{d.token}")
        asked = await client.post(f"/unduh/{d.token}/pin-baru", data={"csrf_token": csrf_of(page.text)})
        assert asked.status_code == 429 and "Tunggu satu menit" in asked.text  # the first was just sent
        engine = sa.create_engine(stack.settings.database_url)
        with engine.begin() as db:  # a minute later
            db.execute(sa.text("UPDATE family_access SET pin_sent_at = '2000-01-01 00:00:00' "
                               "WHERE bundle_id = :b"), {"b": d.bundle_id})
        engine.dispose()
        asked = await client.post(f"/unduh/{d.token}/pin-baru", data={"csrf_token": csrf_of(page.text)})
        assert asked.status_code == 200 and "PIN baru telah dikirim" in asked.text
        first, second = await cases.wait_for_sms(stack, d.phone, count=2)
        new_pin = cases.PIN.search(second).group(1)
        assert d.link not in second  # the PIN alone
        if new_pin != d.pin:
            assert (await enter_pin(client, d.token, d.pin)).status_code == 401
        assert (await enter_pin(client, d.token, new_pin)).status_code == 303


async def test_no_sms_for_a_stillbirth(stack: Stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    phone = cases.new_phone()
    bid = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY,
                                                    children=[payloads.stillborn()], reporter_phone=phone),
                               cases.HOSPITAL)
    assert (await stack.wait(bid))["status"] == "stillbirth_recorded"
    await asyncio.sleep(1)
    assert await cases.inbox(stack, phone) == []


async def test_after_a_correction_the_family_downloads_the_new_akta(stack: Stack):
    d = await delivered(stack)
    bundle = await stack.get(d.bundle_id)
    old = bundle["children"][0]["services"]["akta"]["document_number"]
    async with browser(stack) as client:
        await enter_pin(client, d.token, d.pin)
        old_pdf = (await client.get(f"/unduh/{d.token}/akta/1")).content
        r = await stack.http.post(f"{stack.api_url}/v1/births/{d.bundle_id}/children/1/correction",
                                  json={"child_name": "Siti Aminah Putri", "reason": "salah tulis nama"},
                                  headers=stack.hospital(cases.HOSPITAL))
        assert r.status_code == 202, r.text
        await stack.wait(d.bundle_id, lambda b: any(
            f["kind"] == "correction" and f["status"] == "completed" for f in b["follow_up_status"]))
        listing = await client.get(f"/unduh/{d.token}/dokumen")
        new = re.search(r"No\. (\d{4}-L[UT]-\d{8}-\d{4})", listing.text).group(1)
        assert new != old
        new_pdf = (await client.get(f"/unduh/{d.token}/akta/1")).content
        assert "Siti Aminah Putri" in qr.page_text(new_pdf)
    old_check = await stack.http.get(qr.qr_texts(old_pdf)[0])
    assert 'data-status="superseded"' in old_check.text and new in old_check.text
    new_check = await stack.http.get(qr.qr_texts(new_pdf)[0])
    assert 'data-result="genuine"' in new_check.text and 'data-status="current"' in new_check.text
