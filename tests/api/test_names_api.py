"""Names by Permendagri 73/2022 and the birth time, as a hospital meets them over HTTP: 422s naming the
rule at both intakes, /name and corrections; the one-word warning; the "Bayi Ny." placeholder.

The intakes run with Temporal unreachable: all of this is decided before a workflow exists.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from infra.settings import Settings
from store.migrate import upgrade_to_head
from tests.support import creds, payloads
from tests.support.fhir_examples import example, made_up_family
from tests.support.servers import serve_app

HOSPITAL = "RSUD-NAMES-TEST"
BAD = ["Nur'aini", "Nur'aini Ṣāliḥah 🌸", "Budi 2", "Haji Ahmad", "Ahmad Prof", "A" * 61, "Siti  Aminah",
       "Dr. Siti"]
FHIR = {"Content-Type": "application/fhir+json; fhirVersion=4.0"}
BABY = 2  # the newborn Patient's entry in the example bundle


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('names-api')}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_address="127.0.0.1:9",
                        temporal_ui_url=None)
    with serve_app(create_app(settings)) as base:
        yield base, creds.hospital_headers(settings, HOSPITAL)


@pytest.fixture
def api_with_temporal(temporal_env, tmp_path):
    """Updates need a Temporal client before their body is looked at."""
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_ui_url=None,
                        task_queue=f"names-{uuid.uuid4().hex[:8]}")
    with serve_app(create_app(settings, temporal_client=temporal_env.client)) as base:
        yield base, creds.hospital_headers(settings, HOSPITAL)


async def _post(api, body: dict) -> httpx.Response:
    base, headers = api
    async with httpx.AsyncClient() as http:
        return await http.post(f"{base}/v1/births", json=body, headers=headers)


def _child_name_errors(r: httpx.Response) -> list[str]:
    assert r.status_code == 422, r.text
    return [e["message"] for e in r.json()["errors"] if e["loc"] == ["body", "children", 0, "name"]]


async def test_a_bad_child_name_is_refused_at_the_json_intake_naming_the_rule(api):
    for bad in BAD:
        r = await _post(api, payloads.manual(children=[payloads.child(name=bad)]))
        msgs = _child_name_errors(r)
        assert msgs and "Permendagri 73/2022" in msgs[0], (bad, r.json())


async def test_sixty_letters_pass_and_parents_names_are_not_checked(api):
    body = payloads.manual(children=[payloads.child(name="  " + "Aisyah Putri " * 4 + "Ramadhani Zahra   ")])
    body["mother"]["name"] = "Siti Ma'rufah"  # recorded before 2022: not the child's rule
    body["father"]["name"] = "Ma'ruf Amin"
    assert len(body["children"][0]["name"].strip()) == 67
    assert _child_name_errors(await _post(api, body))  # over 60 once trimmed
    body["children"][0]["name"] = " " + "Aisyah Putri " * 3 + "Ramadhani Zahra Nur "
    assert len(body["children"][0]["name"].strip()) == 58
    r = await _post(api, body)
    assert r.status_code == 202, r.text
    assert r.json()["warnings"] == []


async def test_a_one_word_name_is_accepted_with_a_warning(api):
    r = await _post(api, payloads.manual(children=[payloads.child(1, name="Aisyah"),
                                                   payloads.child(2, name="Aisyah Putri")]))
    assert r.status_code == 202, r.text
    warnings = r.json()["warnings"]
    assert [w["loc"] for w in warnings] == [["body", "children", 0, "name"]]
    assert "one-word" in warnings[0]["msg"] and "Permendagri 73/2022" in warnings[0]["msg"]


async def test_the_placeholder_means_not_named_yet_at_the_json_intake(api):
    base, headers = api
    for placeholder in ("Bayi Ny. Ayu Maulana", "By. Ny. Ayu", "bayi nyonya Ayu"):
        r = await _post(api, payloads.manual(children=[payloads.child(name=placeholder)]))
        assert r.status_code == 202, r.text
        assert r.json()["warnings"] == []
        async with httpx.AsyncClient() as http:
            state = (await http.get(r.json()["status_url"], headers=headers)).json()
        assert state["children"][0]["name_provided"] is False  # waits for the name, as with none


@pytest.mark.integration
async def test_name_and_correction_refuse_a_bad_name_field_by_field(api_with_temporal):
    base, headers = api_with_temporal
    bundle = uuid.uuid4()
    async with httpx.AsyncClient() as http:
        for bad in BAD:
            named = await http.post(f"{base}/v1/births/{bundle}/children/1/name", json={"name": bad},
                                    headers=headers)
            assert named.status_code == 422, bad
            assert [e["loc"] for e in named.json()["errors"]] == [["body", "name"]]
            assert "Permendagri 73/2022" in named.json()["errors"][0]["message"]
            fixed = await http.post(f"{base}/v1/births/{bundle}/children/1/correction",
                                    json={"child_name": bad, "reason": "salah tulis"}, headers=headers)
            assert fixed.status_code == 422, bad
            assert [e["loc"] for e in fixed.json()["errors"]] == [["body", "child_name"]]
        # A valid name passes validation and reaches the bundle lookup (which does not exist).
        ok = await http.post(f"{base}/v1/births/{bundle}/children/1/name", json={"name": "Siti Aminah"},
                             headers=headers)
    assert ok.status_code == 404


async def test_a_birth_time_later_today_is_refused(api):
    now = datetime.now(UTC) + timedelta(hours=7)  # WIB wall clock
    today = now.date()
    body = payloads.manual(birth_date=today, birth_time="23:59:59")
    body["consent"]["given_at"] = f"{today.isoformat()}T00:00:00+07:00"
    r = await _post(api, body)
    if now.time().isoformat() < "23:54:59":  # more than the 5 minutes' tolerance ahead
        assert r.status_code == 422, r.text
        assert [e["loc"] for e in r.json()["errors"]] == [["body", "birth_time"]]
        assert "WIB" in r.json()["errors"][0]["message"]
    else:
        assert r.status_code == 202, r.text
    earlier = payloads.manual(birth_date=today, birth_time="00:00:00")
    earlier["consent"]["given_at"] = f"{today.isoformat()}T00:00:00+07:00"
    assert (await _post(api, earlier)).status_code == 202


async def _post_fhir(api, bundle: dict) -> httpx.Response:
    base, headers = api
    async with httpx.AsyncClient() as http:
        return await http.post(f"{base}/v1/fhir", content=json.dumps(bundle).encode(),
                               headers={**headers, **FHIR})


def _fhir(name: str | None, record: str) -> dict:
    b = example("single_live_birth", made_up_family(), birth_date=date.today() - timedelta(days=1),
                record_id=record)
    b["entry"][BABY]["resource"]["name"][0]["text"] = name
    return b


async def test_the_fhir_intake_applies_the_same_rule_warning_and_placeholder(api):
    bad = await _post_fhir(api, _fhir("Nur'aini Ṣāliḥah", f"RM-N-{uuid.uuid4().hex[:8]}"))
    assert bad.status_code == 422, bad.text
    issues = bad.json()["issue"]
    assert [i["expression"] for i in issues] == [[f"Bundle.entry[{BABY}].resource.name[0]"]]
    assert "Permendagri 73/2022" in issues[0]["diagnostics"]
    one = await _post_fhir(api, _fhir("Aisyah", f"RM-N-{uuid.uuid4().hex[:8]}"))
    assert one.status_code == 202, one.text
    assert [w["loc"] for w in one.json()["warnings"]] == [[f"Bundle.entry[{BABY}].resource.name[0]"]]
    unnamed = await _post_fhir(api, _fhir("Bayi Ny. Rina Marlina", f"RM-N-{uuid.uuid4().hex[:8]}"))
    assert unnamed.status_code == 202 and unnamed.json()["warnings"] == []
