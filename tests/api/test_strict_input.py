"""Issue 19, findings 2, 4 and 5: hostile JSON and forms are refused before any handler runs, with
field-level answers that never echo what was sent; numbers are not read from strings, dates only
from ISO 8601 text.

A real app (create_app) on a SQLite file, called in-process; no Temporal needed (nothing is started).
"""

from __future__ import annotations

import json

import httpx
import pytest
import pytest_asyncio

from api import strict_input
from tests.support import payloads
from tests.support.lone_api import lone_client

SECRET = "my secret passphrase 8814"


@pytest_asyncio.fixture(loop_scope="session")
async def api(tmp_path):
    async with lone_client(tmp_path, "RSUD-STRICT") as client:
        yield client


def _raw(client: httpx.AsyncClient, path: str, text: str | bytes, ctype: str = "application/json"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(path, content=content, headers={"Content-Type": ctype})


def _codes(r: httpx.Response) -> dict[str, str]:
    assert r.headers["content-type"] == "application/problem+json", r.text
    return {e["field"]: e["code"] for e in r.json()["errors"]}


async def test_nan_in_login_is_a_422_naming_the_field_not_a_500(api):
    r = await _raw(api, "/v1/auth/login", '{"username": NaN, "password": "' + SECRET + '"}')
    assert r.status_code == 422 and _codes(r) == {"body.username": "non_finite_number"}
    assert SECRET not in r.text


async def test_infinity_and_duplicate_keys_in_a_birth_are_refused(api):
    body = json.dumps(payloads.manual())
    r = await _raw(api, "/v1/births", body.replace('"weight_grams": 3100', '"weight_grams": Infinity'))
    assert r.status_code == 422 and _codes(r) == {"body.children.0.weight_grams": "non_finite_number"}
    twice = body.replace('"record_id": ', '"record_id": "RM-FIRST", "record_id": ', 1)
    r = await _raw(api, "/v1/births", twice)
    assert r.status_code == 422 and _codes(r) == {"body.record_id": "duplicate_key"}
    assert "RM-FIRST" not in r.text


@pytest.mark.parametrize("bad, code", [("\\u0000", "control_character"), ("\\u001b[31m", "control_character"),
                                       ("\\ud800", "lone_surrogate"), ("\\udfff", "lone_surrogate")])
async def test_control_characters_and_lone_surrogates_anywhere(api, bad, code):
    body = json.dumps(payloads.manual()).replace('"name": "', f'"name": "Siti{bad}', 1)  # the mother's
    r = await _raw(api, "/v1/births", body)
    assert r.status_code == 422 and _codes(r) == {"body.mother.name": code}
    assert "Siti" not in r.text
    key = json.dumps(payloads.manual())[:-1] + f', "x{bad}": 1}}'  # in a key: the key is not repeated
    r = await _raw(api, "/v1/births", key)
    assert r.status_code == 422 and _codes(r) == {"body.(invalid key)": code}


async def test_a_line_break_passes_the_body_check_but_not_a_one_line_field(api):
    body = payloads.manual()
    body["mother"]["name"] = "Siti\nAminah"
    r = await api.post("/v1/births", json=body)
    assert r.status_code == 422 and _codes(r) == {"body.mother.name": "string_pattern_mismatch"}
    assert "Aminah" not in r.text


@pytest.mark.parametrize("field, value", [("weight_grams", "3000"), ("length_cm", "49.5"),
                                          ("birth_order", "1"), ("gestational_age_weeks", True)])
async def test_numbers_are_not_read_from_strings(api, field, value):
    body = payloads.manual()
    body["children"][0][field] = value
    r = await api.post("/v1/births", json=body)
    assert r.status_code == 422 and f"body.children.0.{field}" in _codes(r)
    assert f'"{value}"' not in r.text


async def test_booleans_and_dates_are_not_guessed(api):
    body = payloads.manual(sptjm_marriage="false")
    r = await api.post("/v1/births", json=body)
    assert r.status_code == 422 and _codes(r)["body.sptjm_marriage"] == "bool_type"
    body = payloads.manual()
    body["birth_date"] = 1700000000  # a Unix timestamp is not a date here
    body["consent"]["given_at"] = "0.5"
    r = await api.post("/v1/births", json=body)
    assert r.status_code == 422 and set(_codes(r)) == {"body.birth_date", "body.consent.given_at"}


async def test_date_query_parameters_are_iso_8601_only(api):
    r = await api.get("/v1/births", params={"received_to": "0.5"})
    assert r.status_code == 422 and _codes(r) == {"query.received_to": "value_error"}
    r = await api.get("/v1/births", params={"born_from": "1700000000"})
    assert r.status_code == 422 and "query.born_from" in _codes(r)
    r = await api.get("/v1/births", params={"received_to": "2026-12-01T00:00:00+07:00",
                                            "born_from": "2026-11-01"})
    assert r.status_code == 200


async def test_not_utf8_is_a_documented_400(api):
    r = await _raw(api, "/v1/auth/login", b'{"username": "\xff\xfe", "password": "x"}')
    assert r.status_code == 400 and r.json()["detail"] == "the body is not valid UTF-8"
    spec = (await api.get("/openapi.json")).json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "400" in op["responses"], f"{method} {path}"


async def test_deep_nesting_is_a_400(api):
    r = await _raw(api, "/v1/births", "[" * 60_000 + "]" * 60_000)
    assert r.status_code == 400 and "nested" in r.json()["detail"]


async def test_forms_are_checked_too(api):
    ctype = "application/x-www-form-urlencoded"
    r = await _raw(api, "/console/login", "username=siti%00&password=x&csrf_token=t", ctype)
    assert r.status_code == 422 and _codes(r) == {"body.username": "control_character"}
    r = await _raw(api, "/console/login", "username=%ff", ctype)
    assert r.status_code == 400


async def test_a_wrong_login_body_never_echoes_the_password(api):
    r = await api.post("/v1/auth/login", json={"username": 5, "password": SECRET, "extra": SECRET})
    assert r.status_code == 422 and SECRET not in r.text
    assert set(_codes(r)) == {"body.username", "body.extra"}


def test_tab_and_line_breaks_are_free_text_but_other_controls_are_not():
    assert strict_input.json_errors(b'{"reason": "line one\\r\\nline two\\tend"}') == []
    bell = strict_input.json_errors(b'{"reason": "bell\\u0007"}')
    assert [e["code"] for e in bell] == ["control_character"]
    assert [e["code"] for e in strict_input.json_errors(b'{"r": "\\u0085"}')] == ["control_character"]
    assert strict_input.json_errors(b"not json at all") == []  # FastAPI's own 422 says so


async def test_the_fhir_intake_answers_operation_outcome(api):
    r = await _raw(api, "/v1/fhir", '{"resourceType": "Bundle", "entry": [{"resource": {"x": NaN}}]}',
                   "application/fhir+json")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/fhir+json")
    issue, = r.json()["issue"]
    assert issue["expression"] == ["Bundle.entry[0].resource.x"] and "NaN" in issue["diagnostics"]


@pytest.mark.parametrize(("model", "body", "field"), [
    ("api.routes.followups:DeathIn", {"date_of_death": 1767225600, "place_of_death": "RS"},
     "date_of_death"),
    ("api.routes.followups:DeathIn", {"date_of_death": "7/12/2026", "place_of_death": "RS"},
     "date_of_death"),
    ("api.routes.operations:RetryIn", {"service": "akta", "birth_order": "1", "reason": "cek ulang"},
     "birth_order"),
    ("api.routes.operations:SptjmIn", {"accept": "true", "reason": "KK sudah diperbarui"}, "accept"),
    ("api.routes.operations:DuplicateIn", {"duplicate": 1, "reason": "sama dengan yang lalu"}, "duplicate"),
])
def test_the_operators_action_bodies_are_strict_too(model, body, field):
    import importlib

    from pydantic import ValidationError

    module, name = model.split(":")
    with pytest.raises(ValidationError) as exc:
        getattr(importlib.import_module(module), name).model_validate(body)
    assert [e["loc"][0] for e in exc.value.errors()] == [field]
