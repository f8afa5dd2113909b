"""POST /v1/fhir end to end: the same birth as FHIR or JSON is one bundle; twins and a stillbirth complete."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import httpx
import pytest

from api.app import create_app
from infra.settings import Settings
from store.migrate import upgrade_to_head
from tests.support import creds, payloads
from tests.support.fhir_examples import example
from tests.support.servers import serve_app
from tests.support.stack import svc

pytestmark = pytest.mark.integration
YESTERDAY = date.today() - timedelta(days=1)
FHIR = {"Content-Type": "application/fhir+json; fhirVersion=4.0"}


async def post_fhir(stack, bundle: dict | bytes, hospital: str, ctype: dict = FHIR) -> httpx.Response:
    content = bundle if isinstance(bundle, bytes) else json.dumps(bundle).encode()
    for _ in range(30):  # a well-behaved client waits out a 429
        r = await stack.http.post(f"{stack.api_url}/v1/fhir", content=content,
                                  headers={**stack.hospital(hospital), **ctype})
        if r.status_code != 429:
            break
        await asyncio.sleep(float(r.headers["retry-after"]))
    if r.status_code == 202:
        stack.owner[r.json()["bundle_id"]] = hospital
    return r


async def married_family(stack) -> dict:
    return await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")


def json_twin(fam: dict, record_id: str) -> dict:
    """The single_live_birth example as the JSON API takes it."""
    return payloads.from_family(fam, birth_date=YESTERDAY, proof="marriage", record_id=record_id,
                                children=[payloads.child(1, sex="female", name="Siti Aminah",
                                                         gestational_age_weeks=39)])


async def test_fhir_then_json_is_the_same_bundle(stack):
    hospital, rid = "RSUD-FHIR-A", f"RM-{uuid.uuid4().hex[:10]}"
    fam = await married_family(stack)
    first = await post_fhir(stack, example("single_live_birth", fam, birth_date=YESTERDAY, record_id=rid),
                            hospital)
    assert first.status_code == 202, first.text
    assert first.json()["duplicate"] is False
    assert first.headers["location"] == first.json()["status_url"]
    again = await stack.post(json_twin(fam, rid), hospital)
    assert again.status_code == 202, again.text
    assert (again.json()["bundle_id"], again.json()["duplicate"]) == (first.json()["bundle_id"], True)
    b = await stack.wait(first.json()["bundle_id"])
    assert b["status"] == "completed" and b["record_id"] == rid


async def test_json_then_fhir_is_the_same_bundle_and_different_content_is_409(stack):
    hospital, rid = "RSUD-FHIR-B", f"RM-{uuid.uuid4().hex[:10]}"
    fam = await married_family(stack)
    first = await stack.post(json_twin(fam, rid), hospital)
    assert first.status_code == 202, first.text
    bundle = example("single_live_birth", fam, birth_date=YESTERDAY, record_id=rid)
    again = await post_fhir(stack, bundle, hospital, {"Content-Type": "application/json"})
    assert again.status_code == 202, again.text
    assert (again.json()["bundle_id"], again.json()["duplicate"]) == (first.json()["bundle_id"], True)
    bundle["entry"][6]["resource"]["valueQuantity"]["value"] = 3150  # another weight, same record id
    conflict = await post_fhir(stack, bundle, hospital)
    assert conflict.status_code == 409
    assert conflict.json()["issue"][0]["code"] == "conflict"
    assert conflict.json()["issue"][0]["expression"] == ["Bundle.entry[5].resource.identifier[0].value"]


async def test_twins_bundle_completes_end_to_end(stack):
    fam = await married_family(stack)
    bundle = example("twins", fam, birth_date=YESTERDAY, record_id=f"RM-{uuid.uuid4().hex[:10]}")
    r = await post_fhir(stack, bundle, "RSUD-FHIR-C")
    assert r.status_code == 202, r.text
    b = await stack.wait(r.json()["bundle_id"])
    assert b["status"] == "completed"
    assert [c["birth_order"] for c in b["children"]] == [1, 2]
    n1, n2 = svc(b, "nik", 1)["document_number"], svc(b, "nik", 2)["document_number"]
    assert n1 != n2 and n1[:6] == n2[:6] == fam["domisili"]["kode_kecamatan"]
    assert svc(b, "akta", 1)["document_number"] != svc(b, "akta", 2)["document_number"]
    kk = await stack.kk_detail(fam["no_kk"])
    assert kk["jumlah_terbit_ulang"] == 1 and {n1, n2} <= {m["nik"] for m in kk["anggota"]}


async def test_stillbirth_bundle_is_recorded_as_such(stack):
    fam = await married_family(stack)
    bundle = example("stillbirth", fam, birth_date=YESTERDAY, record_id=f"RM-{uuid.uuid4().hex[:10]}")
    r = await post_fhir(stack, bundle, "RSUD-FHIR-D")
    assert r.status_code == 202, r.text
    b = await stack.wait(r.json()["bundle_id"])
    assert b["status"] == "stillbirth_recorded"
    assert b["children"][0]["outcome"] == "stillbirth"
    assert svc(b, "surat_lahir_mati")["document_number"]
    assert b["kk"]["status"] == "not_applicable"


async def test_errors_are_operation_outcomes(stack):
    hospital = "RSUD-FHIR-E"
    fam = await married_family(stack)
    bundle = example("single_live_birth", fam, birth_date=YESTERDAY, record_id="RM-FHIR-ERR")
    bundle["entry"][2]["resource"]["identifier"].pop(0)  # the newborn's nik-ibu
    r = await post_fhir(stack, bundle, hospital)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/fhir+json")
    assert r.json() == {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error", "code": "required", "expression": ["Bundle.entry[2].resource.identifier"],
        "details": {"coding": [{"system": "https://kelahiran.dev/problems", "code": "validation"}]},
        "diagnostics": "a newborn Patient carries the mother's NIK as an identifier with system "
                       "https://fhir.kemkes.go.id/id/nik-ibu"}]}
    r = await post_fhir(stack, b'{"resourceType": "Bundle",', hospital)
    assert r.status_code == 400 and r.json()["issue"][0]["severity"] == "fatal"
    r = await post_fhir(stack, b"{}", hospital, {"Content-Type": "application/fhir+json; fhirVersion=3.0"})
    assert r.status_code == 415 and r.json()["resourceType"] == "OperationOutcome"
    plain = await post_fhir(stack, b"{}", hospital, {"Content-Type": "text/plain"})
    assert plain.status_code == 415 and plain.headers["content-type"].startswith("application/fhir+json")
    assert plain.json()["issue"][0]["code"] == "not-supported"
    elsewhere = await stack.http.post(f"{stack.api_url}/v1/births", content=b"{}",
                                      headers={**stack.hospital(hospital), **FHIR})
    assert elsewhere.status_code == 415  # FHIR's media type is admitted on the FHIR intake only
    anonymous = await stack.http.post(f"{stack.api_url}/v1/fhir", content=b"{}", headers=FHIR)
    assert anonymous.status_code == 401 and anonymous.json()["issue"][0]["code"] == "login"


async def test_a_birth_date_in_the_future_names_the_birth_date(stack):
    fam = await married_family(stack)
    tomorrow = date.today() + timedelta(days=2)
    bundle = example("single_live_birth", fam, birth_date=tomorrow, record_id="RM-FHIR-FUTURE")
    r = await post_fhir(stack, bundle, "RSUD-FHIR-E")
    assert r.status_code == 422
    assert ["Bundle.entry[2].resource.birthDate"] in [i["expression"] for i in r.json()["issue"]]


async def test_fhir_intake_is_rate_limited_per_hospital(temporal_env, tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_ui_url=None,
                        intake_rate_per_second=0.2, intake_burst=1, task_queue="no-worker-here")
    headers = {**creds.hospital_headers(settings, "RS-BUSY"), **FHIR}
    with serve_app(create_app(settings, temporal_client=temporal_env.client)) as api:
        async with httpx.AsyncClient(base_url=api) as http:
            answers = [await http.post("/v1/fhir", content=b"{}", headers=headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [422, 429]
    assert answers[1].json()["issue"][0]["code"] == "throttled"
    assert 1 <= int(answers[1].headers["retry-after"]) <= 5
