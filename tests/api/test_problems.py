"""Every JSON error is application/problem+json (RFC 9457): one shape, fields named, values never echoed."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.fhir.outcome import FHIR_JSON
from api.problems import PROBLEM_JSON
from infra.settings import Settings
from tests.support import payloads

pytestmark = pytest.mark.integration
HOSP = "RSUD-PROBLEM"


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body = r.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


async def test_a_422_names_each_field_and_rule_and_never_echoes_the_value(stack):
    body = payloads.manual()
    secret_nik = "3673019999999999"
    body["mother"]["nik"], body["children"][0]["weight_grams"] = secret_nik + "0", -5
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=body, headers=stack.hospital(HOSP))
    problem = _problem(r, 422)
    fields = {e["field"]: e for e in problem["errors"]}
    assert {"body.mother.nik", "body.children.0.weight_grams"} <= set(fields)
    assert all(e["code"] and e["message"] and e["loc"] for e in problem["errors"])
    assert secret_nik not in r.text and "input" not in r.text


async def test_a_login_with_a_password_in_a_bad_body_never_echoes_it(stack):
    r = await stack.http.post(f"{stack.api_url}/v1/auth/login",
                              json={"username": ["not", "a", "string"], "password": "hunter2-secret"})
    problem = _problem(r, 422)
    assert "hunter2-secret" not in r.text and problem["errors"][0]["field"] == "body.username"


@pytest.mark.parametrize("raw", [b'{"username": NaN, "password": "x"}',
                                 b'{"username": "a", "password": Infinity}',
                                 b'{"username": "\\ud800", "password": "x"}',
                                 b'{"username": "a", "password": '])
async def test_hostile_json_is_a_4xx_problem_not_a_500(stack, raw):
    r = await stack.http.post(f"{stack.api_url}/v1/auth/login", content=raw,
                              headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)


async def test_the_middleware_refusals_and_unknown_paths_are_problems_too(stack):
    body = payloads.manual()
    body["birth_place"]["facility_name"] = "x" * 300_000
    big = await stack.http.post(f"{stack.api_url}/v1/births", json=body, headers=stack.hospital(HOSP))
    assert "larger than" in _problem(big, 413)["detail"]
    form = await stack.http.post(f"{stack.api_url}/v1/births", content=b"record_id=1",
                                 headers={**stack.hospital(HOSP),
                                          "Content-Type": "application/x-www-form-urlencoded"})
    assert "application/json" in _problem(form, 415)["detail"]
    _problem(await stack.http.get(f"{stack.api_url}/v1/no-such-thing"), 404)
    _problem(await stack.http.get(f"{stack.api_url}/v1/births"), 401)


ERRORS = ("400", "401", "403", "404", "409", "413", "415", "422", "429")


def test_the_openapi_declares_every_error_of_every_operation_with_its_schema():
    """Every operation: each of the nine errors declared, with a body schema (OperationOutcome on FHIR's)."""
    spec = create_app(Settings(environment="test")).openapi()
    operations = [(f"{method.upper()} {path}", path, op) for path, ops in spec["paths"].items()
                  for method, op in ops.items()]
    assert len(operations) >= 43  # the walk found the whole API, FHIR included
    missing = []
    for name, path, op in operations:
        fhir = path == "/v1/fhir" or path.startswith("/v1/fhir/")
        media, schema = (FHIR_JSON, "OperationOutcome") if fhir else (PROBLEM_JSON, "Problem")
        for status in ERRORS:
            declared = op["responses"].get(status)
            if declared is None:
                missing.append(f"{name} {status}: not declared")
            elif set(declared.get("content", {})) != {media}:
                missing.append(f"{name} {status}: content {sorted(declared.get('content', {}))}, not {media}")
            elif declared["content"][media].get("schema", {}).get("$ref") != f"#/components/schemas/{schema}":
                missing.append(f"{name} {status}: no {schema} schema")
    assert missing == []
    assert {"Problem", "OperationOutcome"} <= set(spec["components"]["schemas"])
    assert "HTTPValidationError" not in spec["components"]["schemas"]
