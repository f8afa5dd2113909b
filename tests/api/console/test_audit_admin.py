"""The auditors' audit view (filters, masked CSV export, both audited) and the admins' pages
(hospitals, keys shown once, accounts) over HTTP with a cookie session and CSRF."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlmodel import Session, select

from api.auth import audit
from api.auth.roles import Principal, Role
from store import auth_login
from store.auth_models import AuditEvent, Operator
from store.db import make_engine
from tests.api.console.support import CSRF_FIELD, FLASH, login
from tests.support import creds

pytestmark = pytest.mark.integration
NIK = "3673015505900001"  # a NIK-shaped number an operator typed into a reason
ERROR = re.compile(r'<p class="form-error" role="alert" data-error-for="[^"]*">([^<]*)</p>')


@pytest_asyncio.fixture(scope="module")
async def auditor(stack):
    console = await login(stack, "auditor", None, username="console-auditor")
    yield console
    await console.close()


@pytest_asyncio.fixture(scope="module")
async def admin_console(stack):
    console = await login(stack, "admin", None, username="console-admin")
    yield console
    await console.close()


def _events(stack, **where) -> list[AuditEvent]:
    with Session(make_engine(stack.settings.database_url)) as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            q = q.where(getattr(AuditEvent, name) == value)
        return list(s.exec(q))


def _seed(stack, actor: str) -> str:
    """Events as an operator's actions leave them: one with a NIK in its reason and details."""
    bundle = str(uuid.uuid4())
    who = Principal(kind="operator", subject=actor, role=Role.operator, office_code="3673")
    with Session(make_engine(stack.settings.database_url)) as s:
        audit.record(session=s, who=who, action="bundle.parents", bundle_id=bundle,
                     reason=f"NIK ibu {NIK} salah ketik", details={"mother_nik": NIK, "fields": ["mother"]})
        audit.record(session=s, who=who, action="bundle.retry", bundle_id=bundle, reason="=HYPERLINK(1)")
        audit.record(session=s, who=who, action="bundle.view", bundle_id=bundle)
    return bundle


async def test_auditor_filters_the_log_and_sees_nik_masked(stack, auditor):
    actor = f"aud-op-{uuid.uuid4().hex[:6]}"
    bundle = _seed(stack, actor)
    page = (await auditor.get("/console/audit", params={"actor": actor})).text
    assert page.count("data-event=") == 3 and NIK not in page and "************0001" in page
    only = (await auditor.get("/console/audit", params={"actor": actor, "action": "bundle.retry"})).text
    assert re.findall(r'data-action="([a-z_.]+)"', only.split("<tbody>")[1]) == ["bundle.retry"]
    by_bundle = (await auditor.get("/console/audit", params={"bundle": bundle.upper()})).text
    assert by_bundle.count("data-event=") == 3
    future = (await auditor.get("/console/audit", params={"actor": actor, "from": "2999-01-01"})).text
    assert 'id="audit-none"' in future
    params = {"actor": actor, "bundle": "x';--", "to": "kemarin"}
    bad = (await auditor.get("/console/audit", params=params)).text
    assert "Filter bundle tidak valid" in bad and "Filter to tidak valid" in bad
    assert bad.count("data-event=") == 3  # ignored, not applied
    viewed = _events(stack, actor="console-auditor", action="audit.search")
    assert json.loads(viewed[-1].details_json)["via"] == "console"


async def test_csv_export_is_filtered_masked_safe_for_spreadsheets_and_audited(stack, auditor):
    actor = f"aud-csv-{uuid.uuid4().hex[:6]}"
    _seed(stack, actor)
    r = await auditor.get("/console/audit/export.csv", params={"actor": actor})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["action"] for row in rows] == ["bundle.parents", "bundle.retry", "bundle.view"]
    assert NIK not in r.text
    assert "************0001" in rows[0]["reason"] and "************0001" in rows[0]["details"]
    assert rows[1]["reason"] == "'=HYPERLINK(1)"  # a formula is text in a spreadsheet
    exported = _events(stack, actor="console-auditor", action="audit.export")[-1]
    assert json.loads(exported.details_json) == {"actor": actor, "format": "csv", "via": "console"}


async def test_only_auditors_see_the_audit_view(stack):
    operator = await login(stack, "operator", "3673", username="console-audit-op")
    try:
        r = await operator.get("/console/audit")
        assert r.status_code == 403 and "tidak boleh melakukan ini" in r.text
        assert (await operator.get("/console/audit/export.csv")).status_code == 403
        assert 'href="/console/audit"' not in (await operator.get("/console/worklist")).text
    finally:
        await operator.close()


