"""Institutional access to the Dukcapil simulator: client credentials for a token, bearer on /v1."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from tests.simulators._dukcapil import CLIENT, Sim, fetch_token, new_key, served

GRANT = {"grant_type": "client_credentials"}
BUSINESS = [("GET", "/v1/kantor"), ("POST", "/v1/keluarga/cari"), ("POST", "/v1/kk/detail"),
            ("POST", "/v1/penduduk/detail"), ("GET", "/v1/statistik"),
            ("POST", "/v1/kantor/3673/kelahiran"), ("POST", "/v1/kantor/3673/akta-kelahiran"),
            ("POST", "/v1/kantor/3673/kk/terbit-ulang"), ("POST", "/v1/kantor/3673/akta-kematian")]


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Iterator[Sim]:
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-oauth"), families=40) as s:
        yield s


def anonymous(sim: Sim) -> httpx.Client:
    return httpx.Client(base_url=sim.base, timeout=10)


def test_good_credentials_get_a_bearer_token(sim: Sim):
    with anonymous(sim) as http:
        r = http.post("/oauth/token", data=GRANT, auth=CLIENT)
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["token_type"] == "Bearer" and got["expires_in"] == 3600 and len(got["access_token"]) >= 32
        assert r.headers["Cache-Control"] == "no-store"
        offices = http.get("/v1/kantor", headers={"Authorization": f"Bearer {got['access_token']}"})
        assert offices.status_code == 200 and offices.json()
        # client_secret_post (RFC 6749 §2.3.1) works too, and every token is a new one.
        posted = http.post("/oauth/token", data={**GRANT, "client_id": CLIENT[0], "client_secret": CLIENT[1]})
        assert posted.status_code == 200 and posted.json()["access_token"] != got["access_token"]


@pytest.mark.parametrize("credentials", [(CLIENT[0], "wrong-secret"), ("stranger", CLIENT[1]),
                                         (CLIENT[0], "")])
def test_wrong_client_credentials_are_invalid_client(sim: Sim, credentials: tuple[str, str]):
    with anonymous(sim) as http:
        r = http.post("/oauth/token", data=GRANT, auth=credentials)
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"
        assert r.headers["WWW-Authenticate"].startswith("Basic ")
        assert not credentials[1] or credentials[1] not in r.text  # never echoed
        by_form = http.post("/oauth/token", data={**GRANT, "client_id": credentials[0],
                                                  "client_secret": credentials[1]})
        assert by_form.status_code == 401 and by_form.json()["error"] == "invalid_client"


def test_malformed_token_requests(sim: Sim):
    basic = "Basic " + base64.b64encode(f"{CLIENT[0]}:{CLIENT[1]}".encode()).decode()
    with anonymous(sim) as http:
        def ask(**kw) -> tuple[int, str]:
            r = http.post("/oauth/token", **kw)
            return r.status_code, r.json()["error"]

        assert ask(data={}, auth=CLIENT) == (400, "invalid_request")
        assert ask(data={"grant_type": "password"}, auth=CLIENT) == (400, "unsupported_grant_type")
        assert ask(json=GRANT, auth=CLIENT) == (400, "invalid_request")  # must be form-encoded
        assert ask(data={**GRANT, "client_secret": CLIENT[1]}, headers={"Authorization": basic}) == (
            400, "invalid_request")  # two authentication methods at once
        assert ask(data=GRANT, headers={"Authorization": "Basic not-base64!"}) == (401, "invalid_client")
        assert ask(content=b"grant_type=client_credentials&grant_type=client_credentials", auth=CLIENT,
                   headers={"Content-Type": "application/x-www-form-urlencoded"}) == (400, "invalid_request")


@pytest.mark.parametrize(("method", "path"), BUSINESS)
def test_business_endpoints_need_a_token(sim: Sim, method: str, path: str):
    with anonymous(sim) as http:
        r = http.request(method, path, json={}, headers={"Idempotency-Key": new_key()})
        assert r.status_code == 401
        # RFC 6750 §3.1: no error code when the request carried no token at all.
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="dukcapil"'
        assert r.json()["kode"] == "TOKEN_DIPERLUKAN"
        for wrong in ("Bearer not-a-token", f"Basic {base64.b64encode(b'kelahiran:x').decode()}"):
            r = http.request(method, path, json={}, headers={"Authorization": wrong})
            assert r.status_code == 401, wrong
        r = http.request(method, path, json={}, headers={"Authorization": "Bearer not-a-token"})
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_a_refused_call_uses_up_no_fault(sim: Sim):
    fam = sim.sample(kab_kota="3673")
    sim.admin("POST", "/admin/faults", json={"endpoint": "lookup", "status_code": 503, "remaining": 1})
    with anonymous(sim) as http:
        assert http.post("/v1/keluarga/cari", json={"no_kk": fam["no_kk"]}).status_code == 401
    assert sim.http.post("/v1/keluarga/cari", json={"no_kk": fam["no_kk"]}).status_code == 503
    assert sim.http.post("/v1/keluarga/cari", json={"no_kk": fam["no_kk"]}).status_code == 200


def test_tester_endpoints_stay_open_and_admin_keeps_its_own_token(sim: Sim):
    with anonymous(sim) as http:
        assert http.get("/health").status_code == 200
        assert http.get("/ready").status_code == 200
        assert http.get("/v1/sampel/keluarga", params={"limit": 1}).status_code == 200
        # A bearer token is no admin token.
        assert http.get("/admin/faults", headers=sim.bearer).status_code == 401


def test_tokens_follow_the_real_clock_not_the_simulated_one(sim: Sim):
    token = {"Authorization": f"Bearer {fetch_token(sim.base)}"}
    sim.set_today(date(2031, 1, 1))  # years ahead: legal clocks move, token lifetimes do not
    try:
        assert sim.http.get("/v1/kantor", headers=token).status_code == 200
    finally:
        sim.admin("PUT", "/admin/clock", json={"offset_seconds": 0})


def test_an_expired_token_is_refused(tmp_path):
    with served("sqlite", tmp_path, families=20, token_ttl_seconds=1) as short:
        token = {"Authorization": f"Bearer {fetch_token(short.base)}"}
        with anonymous(short) as http:
            assert http.get("/v1/kantor", headers=token).status_code == 200
            time.sleep(1.2)
            r = http.get("/v1/kantor", headers=token)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == (
            'Bearer realm="dukcapil", error="invalid_token", error_description="The access token expired"')
        assert r.json()["kode"] == "TOKEN_TIDAK_SAH"


def test_openapi_documents_the_client_credentials_flow(sim: Sim):
    spec = sim.http.get("/openapi.json").json()
    [scheme] = spec["components"]["securitySchemes"].values()
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/token"
    assert spec["paths"]["/v1/kantor"]["get"]["security"]
    assert "401" in spec["paths"]["/v1/kantor/{kode}/kelahiran"]["post"]["responses"]
    assert "security" not in spec["paths"]["/v1/sampel/keluarga"]["get"]
    token = spec["paths"]["/oauth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
