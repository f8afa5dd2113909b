"""Console pages: worklist, all bundles, search, bundle page, dashboard, languages, roles, headers."""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio
from sqlmodel import Session, select

from store.auth_models import AuditEvent
from store.db import make_engine
from tests.api.console import cases
from tests.api.console.support import login

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(scope="module")
async def waiting(stack) -> str:
    return await cases.nameless(stack)


@pytest_asyncio.fixture(scope="module")
async def done(stack) -> str:
    return await cases.completed(stack)


@pytest_asyncio.fixture(scope="module")
async def operator(stack):
    console = await login(stack, "operator", "3673", username="console-pages-op")
    yield console
    await console.close()


async def test_worklist_explains_the_missing_name_and_what_to_do(stack, operator, waiting, done):
    page = (await operator.get("/console/worklist")).text
    row = page.split(f'data-bundle="{waiting}"')[1].split("</tr>")[0]
    assert 'data-code="NAMA_BELUM_ADA"' in row
    assert "Bayi dipulangkan tanpa nama" in row and "Isi nama bayi" in row
    assert "hari lagi" in row  # the akta's 60-day clock
    assert f'data-bundle="{done}"' not in page


async def test_all_bundles_filters_and_rejects_bad_filters(stack, operator, waiting, done):
    page = (await operator.get("/console/bundles", params={"hospital": cases.HOSPITAL,
                                                           "status": "completed"})).text
    assert f'data-bundle="{done}"' in page and f'data-bundle="{waiting}"' not in page
    page = (await operator.get("/console/bundles", params={"service": "akta",
                                                           "service_status": "waiting_input"})).text
    assert f'data-bundle="{waiting}"' in page and f'data-bundle="{done}"' not in page
    page = (await operator.get("/console/bundles", params={"kecamatan": "999999", "risk": "no",
                                                           "born_from": cases.YESTERDAY.isoformat()})).text
    assert "0 bundel" in page
    bad = {"status": "nonsense", "born_to": "yesterday"}
    page = (await operator.get("/console/bundles", params=bad)).text
    assert "Saringan tidak valid diabaikan: status" in page and "born_to" in page


async def test_search_by_record_id_or_bundle_id_is_a_post(stack, operator, waiting):
    record_id = (await stack.get(waiting))["record_id"]
    r = await operator.post("/console/bundles/search", {"q": record_id})
    assert r.status_code == 200 and f'data-bundle="{waiting}"' in r.text
    assert record_id not in str(r.url)
    r = await operator.post("/console/bundles/search", {"q": waiting.upper()})
    assert r.status_code == 303 and r.headers["location"] == f"/console/bundles/{waiting}"
    r = await operator.post("/console/bundles/search", {"q": "RM-NOT-THERE"})
    assert "Tidak ada bundel dengan nomor itu" in r.text


async def test_bundle_page_shows_steps_documents_timeline_and_is_audited(stack, operator, done):
    b = await stack.get(done)
    page = (await operator.get(f"/console/bundles/{done}")).text
    for service in ("nik", "akta", "kia", "bpjs"):
        assert b["children"][0]["services"][service]["status"] == "completed"
        assert f'data-service="{service}" data-order="1"' in page
    assert b["children"][0]["services"]["akta"]["document_number"] in page
    assert b["kk"]["document_number"] in page
    assert 'id="temporal-link"' not in page  # the test stack runs no Web UI (test_units covers the link)
    assert "Diterima dari rumah sakit" in page and "Percobaan" in page
    assert f'hx-get="/console/bundles/{done}/live"' in page and 'sse-connect=' in page
    with Session(make_engine(stack.settings.database_url)) as s:
        seen = s.exec(select(AuditEvent).where(AuditEvent.bundle_id == done,
                                               AuditEvent.action == "bundle.view",
                                               AuditEvent.actor == operator.username)).all()
    assert seen


async def test_dashboard_draws_its_charts(stack, operator, waiting, done):
    page = (await operator.get("/console/dashboard", params={"days": 7})).text
    assert page.count('<svg class="chart"') == 4
    assert "Bundel per hari" in page and "Waktu sampai selesai per layanan" in page
    assert "NAMA_BELUM_ADA" in page and cases.HOSPITAL in page


async def test_english_on_request_and_remembered(stack, waiting):
    console = await login(stack, "auditor", None, username="console-lang")
    try:
        page = await console.get("/console/worklist", params={"lang": "en"})
        assert '<html lang="en">' in page.text and "Bundles that need a person" in page.text
        assert console.http.cookies.get("kelahiran_lang") == "en"
        page = await console.get(f"/console/bundles/{waiting}")
        assert "Enter the baby's name" not in page.text  # an auditor is offered no action
        assert "Auditor role: read-only." in page.text and "Waiting for input" in page.text
        page = await console.get("/console/worklist", params={"lang": "id"})
        assert "Bundel yang perlu tindakan" in page.text
    finally:
        await console.close()


async def test_roles_without_bundle_access_get_a_page_saying_so(stack, waiting):
    admin = await login(stack, "admin", None, username="console-admin")
    try:
        r = await admin.get("/console")
        assert r.headers["location"] == "/console/admin"
        page = await admin.get("/console/admin")
        assert 'id="no-bundle-data"' in page.text and "console-admin" in page.text
        for path in ("/console/worklist", f"/console/bundles/{waiting}", "/console/dashboard"):
            r = await admin.get(path)
            assert r.status_code == 403 and "Peran Anda (admin) tidak boleh melakukan ini" in r.text
    finally:
        await admin.close()
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        r = await http.get("/console/worklist", headers=stack.hospital(cases.HOSPITAL))
        assert r.status_code == 403 and "Kunci API rumah sakit" in r.text


async def test_operator_of_another_office_sees_no_such_bundle(stack, waiting):
    other = await login(stack, "operator", "3604", username="console-other-office")
    try:
        r = await other.get(f"/console/bundles/{waiting}")
        assert r.status_code == 404 and "Bundel tidak ditemukan" in r.text
        assert f'data-bundle="{waiting}"' not in (await other.get("/console/worklist")).text
        assert (await other.get("/console/bundles/not-a-uuid")).status_code == 404
    finally:
        await other.close()


async def test_console_headers(stack, operator):
    r = await operator.get("/console/worklist")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store" and r.headers["x-frame-options"] == "DENY"
    css = await operator.get("/console/static/console.css")
    assert css.status_code == 200 and "max-age" in css.headers["cache-control"]
    api = await operator.get("/v1/auth/me")
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
