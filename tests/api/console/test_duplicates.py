"""The console's actions for issue 17's integrity cases: a suspected duplicate decided by a
supervisor, and a KK number corrected after routing (warned, confirmed, routed again)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from sqlmodel import Session, select

from store.auth_models import AuditEvent
from store.db import make_engine
from tests.api.console import cases
from tests.api.console.support import login, wait_page
from tests.support import payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration
H = cases.HOSPITAL


@pytest_asyncio.fixture(scope="module")
async def operator(stack):
    console = await login(stack, "operator", None, username="console-dup-op")
    yield console
    await console.close()


@pytest_asyncio.fixture(scope="module")
async def supervisor(stack):
    console = await login(stack, "supervisor", None, username="console-dup-sup")
    yield console
    await console.close()


def _actions(page: str) -> set[str]:
    return {part.split('"')[0] for part in page.split('data-action="')[1:]}


def _audited(stack, bundle_id: str, action: str) -> list[AuditEvent]:
    with Session(make_engine(stack.settings.database_url)) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.bundle_id == bundle_id,
                                                    AuditEvent.action == action)))


async def test_a_supervisor_closes_a_suspected_duplicate_linked_to_the_first(stack, operator, supervisor):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=cases.YESTERDAY)
    first = await stack.accepted(body, H)
    bid = await stack.accepted({**body, "record_id": payloads.record_id("MIGRASI")}, H)
    page = await wait_page(supervisor, bid, 'data-action="duplicate"')
    assert 'data-dup="suspected">' in page and f'href="/console/bundles/{first}"' in page
    assert "mungkin sudah dilaporkan" in page
    assert "duplicate" not in _actions((await operator.get(f"/console/bundles/{bid}")).text)
    r = await operator.post(f"/console/bundles/{bid}/duplicate", {"duplicate": "yes", "reason": "sama"})
    assert r.status_code == 403  # supervisors decide, on the server too
    assert await supervisor.act(bid, "duplicate", {"duplicate": "yes", "reason": ""}) == (
        "error", "Isian tidak valid; periksa: Alasan (dicatat di log audit).")
    kind, text = await supervisor.act(bid, "duplicate", {"duplicate": "yes", "reason": "dikirim ulang"})
    assert (kind, text) == ("ok", "Keputusan dicatat: Duplikat: tutup dan tautkan.")
    assert (await stack.wait(bid))["status"] == "closed_duplicate"
    page = await wait_page(supervisor, bid, 'data-dup="of"')
    assert "Ditutup: duplikat" in page and "duplicate" not in _actions(page)
    assert [e.outcome for e in _audited(stack, bid, "bundle.duplicate")] == ["ok"]
    kind, text = await supervisor.act(first, "duplicate", {"duplicate": "no", "reason": "coba"})
    assert kind == "error"


async def test_a_corrected_kk_number_is_warned_confirmed_and_moves_the_bundle(stack, operator):
    served = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    hers = await stack.family(kab_kota="3604", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(hers, birth_date=cases.YESTERDAY, kk_number=served["no_kk"])
    bid = await stack.accepted(body, H)
    await stack.wait(bid, lambda b: svc(b, "nik")["reason"] == "IBU_TIDAK_DI_KK")
    page = (await operator.get(f"/console/bundles/{bid}")).text
    assert 'data-warn="kk-reroute"' in page and "Bundel dapat pindah ke kantor lain" in page
    status, text, page = await operator.kept(bid, "parents", {"kk_number": hers["no_kk"], "routed": "1",
                                                              "reason": "KK ibu yang benar"})
    assert status == 409 and "centang konfirmasi" in text
    assert f'value="{hers["no_kk"]}"' in page  # the KK number typed is still there, to confirm
    kind, _ = await operator.act(bid, "parents", {"kk_number": hers["no_kk"], "routed": "1",
                                                  "confirm_reroute": "yes", "reason": "KK ibu yang benar"})
    assert kind == "ok"
    b = await stack.wait(bid)
    assert b["status"] == "completed" and b["office_code"] == "3604"
    assert b["domicile_kecamatan"].startswith("3604")
    assert svc(b, "nik")["document_number"].startswith(b["domicile_kecamatan"])
    assert [e.outcome for e in _audited(stack, bid, "bundle.parents")] == ["ok"]
