"""Every error of the FHIR intake is an OperationOutcome (application/fhir+json), whoever answers it: the
body checks before any handler (400, 413, 415, 422), the auth dependency (401, 403), the intake's rate
limit (429). Each issue codes the error as the JSON API does, and none echoes what was sent.

A real app (create_app) on a SQLite file, called in-process; no Temporal needed (nothing is started).
"""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio

from tests.support.creds import PASSWORD
from tests.support.lone_api import lone_client

FHIR = {"Content-Type": "application/fhir+json; fhirVersion=4.0"}
SECRET = "3673015505900001"  # NIK-shaped: must never come back in an error


@pytest_asyncio.fixture(loop_scope="session")
async def api(tmp_path):
    async with lone_client(tmp_path, "RSUD-OO", operator="op-oo", intake_rate_per_second=0.01,
                           intake_burst=2) as client:
        yield client


def outcome(r: httpx.Response, status: int, kind: str, issue_type: str) -> list[dict]:
    """The answer is an OperationOutcome with this status, each issue coded like the problem+json one."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].split(";")[0] == "application/fhir+json", r.text
    body = r.json()
    assert body["resourceType"] == "OperationOutcome" and set(body) == {"resourceType", "issue"}
    assert body["issue"], body
    for issue in body["issue"]:
        assert issue["severity"] in ("fatal", "error") and isinstance(issue["diagnostics"], str)
        assert issue["diagnostics"]
        assert issue["details"]["coding"][0] == {"system": "https://kelahiran.dev/problems", "code": kind}
    assert issue_type in [i["code"] for i in body["issue"]], body
    assert SECRET not in r.text and "problem" not in r.headers["content-type"]
    return body["issue"]


async def test_a_body_that_is_not_utf8_is_a_400_outcome(api):
    raw = b'{"resourceType": "Bundle", "id": "\xff' + SECRET.encode() + b'"}'
    r = await api.post("/v1/fhir", content=raw, headers=FHIR)
    [issue] = outcome(r, 400, "bad-request", "structure")
    assert "UTF-8" in issue["diagnostics"]


@pytest.mark.parametrize(("raw", "rule"), [
    ('{"resourceType": "Bundle", "id": "x", "id": "' + SECRET + '"}', "duplicate_key"),
    ('{"resourceType": "Bundle", "entry": [{"resource": {"x": NaN}}], "id": "' + SECRET + '"}',
     "non_finite_number"),
    ('{"resourceType": "Bundle", "entry": [{"resource": {"id": "' + SECRET + '\\u0007"}}]}',
     "control_character"),
])
async def test_strict_input_refusals_are_outcomes_with_the_json_apis_rule(api, raw, rule):
    r = await api.post("/v1/fhir", content=raw.encode(), headers=FHIR)
    [issue] = outcome(r, 422, "validation", "value")
    assert issue["expression"][0].startswith("Bundle")
    assert {"system": "https://kelahiran.dev/problems/validation", "code": rule} in issue["details"]["coding"]


async def test_no_or_an_unknown_key_is_a_401_outcome(api):
    for headers in ({"X-API-Key": ""}, {"X-API-Key": "khk_" + SECRET}):
        r = await api.post("/v1/fhir", content=b"{}", headers={**FHIR, **headers})
        [issue] = outcome(r, 401, "unauthorized", "login")
        assert "expression" not in issue and "API key" in issue["diagnostics"]
        assert r.headers["www-authenticate"].startswith("Bearer")


async def test_an_operator_session_is_a_403_outcome(api):
    login = await api.post("/v1/auth/login", json={"username": "op-oo", "password": PASSWORD},
                           headers={"X-API-Key": ""})
    assert login.status_code == 200, login.text
    r = await api.post("/v1/fhir", content=b"{}",
                       headers={**FHIR, "X-API-Key": "", "Authorization": f"Bearer {login.json()['token']}"})
    outcome(r, 403, "forbidden", "forbidden")


async def test_a_body_over_the_limit_is_a_413_outcome(api):
    big = b'{"resourceType": "Bundle", "id": "' + SECRET.encode() * 20_000 + b'"}'
    outcome(await api.post("/v1/fhir", content=big, headers=FHIR), 413, "too-large", "too-long")

    async def chunks():  # no Content-Length: the middleware counts what arrives
        yield big

    outcome(await api.post("/v1/fhir", content=chunks(), headers=FHIR), 413, "too-large", "too-long")


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "application/fhir+json; fhirVersion=3.0"])
async def test_another_media_type_is_a_415_outcome(api, ctype):
    raw = b'{"id": "' + SECRET.encode() + b'"}'
    r = await api.post("/v1/fhir", content=raw, headers={"Content-Type": ctype})
    [issue] = outcome(r, 415, "unsupported-media-type", "not-supported")
    assert "fhir" in issue["diagnostics"].lower() or "4.0" in issue["diagnostics"]


async def test_a_path_parameter_a_route_and_an_unknown_path_answer_outcomes_too(api):
    [issue] = outcome(await api.get("/v1/fhir/StructureDefinition/Not_An_Id"), 422, "validation", "value")
    assert issue["diagnostics"].startswith("path.definition_id: ")
    outcome(await api.get("/v1/fhir/StructureDefinition/no-such-extension"), 404, "not-found", "not-found")
    outcome(await api.get("/v1/fhir/Patient/" + SECRET), 404, "not-found", "not-found")
    outcome(await api.delete("/v1/fhir"), 405, "method-not-allowed", "not-supported")


async def test_the_json_api_still_answers_problems(api):
    r = await api.post("/v1/births", content=b"x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "https://kelahiran.dev/problems/unsupported-media-type"


async def test_a_bundle_that_breaks_the_rules_is_a_422_outcome_then_the_rate_limit_a_429(api):
    invalid = await api.post("/v1/fhir", content=b'{"resourceType": "Patient"}', headers=FHIR)
    issues = outcome(invalid, 422, "validation", "not-supported")  # a Patient, not a transaction
    assert all(i["expression"] for i in issues)
    answers = [await api.post("/v1/fhir", content=b"{}", headers=FHIR) for _ in range(2)]
    [issue] = outcome(answers[-1], 429, "throttled", "throttled")
    assert int(answers[-1].headers["retry-after"]) >= 1 and "retry" in issue["diagnostics"]