async def test_admin_registers_a_hospital_issues_a_key_once_and_revokes_it(stack, admin_console):
    hid = f"RS-ADM-{uuid.uuid4().hex[:6].upper()}"
    page = (await admin_console.get("/console/admin")).text
    assert "kelahiran admin" not in page and 'data-action="create-hospital"' in page
    r = await admin_console.post("/console/admin/hospitals", {"id": hid, "name": "RS Uji Admin"})
    assert r.status_code == 303
    again = await admin_console.post("/console/admin/hospitals", {"id": hid, "name": "RS Lagi"})
    assert again.status_code == 409
    assert html.unescape(ERROR.search(again.text).group(1)) == f"Sudah ada: {hid}."
    assert 'value="RS Lagi"' in again.text  # what was typed stays
    assert [json.loads(e.details_json) for e in _events(stack, action="admin.hospital.create")
            if hid in e.details_json] == [{"hospital_id": hid}]

    issued = await admin_console.post(f"/console/admin/hospitals/{hid}/keys", {"label": "SIMRS"})
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    key = re.search(r'<code data-key-id="([0-9a-f]{16})">([^<]+)</code>', issued.text)
    key_id, secret = key.group(1), html.unescape(key.group(2))
    api = f"{stack.api_url}/v1/hospital/webhook"
    assert (await stack.http.get(api, headers={"X-API-Key": secret})).status_code != 401
    assert secret not in (await admin_console.get("/console/admin")).text  # shown once
    logged = [e for e in _events(stack, action="admin.key.issue") if key_id in e.details_json]
    assert len(logged) == 1 and secret not in logged[0].details_json

    assert (await admin_console.post(f"/console/admin/keys/{key_id}/revoke")).status_code == 303
    assert (await stack.http.get(api, headers={"X-API-Key": secret})).status_code == 401
    assert (await admin_console.post(f"/console/admin/hospitals/{hid}/disable")).status_code == 303
    assert [e.action for e in _events(stack, action="admin.hospital.disable") if hid in e.details_json]
    listed = (await admin_console.get("/console/admin")).text
    row = listed.split(f'data-hospital="{hid}"')[1].split("</tr>")[0]
    assert "nonaktif" in row and 'data-action="enable-hospital"' in row and "issue-key" not in row
    missing = await admin_console.post("/console/admin/keys/0000000000000000/revoke")
    assert missing.status_code == 404


async def test_admin_creates_and_disables_an_account(stack, admin_console):
    user = f"adm-op-{uuid.uuid4().hex[:6]}"
    form = {"username": user, "full_name": "Petugas Uji", "role": "operator", "office_code": "3673"}
    weak = await admin_console.post("/console/admin/operators", {**form, "password": "pendek"})
    assert weak.status_code == 422 and "Kata sandi" in ERROR.search(weak.text).group(1)
    assert f'value="{user}"' in weak.text and "pendek" not in weak.text  # the password is never echoed
    bad = await admin_console.post("/console/admin/operators", {**form, "username": "Huruf Besar",
                                                               "password": creds.PASSWORD})
    assert bad.status_code == 422 and "Nama pengguna" in html.unescape(ERROR.search(bad.text).group(1))
    ok = await admin_console.post("/console/admin/operators", {**form, "password": creds.PASSWORD})
    assert ok.status_code == 303
    member = await login(stack, "operator", "3673", username=user)
    assert (await member.get("/console/worklist")).status_code == 200

    assert (await admin_console.post(f"/console/admin/operators/{user}/disable")).status_code == 303
    assert (await member.get("/console/worklist")).status_code == 303  # its session no longer counts
    await member.close()
    updates = [json.loads(e.details_json) for e in _events(stack, action="admin.operator.update")
               if user in e.details_json]
    assert updates[-1]["disabled"] is True
    self_disable = await admin_console.post("/console/admin/operators/console-admin/disable")
    assert self_disable.status_code == 409


def _lock(stack, username: str) -> None:
    """As that many wrong passwords would, through the same atomic counter (no address throttled)."""
    policy, now = stack.settings.session_policy(), datetime.now(UTC)
    with Session(make_engine(stack.settings.database_url)) as s:
        for _ in range(policy.max_failures):
            auth_login.record_failure(s, username, now=now, window=timedelta(minutes=15),
                                      max_failures=policy.max_failures, lockout=policy.lockout)
        assert s.get(Operator, username).locked_until is not None


async def _can_log_in(stack, username: str) -> bool:
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        token = CSRF_FIELD.search((await http.get("/console/login")).text).group(1)
        r = await http.post("/console/login", data={"username": username, "password": creds.PASSWORD,
                                                    "csrf_token": token})
        return r.status_code == 303


def _row(page: str, username: str) -> str:
    return page.split(f'data-operator="{username}"')[1].split("</tr>")[0]


async def test_admin_unlocks_a_locked_account_only_admins_may(stack, admin_console):
    user = creds.ensure_operator(stack.settings, "operator", "3673", f"adm-lock-{uuid.uuid4().hex[:6]}")
    _lock(stack, user)
    assert not await _can_log_in(stack, user)  # locked: the right password is refused
    page = (await admin_console.get("/console/admin")).text
    assert "terkunci" in _row(page, user) and 'data-action="unlock-operator"' in _row(page, user)
    assert 'data-action="unlock-operator"' not in _row(page, "console-admin")  # offered when locked only

    operator = await login(stack, "operator", "3673", username="console-unlock-op")
    try:
        assert (await operator.post(f"/console/admin/operators/{user}/unlock")).status_code == 403
    finally:
        await operator.close()
    no_csrf = await admin_console.post(f"/console/admin/operators/{user}/unlock", csrf=False)
    assert no_csrf.status_code == 403
    assert not await _can_log_in(stack, user)  # neither refusal unlocked it
    assert [e for e in _events(stack, action="admin.operator.unlock") if user in e.details_json] == []

    r = await admin_console.post(f"/console/admin/operators/{user}/unlock")
    assert r.status_code == 303
    flash = FLASH.search((await admin_console.get(r.headers["location"])).text)
    assert flash.group(1) == "ok" and user in html.unescape(flash.group(2))
    assert 'data-action="unlock-operator"' not in _row((await admin_console.get("/console/admin")).text, user)
    assert await _can_log_in(stack, user)
    unlocked = [e for e in _events(stack, action="admin.operator.unlock") if user in e.details_json]
    assert [(e.actor, e.action, json.loads(e.details_json)) for e in unlocked] == [
        ("console-admin", "admin.operator.unlock", {"username": user})]  # as the API's unlock
    assert (await admin_console.post("/console/admin/operators/no-such-op/unlock")).status_code == 404
