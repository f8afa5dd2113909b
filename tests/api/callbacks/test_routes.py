"""/v1/hospital/webhook and /v1/hospital/events over real HTTP (no Temporal needed)."""

from __future__ import annotations

import contextlib
import uuid

import httpx
import pytest
from sqlmodel import Session, select

from api.app import create_app
from store.auth_models import AuditEvent
from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.api.callbacks.conftest import settings_for
from tests.support import creds
from tools.embedded import serve_app


@contextlib.contextmanager
def _client(url: str, **over):
    upgrade_to_head(url)
    settings = settings_for(url)
    if over:  # e.g. production's URL rules, without every other production secret
        settings = settings.model_copy(update=over)
    with serve_app(create_app(settings)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client, settings


@pytest.fixture
def api(sqlite_url):
    with _client(sqlite_url) as (client, settings):
        yield client, creds.hospital_headers(settings, "RSUD-WEB")


def test_register_change_rotate_and_remove(api, sqlite_url):
    client, key = api
    assert client.get("/v1/hospital/webhook", headers=key).status_code == 404
    r = client.put("/v1/hospital/webhook", json={"url": "http://127.0.0.1:9/hook"}, headers=key)
    assert r.status_code == 201, r.text
    first = r.json()["secret"]
    assert first.startswith("whsec_")  # the Standard Webhooks format
    got = client.get("/v1/hospital/webhook", headers=key).json()
    assert got["secret"] is None and got["url"] == "http://127.0.0.1:9/hook"
    assert (got["pending"], got["dead"], got["last_error"]) == (0, 0, None)
    r = client.put("/v1/hospital/webhook", json={"url": "http://127.0.0.1:10/hook"}, headers=key)
    assert r.status_code == 200 and r.json()["secret"] is None  # the secret stays
    r = client.post("/v1/hospital/webhook/rotate-secret", json={"grace_hours": 1}, headers=key)
    assert r.status_code == 200 and r.json()["secret"] not in (None, first)
    assert r.json()["previous_secret_expires_at"] is not None
    assert client.delete("/v1/hospital/webhook", headers=key).status_code == 204
    assert client.delete("/v1/hospital/webhook", headers=key).status_code == 404
    with Session(make_engine(sqlite_url)) as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.actor == "RSUD-WEB")).all()
    assert [a.action for a in audit] == ["hospital.webhook.set", "hospital.webhook.set",
                                         "hospital.webhook.rotate", "hospital.webhook.delete"]
    assert all("whsec_" not in (a.details_json or "") for a in audit)


def test_polling_an_empty_history_and_an_unknown_cursor(api):
    client, key = api
    r = client.get("/v1/hospital/events", headers=key)
    assert r.json() == {"items": [], "next_after": None, "has_more": False}
    r = client.get("/v1/hospital/events", params={"after": str(uuid.uuid4())}, headers=key)
    assert r.status_code == 404


REFUSED = [
    "http://hospital.example/hook",  # not https
    "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook",
    "https://127.0.0.1/hook", "https://localhost/hook", "https://[fe80::1]/hook", "https://172.16.0.1/hook",
    "https://user:secret@hospital.example/hook", "ftp://127.0.0.1/x",
]


@pytest.mark.parametrize("environment", ["production", "development"])
@pytest.mark.parametrize("url", REFUSED)
def test_urls_that_are_not_public_https_are_refused_in_every_environment(sqlite_url, url, environment):
    with _client(sqlite_url, environment=environment, callback_allow_loopback=False) as (client, settings):
        r = client.put("/v1/hospital/webhook", json={"url": url},
                       headers=creds.hospital_headers(settings, "RSUD-PROD"))
    assert r.status_code == 422, r.text
    [problem] = r.json()["errors"]
    assert problem["loc"] == ["body", "url"] and "refused" in problem["message"]
    assert "secret" not in r.text  # never the URL's credentials back


def test_the_allowed_networks_admit_a_hospital_on_a_provincial_network(sqlite_url):
    with _client(sqlite_url, callback_allow_loopback=False,
                 callback_allowed_networks="10.20.0.0/16") as (client, settings):
        key = creds.hospital_headers(settings, "RSUD-PROV")
        assert client.put("/v1/hospital/webhook", json={"url": "https://10.20.5.6/kelahiran"},
                          headers=key).status_code == 201
        for url in ("https://10.21.0.1/hook", "http://10.20.5.6/hook", "http://127.0.0.1:9/hook"):
            r = client.put("/v1/hospital/webhook", json={"url": url}, headers=key)
            assert r.status_code == 422, url


def test_the_development_allowance_accepts_a_local_receiver_but_no_other_scheme(api):
    client, key = api  # settings_for: callback_allow_loopback=True
    r = client.put("/v1/hospital/webhook", json={"url": "ftp://127.0.0.1/x"}, headers=key)
    assert r.status_code == 422
    assert client.put("/v1/hospital/webhook", json={"url": "http://localhost:8080/x"},
                      headers=key).status_code == 201
    r = client.put("/v1/hospital/webhook", json={"url": "http://93.184.216.34/x"}, headers=key)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "webhook_url_refused"
