"""The access log (route templates, request ids, no tokens) and where the API's /metrics is served."""

from __future__ import annotations

import json
import secrets
import socket

import httpx
import pytest

from api.app import create_app
from api.observability import route_template
from cli import serve
from infra.logging_setup import configure_logging
from infra.settings import Settings
from store.migrate import upgrade_to_head


class _Connected:
    """Stands in for a connected Temporal client: these requests never reach Temporal."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def settings(tmp_path) -> Settings:
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    return Settings(database_url=url, environment="test")


async def _serve(app, *requests):
    """Run the app's lifespan and send the requests in-process; returns the responses."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            return [await client.request(method, path, headers=headers) for method, path, headers in requests]


def _access_lines(stderr: str) -> list[dict]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "kelahiran.access"]


async def test_the_family_token_is_never_in_the_log_and_each_request_has_an_id(settings, capsys):
    configure_logging("INFO", json=True)  # the processes' own JSON pipeline, onto captured stderr
    token = secrets.token_urlsafe(24)
    app = create_app(settings, temporal_client=_Connected())
    link, docs, unknown = await _serve(
        app,
        ("GET", f"/unduh/{token}?pin=123456", {"X-Request-ID": "proxy-req-0001"}),
        ("GET", f"/unduh/{token}/dokumen", {"X-Request-ID": "bad id\nwith newline"}),
        ("GET", f"/tidak-ada/{token}", {}),
    )
    err = capsys.readouterr().err
    assert token not in err and "123456" not in err
    first, second, third = _access_lines(err)
    # The proxy's id is kept and returned; one that could forge a log line is replaced.
    assert link.headers["X-Request-ID"] == first["request_id"] == "proxy-req-0001"
    assert docs.headers["X-Request-ID"] == second["request_id"] != "bad id\nwith newline"
    assert len(second["request_id"]) == 32
    assert (first["method"], first["route"], first["status"]) == ("GET", "/unduh/{token}", link.status_code)
    assert second["route"] == "/unduh/{token}/dokumen"
    assert (third["route"], third["status"]) == ("<unmatched>", unknown.status_code == 404 and 404)
    assert first["duration_ms"] >= 0 and first["client"] == "203.0.113.7"


def test_route_templates_follow_mounts(settings):
    app = create_app(settings, temporal_client=_Connected())

    def template(path: str) -> str:
        return route_template({"type": "http", "path": path, "method": "GET", "app": app, "root_path": ""})

    assert template("/v1/births/3b8f0a9e-0000-4000-8000-000000000000") == "/v1/births/{bundle_id}"
    assert template("/console/static/console.css").startswith("/console/static")
    assert "console.css" not in template("/console/static/console.css")


async def test_metrics_leave_the_public_port_when_an_internal_one_is_set(settings):
    public = create_app(settings, temporal_client=_Connected())
    (exposed,) = await _serve(public, ("GET", "/metrics", {}))
    assert exposed.status_code == 200 and "http_requests_total" in exposed.text

    port = _free_port()
    internal = create_app(settings.model_copy(update={"metrics_port": port}), temporal_client=_Connected())
    async with internal.router.lifespan_context(internal):
        transport = httpx.ASGITransport(app=internal)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            assert (await client.get("/metrics")).status_code == 404
            await client.get("/health")
        async with httpx.AsyncClient(timeout=5) as plain:
            body = (await plain.get(f"http://127.0.0.1:{port}/metrics")).text
        assert "kelahiran_external_call_duration_seconds" in body
    async with httpx.AsyncClient(timeout=2) as plain:
        with pytest.raises(httpx.TransportError):  # the internal server stops with the app
            await plain.get(f"http://127.0.0.1:{port}/metrics")


def test_uvicorn_logs_no_access_lines_and_trusts_only_the_proxy(monkeypatch):
    seen = {}
    monkeypatch.setattr(serve.uvicorn, "run", lambda app, **kw: seen.update(kw))
    monkeypatch.setenv("KELAHIRAN_FORWARDED_ALLOW_IPS", "172.28.0.10")
    monkeypatch.setenv("KELAHIRAN_DATABASE_URL", "sqlite://")
    serve.serve_api()
    assert seen["access_log"] is False and seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == "172.28.0.10"
