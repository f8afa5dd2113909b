"""Bad input gets a clear 4xx and starts nothing; responses carry security headers."""

from __future__ import annotations

import pytest

from tests.support import payloads

pytestmark = pytest.mark.integration
HOSP = "RSUD-PROT"


async def _total(stack) -> int:
    r = await stack.http.get(f"{stack.api_url}/v1/births", headers=stack.hospital(HOSP))
    return r.json()["total"]


async def test_oversized_body_is_413(stack):
    body = payloads.manual()
    body["birth_place"]["facility_name"] = "x" * 300_000
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=body, headers=stack.hospital(HOSP))
    assert r.status_code == 413 and "larger than" in r.json()["detail"]


async def test_wrong_content_type_is_415(stack):
    r = await stack.http.post(f"{stack.api_url}/v1/births", content=b"record_id=1",
                              headers={**stack.hospital(HOSP),
                                       "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415


async def test_unknown_fields_are_422_with_their_path(stack):
    body = payloads.manual()
    body["children"][0]["eye_colour"] = "brown"
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=body, headers=stack.hospital(HOSP))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "children", 0, "eye_colour"]


@pytest.mark.parametrize("attack", ["' OR 1=1 --", "Robert'); DROP TABLE bundle;--", "<script>x</script>",
                                    "../../etc/passwd", "%00", "${jndi:ldap://x}"])
async def test_hostile_strings_in_every_text_field_are_refused_or_stored_inert(stack, attack):
    before = await _total(stack)
    body = payloads.manual()
    # Every free-text field a hospital sends (a child's name has its own rule, Permendagri 73/2022,
    # letters and spaces only, which refuses them all: tests/api/test_names_api.py).
    for target in (body["mother"], body["father"], *body["witnesses"]):
        target["name"] = attack
    body["birth_place"]["facility_name"] = attack
    body["marriage_proof"]["number"] = attack
    body["consent"]["form_reference"] = attack
    body["record_id"] = attack
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=body, headers=stack.hospital(HOSP))
    assert r.status_code == 422  # the record id pattern refuses every one of them
    body["record_id"] = payloads.record_id()
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=body, headers=stack.hospital(HOSP))
    assert r.status_code == 202
    got = (await stack.http.get(r.json()["status_url"], headers=stack.hospital(HOSP))).json()
    assert got["record_id"] == body["record_id"]
    assert got["consent"]["form_reference"] == attack  # stored and returned as plain data
    assert await _total(stack) == before + 1  # the table is still there and counts


@pytest.mark.parametrize("path", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "1 OR 1=1"])
async def test_path_traversal_in_ids_is_refused(stack, path):
    r = await stack.http.get(f"{stack.api_url}/v1/births/{path}", headers=stack.hospital(HOSP))
    assert r.status_code in (404, 422)


async def test_security_headers(stack):
    r = await stack.http.get(f"{stack.api_url}/v1/births", headers=stack.hospital(HOSP))
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in r.headers["content-security-policy"]
