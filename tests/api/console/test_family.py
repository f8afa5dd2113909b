"""The bundle page's family as the hospital sent it: names and phone shown, NIKs and KK masked, one
field revealed at a time with a reason (audited), over plain HTTP and in Chromium with htmx.

One API on its own database (Temporal unreachable): the page reads only what the intake wrote."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.auth_models import AuditEvent
from store.db import make_engine
from store.models import Submission
from tests.api.console.conftest import screenshot_path
from tests.api.console.support import login
from tests.support import creds, payloads
from tests.support.lone_api import lone_api, route_to

HOSPITAL = "RSUD-FAMILY"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with lone_api(tmp_path_factory.mktemp("family")) as (url, settings):
        yield SimpleNamespace(api_url=url, settings=settings)


async def _bundle(served, **over) -> tuple[str, dict]:
    body = payloads.manual(children=[payloads.child(1, name="Siti Aminah"), payloads.child(2, name=None)],
                           **over)
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.post(f"{served.api_url}/v1/births", json=body,
                            headers=creds.hospital_headers(served.settings, HOSPITAL))
    assert r.status_code == 202, r.text
    route_to(served.settings, r.json()["bundle_id"], "3673")
    return r.json()["bundle_id"], body


def _reveals(served, bundle_id: str) -> list[AuditEvent]:
    engine = make_engine(served.settings.database_url)
    with Session(engine) as s:
        rows = list(s.exec(select(AuditEvent).where(AuditEvent.bundle_id == bundle_id,
                                                    AuditEvent.action == "submitted.reveal")))
    engine.dispose()
    return rows


def _masked(value: str) -> str:
    return f"{value[:4]}{'•' * 8}{value[-4:]}"


async def test_the_page_shows_the_family_masked_and_reveals_one_field_with_a_reason(served):
    bid, body = await _bundle(served)
    nik, kk, father = body["mother"]["nik"], body["kk_number"], body["father"]["nik"]
    op = await login(served, "operator", "3673", username="family-op")
    try:
        page = (await op.get(f"/console/bundles/{bid}")).text
        assert 'id="family"' in page and "Keluarga (seperti dikirim rumah sakit)" in page
        assert "Rina Marlina" in page and "Agus Salim" in page and body["reporter_phone"] in page
        assert "anak ke-1: Siti Aminah" in page and "anak ke-2: Belum diberi nama" in page
        assert f'data-masked="mother_nik">{_masked(nik)}<' in page
        assert f'data-masked="kk_number">{_masked(kk)}<' in page
        assert nik not in page and kk not in page and father not in page

        refused = await op.post(f"/console/bundles/{bid}/reveal", {"field": "mother_nik", "reason": " "})
        assert refused.status_code == 422 and 'data-error="mother_nik"' in refused.text
        assert "Isi alasan" in refused.text and nik not in refused.text
        assert _reveals(served, bid) == []

        shown = await op.post(f"/console/bundles/{bid}/reveal",
                              {"field": "mother_nik", "reason": "Koreksi NIK ibu, menelepon pelapor"})
        assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
        assert f'data-revealed="mother_nik">{nik}<' in shown.text
        assert kk not in shown.text and father not in shown.text  # the others stay masked

        fragment = await op.http.post(f"/console/bundles/{bid}/reveal", headers={"HX-Request": "true"},
                                      data={"field": "kk_number", "reason": "cek KK", "csrf_token": op.csrf})
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert f'data-revealed="kk_number">{kk}<' in fragment.text and nik not in fragment.text

        no_csrf = await op.post(f"/console/bundles/{bid}/reveal", {"field": "father_nik", "reason": "x" * 5},
                                csrf=False)
        assert no_csrf.status_code == 403 and father not in no_csrf.text
    finally:
        await op.close()
    assert [(e.actor, e.reason, json.loads(e.details_json)) for e in _reveals(served, bid)] == [
        ("family-op", "Koreksi NIK ibu, menelepon pelapor", {"field": "mother_nik"}),
        ("family-op", "cek KK", {"field": "kk_number"})]


async def test_auditors_see_it_masked_other_offices_and_admins_not_at_all(served):
    bid, body = await _bundle(served)
    auditor = await login(served, "auditor", None, username="family-auditor", lang="en")
    elsewhere = await login(served, "operator", "3604", username="family-op-3604")
    admin = await login(served, "admin", None, username="family-admin")
    try:
        page = (await auditor.get(f"/console/bundles/{bid}")).text
        assert "Family (as the hospital sent it)" in page
        assert _masked(body["mother"]["nik"]) in page and body["mother"]["nik"] not in page
        assert 'data-action="reveal"' in page  # auditors reveal too (audited)
        for console in (elsewhere, admin):
            r = await console.get(f"/console/bundles/{bid}")
            assert r.status_code in (403, 404) and "Rina Marlina" not in r.text
            r = await console.post(f"/console/bundles/{bid}/reveal",
                                   {"field": "mother_nik", "reason": "lihat"})
            assert r.status_code in (403, 404) and body["mother"]["nik"] not in r.text
    finally:
        for console in (auditor, elsewhere, admin):
            await console.close()


async def test_a_bundle_whose_fields_are_not_kept_says_so(served):
    bid, body = await _bundle(served)
    engine = make_engine(served.settings.database_url)
    with Session(engine) as s:  # as for a bundle received before they were kept, or after retention
        s.exec(sa.delete(Submission).where(col(Submission.bundle_id) == bid))
        s.commit()
    engine.dispose()
    op = await login(served, "operator", "3673", username="family-op")
    try:
        page = (await op.get(f"/console/bundles/{bid}")).text
        assert 'id="family-not-kept"' in page and "Rina Marlina" not in page
        r = await op.post(f"/console/bundles/{bid}/reveal", {"field": "mother_nik", "reason": "menelepon"})
        assert r.status_code == 422 and "tidak dikirim" in r.text and body["mother"]["nik"] not in r.text
    finally:
        await op.close()


async def test_in_chromium_a_reveal_swaps_only_that_field(served, browser):
    bid, body = await _bundle(served)
    user = creds.ensure_operator(served.settings, "supervisor", "3673", "family-browser")
    context = await browser.new_context(base_url=served.api_url, locale="id-ID",
                                        viewport={"width": 1280, "height": 900})
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await tab.goto("/console/login")
        await tab.fill("#username", user)
        await tab.fill("#password", creds.PASSWORD)
        await tab.click("form[action='/console/login'] button[type=submit]")
        await tab.wait_for_url("**/console/worklist")
        await tab.goto(f"/console/bundles/{bid}")
        await tab.evaluate("() => { window.__kept = 'same document'; }")
        field = tab.locator("#fam-father_nik")
        assert await field.locator("[data-masked]").inner_text() == _masked(body["father"]["nik"])
        await field.locator("summary").click()
        await field.locator("input[name='reason']").fill("Menelepon ayah untuk koreksi")
        await field.locator("button[type=submit]").click()
        await tab.locator("#fam-father_nik [data-revealed]").wait_for()
        assert await tab.locator("#fam-father_nik [data-revealed]").inner_text() == body["father"]["nik"]
        assert await tab.evaluate("window.__kept") == "same document"  # htmx swapped, no reload
        assert await tab.locator("#fam-mother_nik [data-masked]").count() == 1
        await tab.screenshot(path=screenshot_path("bundle-family-revealed"), full_page=True)
    finally:
        await context.close()
    assert errors == []
    assert [json.loads(e.details_json) for e in _reveals(served, bid)] == [{"field": "father_nik"}]

