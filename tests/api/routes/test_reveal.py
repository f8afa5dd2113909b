"""The family as sent, per role: whole for the sending hospital, masked for staff, revealed one field at
a time with a reason (audited), never for admins. One API on its own database, Temporal unreachable:
what is read here is the intake's own write."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from sqlmodel import Session, select

from infra.settings import Settings
from store.auth_models import AuditEvent
from store.db import make_engine
from tests.support import creds, fhir_examples, payloads
from tests.support.lone_api import lone_api, route_to


@dataclass
class Api:
    url: str
    settings: Settings
    http: httpx.AsyncClient

    async def staff(self, role: str, office: str | None = None) -> dict[str, str]:
        return await creds.staff_headers(self.http, self.url, self.settings, role, office)


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    with lone_api(tmp_path_factory.mktemp("reveal")) as served:
        yield served


@pytest.fixture
async def api(api_app):
    base, settings = api_app
    async with httpx.AsyncClient(timeout=30) as http:
        yield Api(base, settings, http)


async def post(api: Api, body: dict, hospital: str = "RSUD-REVEAL", office: str | None = "3673") -> str:
    r = await api.http.post(f"{api.url}/v1/births", json=body, headers=creds.hospital_headers(
        api.settings, hospital))
    assert r.status_code == 202, r.text
    bundle_id = r.json()["bundle_id"]
    route_to(api.settings, bundle_id, office)
    return bundle_id


def events(api: Api, bundle_id: str, action: str) -> list[AuditEvent]:
    with Session(make_engine(api.settings.database_url)) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.bundle_id == bundle_id,
                                                    AuditEvent.action == action)))


async def test_the_sending_hospital_sees_its_submission_whole_and_no_other_hospital_sees_it(api):
    body = payloads.manual(children=[payloads.child(1, name="Siti Aminah"), payloads.child(2, name=None)])
    bid = await post(api, body)
    r = await api.http.get(f"{api.url}/v1/births/{bid}", headers=creds.hospital_headers(api.settings,
                                                                                        "RSUD-REVEAL"))
    assert r.status_code == 200
    assert r.json()["submitted"] == {
        "masked": False,
        "mother": {"name": "Rina Marlina", "nik": body["mother"]["nik"]},
        "father": {"name": "Agus Salim", "nik": body["father"]["nik"]},
        "kk_number": body["kk_number"],
        "children": [{"birth_order": 1, "name": "Siti Aminah"}, {"birth_order": 2, "name": None}],
        "reporter_phone": body["reporter_phone"]}
    other = await api.http.get(f"{api.url}/v1/births/{bid}", headers=creds.hospital_headers(
        api.settings, "RSUD-OTHER"))
    assert other.status_code == 404 and body["mother"]["nik"] not in other.text


async def test_staff_see_niks_and_kk_masked_and_admins_nothing(api):
    body = payloads.manual()
    bid = await post(api, body)
    nik, kk = body["mother"]["nik"], body["kk_number"]
    for role, office in (("operator", "3673"), ("supervisor", "3673"), ("auditor", None)):
        r = await api.http.get(f"{api.url}/v1/births/{bid}", headers=await api.staff(role, office))
        sub = r.json()["submitted"]
        assert sub["masked"] is True, role
        assert sub["mother"] == {"name": "Rina Marlina", "nik": f"{nik[:4]}{'•' * 8}{nik[-4:]}"}
        assert sub["kk_number"] == f"{kk[:4]}{'•' * 8}{kk[-4:]}"
        assert sub["reporter_phone"] == body["reporter_phone"]
        assert nik not in r.text and kk not in r.text and body["father"]["nik"] not in r.text
    elsewhere = await api.http.get(f"{api.url}/v1/births/{bid}", headers=await api.staff("operator", "3604"))
    assert elsewhere.status_code == 404
    admin = await api.staff("admin")
    assert (await api.http.get(f"{api.url}/v1/births/{bid}", headers=admin)).status_code == 403
    r = await api.http.post(f"{api.url}/v1/births/{bid}/submitted/reveal", headers=admin,
                            json={"field": "mother_nik", "reason": "ingin tahu"})
    assert r.status_code == 403 and nik not in r.text


async def test_a_reveal_shows_one_field_and_is_audited_with_its_reason(api):
    body = payloads.manual()
    bid = await post(api, body)
    op = await api.staff("operator", "3673")
    url = f"{api.url}/v1/births/{bid}/submitted/reveal"
    r = await api.http.post(url, headers=op, json={"field": "mother_nik",
                                                   "reason": "  Koreksi NIK ibu: menelepon keluarga "})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json() == {"bundle_id": bid, "field": "mother_nik", "value": body["mother"]["nik"]}
    assert body["kk_number"] not in r.text  # one field at a time
    r = await api.http.post(url, headers=await api.staff("auditor"),
                            json={"field": "kk_number", "reason": "pemeriksaan berkala"})
    assert r.json()["value"] == body["kk_number"]
    seen = events(api, bid, "submitted.reveal")
    assert [(e.actor_role, e.reason, json.loads(e.details_json)) for e in seen] == [
        ("operator", "Koreksi NIK ibu: menelepon keluarga", {"field": "mother_nik"}),
        ("auditor", "pemeriksaan berkala", {"field": "kk_number"})]
    assert all(body["mother"]["nik"] not in (e.details_json or "") for e in seen)


async def test_a_reveal_without_a_reason_is_refused_and_nothing_is_revealed(api):
    body = payloads.manual()
    bid = await post(api, body)
    op = await api.staff("operator", "3673")
    url = f"{api.url}/v1/births/{bid}/submitted/reveal"
    for sent in ({"field": "mother_nik"}, {"field": "mother_nik", "reason": "   "},
                 {"field": "mother_nik", "reason": "x" * 501}):
        r = await api.http.post(url, headers=op, json=sent)
        assert r.status_code == 422, sent
        assert [e["field"] for e in r.json()["errors"]] == ["body.reason"]
        assert body["mother"]["nik"] not in r.text
    r = await api.http.post(url, headers=op, json={"field": "witness_nik", "reason": "coba-coba"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["body.field"]
    assert events(api, bid, "submitted.reveal") == []


async def test_a_reveal_is_scoped_like_the_bundle_and_a_missing_father_is_a_404(api):
    body = payloads.manual(father=None, marriage_proof=None, sptjm_marriage=False)
    bid = await post(api, body)
    url = f"{api.url}/v1/births/{bid}/submitted/reveal"
    why = {"field": "mother_nik", "reason": "menelepon keluarga"}
    elsewhere = await api.staff("operator", "3604")
    assert (await api.http.post(url, headers=elsewhere, json=why)).status_code == 404
    hospital = creds.hospital_headers(api.settings, "RSUD-REVEAL")
    assert (await api.http.post(url, headers=hospital, json=why)).status_code == 403
    r = await api.http.post(url, headers=await api.staff("supervisor", "3673"),
                            json={"field": "father_nik", "reason": "menelepon keluarga"})
    assert r.status_code == 404 and "father_nik was not sent" in r.json()["detail"]
    got = await api.http.get(f"{api.url}/v1/births/{bid}", headers=await api.staff("supervisor", "3673"))
    assert got.json()["submitted"]["father"] is None


async def test_a_fhir_delivery_keeps_the_same_fields(api):
    fam = fhir_examples.made_up_family()
    born = date.today() - timedelta(days=1)
    bundle = fhir_examples.example("single_live_birth", fam, birth_date=born,
                                   record_id=f"RM-FHIR-{uuid.uuid4().hex[:8]}")
    hospital = creds.hospital_headers(api.settings, "RSUD-REVEAL")
    r = await api.http.post(f"{api.url}/v1/fhir", json=bundle,
                            headers={**hospital, "Content-Type": "application/fhir+json"})
    assert r.status_code == 202, r.text
    got = (await api.http.get(r.json()["status_url"], headers=hospital)).json()["submitted"]
    assert got["mother"] == {"name": fam["ibu"]["nama"], "nik": fam["ibu"]["nik"]}
    assert got["father"] == {"name": fam["ayah"]["nama"], "nik": fam["ayah"]["nik"]}
    assert got["kk_number"] == fam["no_kk"] and got["masked"] is False
