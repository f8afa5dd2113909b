"""Every console action over HTTP with a cookie session and CSRF: accepted, refused, and role hiding."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

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
    console = await login(stack, "operator", "3673", username="console-act-op")
    yield console
    await console.close()


@pytest_asyncio.fixture(scope="module")
async def supervisor(stack):
    console = await login(stack, "supervisor", "3673", username="console-act-sup")
    yield console
    await console.close()


def _actions(page: str) -> set[str]:
    """The actions on the bundle offered on its page (revealing a family's field is no such action)."""
    return {part.split('"')[0] for part in page.split('data-action="')[1:]} - {"reveal"}


def _audited(stack, bundle_id: str, action: str) -> list[AuditEvent]:
    with Session(make_engine(stack.settings.database_url)) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.bundle_id == bundle_id,
                                                    AuditEvent.action == action)))


async def test_name_is_offered_to_an_operator_and_completes_the_bundle(stack, operator, supervisor):
    bid = await cases.nameless(stack)
    page = (await operator.get(f"/console/bundles/{bid}")).text
    assert _actions(page) == {"name", "parents", "death"}  # no supervisor action for an operator
    assert {"close"} <= _actions((await supervisor.get(f"/console/bundles/{bid}")).text)
    assert await operator.act(bid, "name", {"birth_order": "1", "name": ""}) == (
        "error", "Isian tidak valid; periksa: Nama bayi.")
    kind, text = await operator.act(bid, "name", {"birth_order": "1", "name": "Nur Aini"})
    assert (kind, text) == ("ok", "Nama dicatat; akta, KIA dan KK dilanjutkan.")
    b = await stack.wait(bid)
    assert b["status"] == "completed" and svc(b, "akta")["document_number"]
    kind, text = await operator.act(bid, "name", {"birth_order": "1", "name": "Lain"})
    assert kind == "error" and text == "Ditolak: bundel sudah selesai atau ditutup; tidak ada perubahan lagi."
    [ok] = [e for e in _audited(stack, bid, "child.name") if e.outcome == "ok"]
    assert ok.actor == operator.username


async def test_forms_need_the_csrf_token_and_roles_are_checked_on_the_server(stack, operator):
    bid = await cases.nameless(stack)
    r = await operator.post(f"/console/bundles/{bid}/name", {"birth_order": "1", "name": "X"}, csrf=False)
    assert r.status_code == 403 and "Formulir kedaluwarsa" in r.text
    for action in ("close", "decision", "sptjm"):
        r = await operator.post(f"/console/bundles/{bid}/{action}", {"reason": "coba-coba", "accept": "yes",
                                                                      "decision_number": "470/1/2026"})
        assert r.status_code == 403 and "Peran Anda (operator) tidak boleh melakukan ini" in r.text
    auditor = await login(stack, "auditor", None, username="console-act-aud")
    try:
        page = (await auditor.get(f"/console/bundles/{bid}")).text
        assert _actions(page) == set() and "hanya baca" in page
        r = await auditor.post(f"/console/bundles/{bid}/name", {"birth_order": "1", "name": "X"})
        assert r.status_code == 403
    finally:
        await auditor.close()
    r = await operator.post(f"/console/bundles/{bid}/name", {"birth_order": "12", "name": "X"})
    assert r.status_code == 303  # a child that does not exist: refused with a message, not a crash
    assert (await operator.act(bid, "name", {"birth_order": "3", "name": "X"}))[0] == "error"


async def test_forward_a_family_no_connected_office_serves(stack, operator):
    fam = await stack.family(kab_kota="3671")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY), H)
    await stack.wait(bid, lambda b: b["routing"]["reason"] == "DOMISILI_LUAR")
    assert (await operator.get(f"/console/bundles/{bid}")).status_code == 404  # no office: not 3673's
    anywhere = await login(stack, "operator", None, username="console-act-op-all")
    try:
        page = (await anywhere.get(f"/console/bundles/{bid}")).text
        assert "forward" in _actions(page) and "Teruskan bundel ke Disdukcapil domisili" in page
        bad = {"office": "Disdukcapil Kota Tangerang", "reference": "<ref>", "reason": "domisili"}
        assert await anywhere.act(bid, "forward", bad) == (
            "error", "Isian tidak valid; periksa: Nomor rujukan.")
        good = {**bad, "reference": "474.1/88/2026"}
        assert await anywhere.act(bid, "forward", good) == (
            "ok", "Bundel diteruskan ke Disdukcapil Kota Tangerang.")
        assert (await stack.wait(bid))["status"] == "forwarded"
        kind, text = await anywhere.act(bid, "forward", good)
        assert kind == "error" and "tidak ada perubahan lagi" in text
    finally:
        await anywhere.close()


