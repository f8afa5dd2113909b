"""The expected-outcomes table, end to end: API -> Temporal dev server -> simulators over HTTP."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from domain.contracts import CloseBundleInput, KadisDecisionInput
from domain.nik import parse_nik
from tests.support import payloads
from tests.support.nik import make_nik
from tests.support.stack import svc

pytestmark = pytest.mark.integration

YESTERDAY = date.today() - timedelta(days=1)


def _wib_today() -> date:
    from api.intake import today_wib

    return today_wib()


async def test_single_live_birth_married_pbi_family_kota_serang(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT", legacy_nik=False)
    body = payloads.from_family(fam, birth_date=YESTERDAY, children=[payloads.child(sex="female")])
    bid = await stack.accepted(body)
    b = await stack.wait(bid)
    assert b["status"] == "completed"
    nik = svc(b, "nik")["document_number"]
    parsed = parse_nik(nik)
    assert nik[:6] == fam["domisili"]["kode_kecamatan"]
    assert (parsed.birth_date, parsed.sex) == (YESTERDAY, "female")
    akta = svc(b, "akta")
    assert akta["document_number"].startswith("3673-LU-")
    assert akta["facts"]["orang_tua"] == "kedua_orang_tua"
    kia = svc(b, "kia")
    assert kia["facts"]["jenis"] == "0-5"
    assert kia["facts"]["berlaku_sampai"] == YESTERDAY.replace(year=YESTERDAY.year + 5).isoformat()
    bpjs = svc(b, "bpjs")
    assert (bpjs["status"], bpjs["facts"]["segmen"], bpjs["facts"]["status"]) == ("completed", "PBI", "AKTIF")
    assert len(bpjs["document_number"]) == 13
    # Each service's completion is one timeline entry (BPJS was once recorded twice).
    done = [(e["service"], e["birth_order"]) for e in b["timeline"] if e["kind"] == "completed"]
    assert len(done) == len(set(done)) and ("bpjs", 1) in done
    assert b["kk"]["document_number"] == fam["no_kk"]  # reissued with the same number
    kk = await stack.kk_detail(fam["no_kk"])
    row = next(m for m in kk["anggota"] if m["nik"] == nik)
    assert (row["kode_hubungan"], row["no_akta"]) == (4, akta["document_number"])
    assert kk["jumlah_terbit_ulang"] == 1
    assert b["office_code"] == "3673"


async def test_twin_girls_in_kasemen_get_consecutive_serials_and_one_kk(stack):
    fam = await stack.family(kecamatan="367302", marital="KAWIN_TERCATAT", segmen="PBI")
    born = date.today() - timedelta(days=3)
    kids = [payloads.child(1, sex="female", name="Aisyah"), payloads.child(2, sex="female", name="Azizah")]
    bid = await stack.accepted(payloads.from_family(fam, birth_date=born, children=kids))
    b = await stack.wait(bid)
    assert b["status"] == "completed"
    n1, n2 = svc(b, "nik", 1)["document_number"], svc(b, "nik", 2)["document_number"]
    assert n1[:12] == n2[:12] and n1.startswith("367302")
    assert int(n2[12:]) == int(n1[12:]) + 1
    assert svc(b, "akta", 1)["document_number"] != svc(b, "akta", 2)["document_number"]
    kk = await stack.kk_detail(fam["no_kk"])
    assert kk["jumlah_terbit_ulang"] == 1
    assert {n1, n2} <= {m["nik"] for m in kk["anggota"]}


async def test_boy_girl_twins_both_first_serial(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")
    born = date.today() - timedelta(days=45)  # a date no other test uses: serials start at 0001
    kids = [payloads.child(1, sex="male", name="Hasan"), payloads.child(2, sex="female", name="Husna")]
    b = await stack.wait(await stack.accepted(payloads.from_family(fam, birth_date=born, children=kids)))
    assert b["status"] == "completed"
    n1, n2 = svc(b, "nik", 1)["document_number"], svc(b, "nik", 2)["document_number"]
    assert n1[:12] != n2[:12]
    assert n1.endswith("0001") and n2.endswith("0001")


async def test_stillbirth_records_only_the_certificate(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT")
    before = await stack.kk_detail(fam["no_kk"])
    body = payloads.from_family(fam, birth_date=YESTERDAY, children=[payloads.stillborn()])
    b = await stack.wait(await stack.accepted(body))
    assert b["status"] == "stillbirth_recorded"
    assert svc(b, "surat_lahir_mati")["document_number"]
    assert set(b["children"][0]["services"]) == {"surat_lahir_mati"}  # no NIK, akta, KIA or BPJS
    assert b["kk"]["status"] == "not_applicable"
    after = await stack.kk_detail(fam["no_kk"])
    assert after["jumlah_terbit_ulang"] == before["jumlah_terbit_ulang"]
    assert [m["nik"] for m in after["anggota"]] == [m["nik"] for m in before["anggota"]]


@pytest.mark.parametrize("kab", ["3604", "3672", "3201"])
async def test_family_outside_kota_serang_is_issued_by_its_own_office(stack, kab):
    fam = await stack.family(kab_kota=kab, segmen="PBI", marital="KAWIN_TERCATAT")
    b = await stack.wait(await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY)))
    assert b["status"] == "completed"
    assert b["office_code"] == kab
    assert svc(b, "akta")["document_number"].startswith(f"{kab}-LU-")
    assert svc(b, "nik")["document_number"][:6] == fam["domisili"]["kode_kecamatan"]


async def test_legacy_3604_mother_on_kota_serang_kk(stack):
    fam = await stack.family(kab_kota="3673", legacy_nik=True, segmen="PBI")
    assert fam["ibu"]["nik"].startswith("3604") or (fam["ayah"] or {}).get("nik", "").startswith("3604")
    b = await stack.wait(await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY)))
    assert b["status"] == "completed"
    assert svc(b, "nik")["document_number"].startswith("3673")
    assert svc(b, "akta")["document_number"].startswith("3673-LU-")


async def test_family_where_no_office_serves_needs_attention_then_closed(stack):
    fam = await stack.family(kab_kota="3671")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    b = await stack.wait(bid, lambda b: b["status"] == "needs_attention")
    assert (b["routing"]["status"], b["routing"]["reason"]) == ("needs_attention", "DOMISILI_LUAR")
    assert svc(b, "nik")["document_number"] is None
    reason = "diteruskan ke Disdukcapil Kota Tangerang"
    await stack.update(bid, "close_bundle", CloseBundleInput(reason=reason))
    b = await stack.wait(bid)
    assert b["status"] == "closed_with_issues"
    assert svc(b, "nik")["status"] == "cancelled"


async def test_no_marriage_record_without_sptjm_is_mother_only(stack):
    fam = await stack.family(kab_kota="3673", marital="TIDAK_KAWIN", segmen="PBI")
    body = payloads.from_family(fam, birth_date=YESTERDAY, proof="none", father=None)
    b = await stack.wait(await stack.accepted(body))
    assert b["status"] == "completed"
    assert svc(b, "akta")["facts"]["orang_tua"] == "anak_seorang_ibu"


async def test_sptjm_with_kk_showing_marriage(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_BELUM_TERCATAT", segmen="PBI")
    b = await stack.wait(await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY, proof="sptjm")))
    assert b["status"] == "completed"
    assert svc(b, "akta")["facts"]["orang_tua"] == "perkawinan_belum_tercatat"


async def test_sptjm_without_marriage_on_kk_is_refused_and_the_rest_continues(stack):
    fam = await stack.family(kab_kota="3673", marital="TIDAK_KAWIN", segmen="PBI")
    # The partner this test names: on no KK of this family, and in no other test's notification.
    father = {"nik": make_nik("367306", date(1988, 2, 14), "male", 9873), "name": "Budi Santoso"}
    body = payloads.from_family(fam, birth_date=YESTERDAY, proof="sptjm", father=father)
    bid = await stack.accepted(body)
    b = await stack.wait(bid, lambda b: b["status"] == "needs_attention"
                         and svc(b, "bpjs")["status"] == "completed")
    assert (svc(b, "akta")["status"], svc(b, "akta")["reason"]) == ("needs_attention", "SPTJM_TIDAK_SAH")
    assert svc(b, "kia")["status"] == "pending" and b["kk"]["status"] == "pending"
    # Listed as needing attention for its reason (the query narrowed to this bundle's own dates).
    listed = (await stack.http.get(
        f"{stack.api_url}/v1/births", headers=await stack.staff("supervisor"),
        params={"status": "needs_attention", "received_from": b["received_at"],
                "born_from": YESTERDAY.isoformat(), "born_to": YESTERDAY.isoformat(), "limit": 200})).json()
    assert "SPTJM_TIDAK_SAH" in [r for item in listed["items"] if item["bundle_id"] == bid
                                 for r in item["reasons"]]


async def test_name_sent_after_discharge(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=YESTERDAY, children=[payloads.child(name=None)])
    bid = await stack.accepted(body)
    b = await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "completed"
                         and svc(b, "akta")["status"] == "waiting_input")
    assert b["status"] == "in_progress"
    assert svc(b, "nik")["status"] == "completed"
    url = f"{stack.api_url}/v1/births/{bid}/children/1/name"
    r = await stack.http.post(url, json={"name": "Nur Aini"}, headers=stack.hospital())
    assert r.status_code == 200, r.text
    b = await stack.wait(bid)
    assert b["status"] == "completed"
    r = await stack.http.post(url, json={"name": "Lain"}, headers=stack.hospital())
    assert r.status_code == 409
    other = await stack.http.post(url, json={"name": "X"}, headers=stack.hospital("RSUD-LAIN"))
    assert other.status_code == 404


async def test_same_post_sequential_and_concurrent_gives_one_bundle_and_one_nik(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=YESTERDAY)
    before = await stack.kk_detail(fam["no_kk"])
    first = await stack.post(body)
    again = await stack.post(body)
    burst = await asyncio.gather(*(stack.post(body) for _ in range(10)))
    ids = {r.json()["bundle_id"] for r in [first, again, *burst]}
    assert all(r.status_code == 202 for r in [first, again, *burst])
    assert len(ids) == 1 and again.json()["duplicate"] is True
    b = await stack.wait(ids.pop())
    assert b["status"] == "completed"
    # This family's KK gained exactly one child, the bundle's, in one reissue.
    after = await stack.kk_detail(fam["no_kk"])
    new = {m["nik"] for m in after["anggota"]} - {m["nik"] for m in before["anggota"]}
    assert new == {svc(b, "nik")["document_number"]}
    assert after["jumlah_terbit_ulang"] == before["jumlah_terbit_ulang"] + 1


async def test_same_record_different_content_is_409(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=YESTERDAY)
    bid = await stack.accepted(body)
    changed = {**body, "reporter_phone": "081311112222"}
    r = await stack.post(changed)
    assert r.status_code == 409
    b = await stack.wait(bid)  # the bundle goes on with the content first sent
    assert b["status"] == "completed" and b["record_id"] == body["record_id"]


async def test_invalid_input_is_422_with_field_paths_and_starts_nothing(stack):
    bad = payloads.manual(birth_date=date.today() + timedelta(days=3))
    bad["mother"]["nik"] = "3673051203950007"  # a man's day code
    r = await stack.post(bad)
    assert r.status_code == 422
    assert ["body", "mother", "nik"] in [e["loc"] for e in r.json()["errors"]]
    future = payloads.manual(birth_date=_wib_today() + timedelta(days=2))
    r = await stack.post(future)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "birth_date"]
    bad_nik = payloads.manual()
    bad_nik["witnesses"][0]["nik"] = "3673991203950007"
    r = await stack.post(bad_nik)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "witnesses", 0, "nik"]
    from domain.bundle_state import bundle_id_for

    # Nothing kept or started for any of the refused bodies (their own ids, not a global count).
    for refused in (bad, future, bad_nik):
        bid = bundle_id_for("RSUD-SERANG", refused["record_id"])
        got = await stack.http.get(f"{stack.api_url}/v1/births/{bid}", headers=stack.hospital())
        assert got.status_code == 404
        with pytest.raises(Exception, match="not found"):
            await stack.client.get_workflow_handle(bid).describe()


async def test_bpjs_business_rejection_needs_attention_rest_completes(stack):
    fam = await stack.family(kab_kota="3673", segmen="NONAKTIF", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    b = await stack.wait(bid, lambda b: b["status"] == "needs_attention" and b["kk"]["status"] == "completed")
    assert (svc(b, "bpjs")["status"], svc(b, "bpjs")["reason"]) == ("needs_attention", "PESERTA_TIDAK_AKTIF")
    assert {svc(b, s)["status"] for s in ("nik", "akta", "kia")} == {"completed"}


async def test_bpjs_503_for_a_while_is_retried_then_completes(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    rule = f"enrol-503-{fam['no_kk'][-6:]}"
    await stack.bpjs_fault("enrol_newborn", 503, remaining=3, rule_id=rule)
    b = await stack.wait(await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY)))
    assert b["status"] == "completed" and svc(b, "bpjs")["facts"]["status"] == "AKTIF"
    # All three failures were served and retried past (this test's rule; others may be in force).
    assert rule not in {f["id"] for f in await stack.bpjs_faults()}


async def test_pbpu_family_waits_for_payment_then_completes(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    b = await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment"
                         and b["kk"]["status"] == "completed")
    assert b["status"] == "in_progress"
    facts = svc(b, "bpjs")["facts"]
    assert facts["virtual_account"].startswith("88888") and facts["status"] == "MENUNGGU_PEMBAYARAN"
    r = await stack.pay(facts["virtual_account"], int(facts["tagihan"]))
    assert r.status_code == 200, r.text
    b = await stack.wait(bid)
    assert b["status"] == "completed" and svc(b, "bpjs")["facts"]["status"] == "AKTIF"


async def test_ppu_fourth_child_awaits_the_extra_contribution(stack):
    fam = await stack.family(kab_kota="3673", segmen="PPU", anak=3, marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    b = await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    assert svc(b, "bpjs")["facts"]["segmen"] == "PPU"


async def test_family_without_membership_is_enrolled_pbpu_class_3(stack):
    fam = await stack.family(kab_kota="3673", segmen="NONE", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    b = await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    facts = svc(b, "bpjs")["facts"]
    assert (facts["segmen"], facts["kelas"]) == ("PBPU", "3")
    assert facts["virtual_account"] == "88888" + svc(b, "bpjs")["document_number"][-11:]


async def test_mother_unknown_to_dukcapil(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=YESTERDAY)
    body["mother"]["nik"] = payloads.unknown_mother_nik()
    b = await stack.wait(await stack.accepted(body), lambda b: b["status"] == "needs_attention")
    assert svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN"
    assert svc(b, "akta")["status"] == "pending"


async def test_mother_not_on_the_kk_given(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT")
    other = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=YESTERDAY, kk_number=other["no_kk"])
    b = await stack.wait(await stack.accepted(body), lambda b: b["status"] == "needs_attention")
    assert svc(b, "nik")["reason"] == "IBU_TIDAK_DI_KK"


async def test_late_registration_needs_kadis_decision_then_lt(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    born = date.today() - timedelta(days=75)
    bid = await stack.accepted(payloads.from_family(fam, birth_date=born))
    b = await stack.wait(bid, lambda b: svc(b, "akta")["status"] == "needs_attention")
    assert svc(b, "akta")["reason"] == "KEPUTUSAN_KADIS_DIPERLUKAN" and b["status"] == "needs_attention"
    assert svc(b, "akta")["deadline_state"] == "passed" and b["deadline_risk"] is True
    risky = (await stack.http.get(f"{stack.api_url}/v1/births", headers=await stack.staff("supervisor"),
                                  params={"deadline_risk": True, "born_from": born.isoformat(),
                                          "born_to": born.isoformat(), "limit": 200})).json()
    assert bid in [i["bundle_id"] for i in risky["items"]]
    await stack.update(bid, "record_kadis_decision", KadisDecisionInput(decision_number="470/123/KADIS/2026"))
    b = await stack.wait(bid)
    assert b["status"] == "completed"
    assert svc(b, "akta")["document_number"].startswith("3673-LT-")
    assert b["deadline_risk"] is False
