"""Follow-ups after issue, end to end: death of a baby born alive, and a correction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support import payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration
YESTERDAY = date.today() - timedelta(days=1)


def _follow_up(b: dict, kind: str) -> dict | None:
    return next((f for f in b["follow_up_status"] if f["kind"] == kind), None)


def _done(kind: str):
    return lambda b: (_follow_up(b, kind) or {}).get("status") == "completed" and b["status"] == "completed"


async def _person(stack, nik: str) -> dict:
    return await stack.dukcapil("/v1/penduduk/detail", {"nik": nik})


async def test_baby_who_dies_before_completion(stack):
    HOSP = stack.hospital()
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    r = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/death", headers=HOSP,
                              json={"date_of_death": date.today().isoformat(), "place_of_death": "RSUD"})
    assert r.status_code == 202, r.text
    b = await stack.wait(bid, _done("death"))
    assert svc(b, "akta")["status"] == "completed"  # the akta kelahiran stands
    assert svc(b, "bpjs")["status"] == "not_applicable"
    assert b["kk"]["status"] == "completed"
    assert [f["kind"] for f in b["follow_ups"]] == ["death"]
    fu = _follow_up(b, "death")
    assert fu["documents"]["akta_kematian"].startswith("3673-KM-")
    assert fu["documents"]["bpjs_status"] == "NONAKTIF"
    nik = svc(b, "nik")["document_number"]
    kk = await stack.kk_detail(fam["no_kk"])
    assert nik not in {m["nik"] for m in kk["anggota"]}  # reissued, then updated
    assert kk["jumlah_terbit_ulang"] == 2


async def test_death_reported_after_the_bundle_completed(stack):
    HOSP = stack.hospital()
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    done = await stack.wait(bid)
    assert svc(done, "bpjs")["facts"]["status"] == "AKTIF"
    url = f"{stack.api_url}/v1/births/{bid}/children/1/death"
    r = await stack.http.post(url, headers=HOSP, json={"date_of_death": date.today().isoformat(),
                                                    "place_of_death": "Rumah"})
    assert r.status_code == 202 and r.json()["follow_up_id"].endswith("-kematian-1")
    again = await stack.http.post(url, headers=HOSP, json={"date_of_death": date.today().isoformat(),
                                                        "place_of_death": "Rumah"})
    assert again.status_code == 409 and "already reported" in again.json()["detail"]  # never a second
    b = await stack.wait(bid, _done("death"))
    assert _follow_up(b, "death")["documents"]["bpjs_status"] == "NONAKTIF"
    # The bundle's own BPJS step says the membership ended (its workflow had closed before the death).
    facts = svc(b, "bpjs")["facts"]
    assert facts["status"] == "NONAKTIF" and facts["berakhir"] == "MENINGGAL" and facts["segmen"] == "PBI"
    assert len(b["follow_up_status"]) == 1
    bad = await stack.http.post(url.replace("/1/", "/2/"), headers=HOSP,
                                json={"date_of_death": date.today().isoformat(), "place_of_death": "Rumah"})
    assert bad.status_code == 409


async def test_correction_after_issue_supersedes_the_akta(stack):
    HOSP = stack.hospital()
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=YESTERDAY, children=[payloads.child(name="Siti Aminh")])
    bid = await stack.accepted(body)
    b = await stack.wait(bid)
    old = svc(b, "akta")["document_number"]
    r = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/correction", headers=HOSP,
                              json={"child_name": "Siti Aminah", "reason": "salah ketik nama"})
    assert r.status_code == 202, r.text
    b = await stack.wait(bid, _done("correction"))
    docs = _follow_up(b, "correction")["documents"]
    assert docs["akta_lama"] == old and docs["akta"] != old and docs["akta"].startswith("3673-LU-")
    nik = svc(b, "nik")["document_number"]
    person = await _person(stack, nik)
    assert person["nama"] == "Siti Aminah" and person["no_akta"] == docs["akta"]
    kk = await stack.kk_detail(fam["no_kk"])
    row = next(m for m in kk["anggota"] if m["nik"] == nik)
    assert (row["nama"], row["no_akta"]) == ("Siti Aminah", docs["akta"])


async def test_correction_needs_a_completed_bundle(stack):
    HOSP = stack.hospital()
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    r = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/correction", headers=HOSP,
                              json={"child_name": "Nama Baru", "reason": "koreksi"})
    assert r.status_code == 409
    other = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/correction",
                                  headers=stack.hospital("RSUD-LAIN"),
                                  json={"child_name": "Nama Baru", "reason": "koreksi"})
    assert other.status_code == 404