async def test_sptjm_decision_is_a_supervisors(stack, operator, supervisor):
    fam = await stack.family(kab_kota="3673", marital="TIDAK_KAWIN", segmen="PBI")
    father = {"nik": payloads.manual()["father"]["nik"], "name": "Budi Santoso"}
    bid = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY, proof="sptjm",
                                                    father=father), H)
    await stack.wait(bid, lambda b: svc(b, "akta")["reason"] == "SPTJM_TIDAK_SAH")
    assert "sptjm" not in _actions((await operator.get(f"/console/bundles/{bid}")).text)
    page = (await supervisor.get(f"/console/bundles/{bid}")).text
    assert "sptjm" in _actions(page) and "KK tidak menunjukkan orang tua berstatus kawin" in page
    kind, text = await supervisor.act(bid, "sptjm", {"accept": "no", "reason": "KK belum diperbarui"})
    assert kind == "ok" and "Tolak: akta atas nama ibu saja" in text
    b = await stack.wait(bid)
    assert b["status"] == "completed" and svc(b, "akta")["facts"]["orang_tua"] == "anak_seorang_ibu"
    assert _audited(stack, bid, "bundle.sptjm")[0].reason == "KK belum diperbarui"


async def test_kadis_decision_for_a_late_registration(stack, supervisor):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=date.today() - timedelta(days=75)), H)
    await stack.wait(bid, lambda b: svc(b, "akta")["reason"] == "KEPUTUSAN_KADIS_DIPERLUKAN")
    work = (await supervisor.get("/console/worklist")).text
    assert 'data-code="KEPUTUSAN_KADIS_DIPERLUKAN"' in work.split(f'data-bundle="{bid}"')[1].split("</tr>")[0]
    assert "lewat" in work.split(f'data-bundle="{bid}"')[1].split("</tr>")[0]  # past the 60 days
    assert await supervisor.act(bid, "decision", {"decision_number": "470/9/KADIS/2026", "reason": ""}) == (
        "error", "Isian tidak valid; periksa: Alasan (dicatat di log audit).")
    kind, _ = await supervisor.act(bid, "decision", {"decision_number": "470/9/KADIS/2026",
                                                     "reason": "keputusan Kadis terlampir"})
    assert kind == "ok"
    b = await stack.wait(bid)
    assert b["status"] == "completed" and svc(b, "akta")["document_number"].startswith("3673-LT-")


async def test_retry_close_and_their_refusals(stack, operator, supervisor):
    fam = await stack.family(kab_kota="3673", segmen="NONAKTIF", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY), H)
    await stack.wait(bid, lambda b: b["status"] == "needs_attention"
                     and svc(b, "kia")["status"] == "completed")
    page = (await operator.get(f"/console/bundles/{bid}")).text
    assert "retry" in _actions(page) and "Kepesertaan BPJS keluarga tidak aktif" in page
    assert await operator.act(bid, "retry", {"service": "bpjs", "birth_order": "1", "reason": ""}) == (
        "error", "Isian tidak valid; periksa: Alasan (dicatat di log audit).")
    assert await operator.act(bid, "retry", {"service": "bpjs", "birth_order": "1",
                                             "reason": "tunggakan sudah dibayar"}) == (
        "ok", "Coba lagi dijadwalkan.")
    assert await operator.act(bid, "retry", {"service": "akta", "birth_order": "1", "reason": "coba"}) == (
        "error", "Ditolak: layanan ini tidak sedang menunggu untuk dicoba lagi.")
    assert await supervisor.act(bid, "decision", {"decision_number": "470/1/2026", "reason": "salah"}) == (
        "error", "Ditolak: tidak ada akta yang menunggu keputusan Kepala Dinas.")
    assert await supervisor.act(bid, "sptjm", {"accept": "yes", "reason": "salah bundel"}) == (
        "error", "Ditolak: tidak ada akta yang menunggu keputusan SPTJM.")
    forward = {"office": "Disdukcapil Kota Tangerang", "reference": "474/1", "reason": "salah bundel"}
    assert await operator.act(bid, "forward", forward) == (
        "error", "Ditolak: hanya bundel berdomisili di luar kantor terhubung yang dapat diteruskan.")
    fix = {"birth_order": "1", "child_name": "Siti", "reason": "typo"}
    assert await operator.act(bid, "correction", fix) == (
        "error", "Ditolak: koreksi hanya untuk bundel yang sudah selesai.")
    await stack.wait(bid, lambda b: b["status"] == "needs_attention")
    assert await supervisor.act(bid, "close", {"reason": "keluarga belum melunasi BPJS"}) == (
        "ok", "Bundel ditutup; layanan yang masih terbuka dibatalkan.")
    assert (await stack.wait(bid))["status"] == "closed_with_issues"
    page = await wait_page(supervisor, bid, 'data-status="closed_with_issues"')
    assert "Alasan penutupan: keluarga belum melunasi BPJS" in page and "close" not in _actions(page)
    kind, text = await supervisor.act(bid, "close", {"reason": "lagi"})
    assert kind == "error" and "tidak ada perubahan lagi" in text
    assert [e.outcome for e in _audited(stack, bid, "bundle.close")] == ["ok", "refused"]


async def test_parents_correction_before_issue(stack, operator):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=cases.YESTERDAY)
    body["mother"]["nik"] = payloads.unknown_mother_nik()
    bid = await stack.accepted(body, H)
    await stack.wait(bid, lambda b: svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN")
    work = (await operator.get("/console/worklist")).text
    assert "NIK ibu tidak dikenal Dukcapil" in work.split(f'data-bundle="{bid}"')[1].split("</tr>")[0]
    # a refusal keeps the form open with what was typed (NIKs and names are long to type again)
    bad = {"mother_nik": "123", "mother_name": "Ibu Salah Ketik", "reason": "salah ketik di RS"}
    status, error, page = await operator.kept(bid, "parents", bad)
    assert (status, error) == (422, "Isian tidak valid; periksa: NIK ibu.")
    assert '<details class="action" data-action="parents" open>' in page
    assert 'value="Ibu Salah Ketik"' in page and 'value="salah ketik di RS"' in page and 'value="123"' in page
    kind, _ = await operator.act(bid, "parents", {"mother_nik": fam["ibu"]["nik"], "mother_name":
                                                  fam["ibu"]["nama"], "reason": "NIK ibu salah ketik di RS"})
    assert kind == "ok"
    assert (await stack.wait(bid))["status"] == "completed"
    kind, text = await operator.act(bid, "parents", {"kk_number": fam["no_kk"], "reason": "lagi"})
    assert kind == "error" and "tidak ada perubahan lagi" in text


async def test_follow_ups_after_issue_show_on_the_bundle_page(stack, operator):
    bid = await cases.completed(stack)
    page = (await operator.get(f"/console/bundles/{bid}")).text
    assert {"death", "correction"} <= _actions(page) and "name" not in _actions(page)
    born = cases.YESTERDAY
    early = {"birth_order": "1", "date_of_death": str(born - timedelta(days=2)), "place_of_death": "RSUD"}
    assert await operator.act(bid, "death", early) == (
        "error", "Ditolak: tanggal meninggal sebelum tanggal lahir.")
    assert (await operator.act(bid, "correction", {"birth_order": "1", "child_name": "Siti Aminah Putri",
                                                   "reason": "ejaan nama keliru"}))[0] == "ok"
    await wait_page(operator, bid, 'data-kind="correction"')
    death = {"birth_order": "1", "date_of_death": str(date.today()), "place_of_death": "RSUD Serang"}
    # One follow-up of a child at a time: the death waits until the correction has finished.
    deadline = time.monotonic() + 45
    while (said := await operator.act(bid, "death", death))[0] != "ok":
        assert said == ("error", "Ditolak: tindak lanjut lain untuk anak ini masih berjalan; "
                                 "kirim lagi setelah selesai."), said
        assert time.monotonic() < deadline
        await asyncio.sleep(0.3)
    page = await wait_page(operator, bid, 'data-kind="death"')
    assert "Kematian: akta kematian, KK, BPJS" in page
