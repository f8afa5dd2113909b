"""Business metrics: external calls through the adapters' transport, and the read model's gauges."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from adapters.http import pooled_client
from infra import metrics
from infra.gauges import ReadModelGauges, install_gauges, stop_gauges
from store import gauges as store_gauges
from store.callback_models import DEAD, DELIVERED, PENDING, HospitalEvent
from store.models import Bundle, FollowUp, PendingStart, ServiceStatusRow
from tests.support.readmodel import engine_for

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
DURATION = "kelahiran_external_call_duration_seconds"


def _calls(system: str, operation: str, outcome: str) -> float:
    from prometheus_client import REGISTRY

    value = REGISTRY.get_sample_value(f"{DURATION}_count",
                                      {"system": system, "operation": operation, "outcome": outcome})
    return value or 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def dukcapil():
    """A stand-in server: 200 for a birth, 503 for the office list, a slow answer for KIA."""
    async def birth(_request):
        return web.json_response({"nik": "x"})

    async def busy(_request):
        return web.Response(status=503)

    async def slow(_request):
        await asyncio.sleep(2)
        return web.Response(status=200)

    app = web.Application()
    app.add_routes([web.post("/v1/kantor/{office}/kelahiran", birth), web.get("/v1/kantor", busy),
                    web.post("/v1/kantor/{office}/kia", slow)])
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_external_calls_by_system_operation_and_outcome(dukcapil):
    closed = f"http://127.0.0.1:{_free_port()}"
    metrics.name_systems(SimpleNamespace(dukcapil_url=dukcapil, bpjs_url=closed, sms_url="http://sms.invalid"))
    birth, offices = "POST /v1/kantor/{n}/kelahiran", "GET /v1/kantor"
    before = {k: _calls(*k) for k in [("dukcapil", birth, "2xx"), ("dukcapil", offices, "5xx"),
                                      ("dukcapil", "POST /v1/kantor/{n}/kia", "timeout"),
                                      ("bpjs", "POST /kepesertaan/bayi", "connect_error"),
                                      ("other", "GET", "4xx")]}
    client = pooled_client(base_url=dukcapil, timeout=0.5)
    try:
        # A NIK-shaped number in a path never becomes a label: every number of two digits or more is {n}.
        assert (await client.post("/v1/kantor/3671/kelahiran", json={})).status_code == 200
        assert (await client.get("/v1/kantor")).status_code == 503
        with pytest.raises(httpx.TimeoutException):
            await client.post("/v1/kantor/3671/kia", json={})
        with pytest.raises(httpx.TransportError):
            await client.post(f"{closed}/kepesertaan/bayi", json={})
        # An origin no setting names (a hospital's webhook): the method only, nothing of its path.
        elsewhere = dukcapil.replace("127.0.0.1", "localhost")
        assert (await client.get(f"{elsewhere}/v1/kantor/3671/kelahiran")).status_code == 405
    finally:
        await client.aclose()
    after = {k: _calls(*k) for k in before}
    assert {k: after[k] - before[k] for k in before} == dict.fromkeys(before, 1)
    text = generate_latest().decode()
    # The labels only: a sample's value (seconds) may contain those digits by chance.
    assert "3671" not in "".join(line.rsplit(" ", 1)[0] for line in text.splitlines()
                                 if line.startswith(DURATION))


def _seed(engine) -> None:
    with Session(engine) as s:
        def bundle(i: int, status: str, *, risk: bool = False) -> str:
            bid = f"00000000-0000-4000-8000-{i:012d}"
            s.add(Bundle(id=bid, hospital_id="RS", record_id=f"r{i}", content_hash="h", status=status,
                         birth_date=date(2025, 2, 1), received_at=NOW, updated_at=NOW, child_count=1,
                         deadline_risk=risk, state_json="{}"))
            return bid

        a = bundle(1, "needs_attention", risk=True)
        b = bundle(2, "in_progress", risk=True)
        bundle(3, "completed", risk=True)  # closed: its deadline is no longer at risk
        s.flush()
        for bid, service, reason in [(a, "akta", "SPTJM_DITOLAK"), (a, "kk", "SPTJM_DITOLAK"),
                                     (b, "bpjs", "TUNGGAKAN_BPJS")]:
            s.add(ServiceStatusRow(bundle_id=bid, birth_order=1, service=service, status="needs_attention",
                                   reason=reason, state_json="{}"))
        s.add(FollowUp(workflow_id="koreksi-1", bundle_id=b, kind="koreksi", birth_order=1,
                       status="needs_attention", reason="TUNGGAKAN_BPJS", updated_at=NOW, state_json="{}"))
        s.add(PendingStart(bundle_id=b, input_json="{}", created_at=NOW - timedelta(minutes=5),
                           next_try_at=NOW))
        for n, (delivery, age) in enumerate([(PENDING, 120), (PENDING, 30), (DELIVERED, 900), (DEAD, 999)]):
            s.add(HospitalEvent(id=f"e{n}", hospital_id="RS", bundle_id=a, type="bundle.updated",
                                occurred_at=NOW - timedelta(seconds=age), body="{}", delivery=delivery))
        s.commit()


def _families(registry: CollectorRegistry) -> dict[str, dict[tuple, float]]:
    out: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_the_gauges_count_the_read_model(tmp_path, monkeypatch):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        _seed(engine)
        gauges = ReadModelGauges(engine)
        monkeypatch.setattr("infra.gauges.snapshot", lambda e: store_gauges.snapshot(e, now=NOW))
        registry = CollectorRegistry()
        registry.register(gauges)
        assert "kelahiran_bundles" not in _families(registry)  # nothing counted yet: no guesses
        gauges.refresh()
        got = _families(registry)
    assert got["kelahiran_bundles"] == {(("status", "completed"),): 1, (("status", "in_progress"),): 1,
                                        (("status", "needs_attention"),): 1}
    assert got["kelahiran_needs_attention"] == {(("reason", "SPTJM_DITOLAK"),): 2,
                                                (("reason", "TUNGGAKAN_BPJS"),): 2}
    assert got["kelahiran_deadlines_at_risk"] == {(): 2}
    assert got["kelahiran_outbox_pending"] == {(("outbox", "hospital_event"),): 2,
                                               (("outbox", "pending_start"),): 1}
    assert got["kelahiran_outbox_oldest_age_seconds"] == {(("outbox", "hospital_event"),): 120,
                                                          (("outbox", "pending_start"),): 300}
    assert got["kelahiran_callbacks_dead_letters"] == {(): 1}
    assert got["kelahiran_readmodel_gauges_refreshed_timestamp_seconds"][()] > 0


async def test_only_the_process_told_to_counts_them(tmp_path):
    registry = CollectorRegistry()
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        off = SimpleNamespace(metrics_gauges=False, metrics_gauges_seconds=0.05)
        assert install_gauges(engine, off, registry=registry) is None
        assert "kelahiran_bundles" not in generate_latest(registry).decode()
        on = SimpleNamespace(metrics_gauges=True, metrics_gauges_seconds=0.05)
        installed = install_gauges(engine, on, registry=registry)
        for _ in range(100):
            if installed[0].refreshed_at:
                break
            await asyncio.sleep(0.02)
        assert installed[0].refreshed_at > 0
        await stop_gauges(installed, registry=registry)
    assert "kelahiran_bundles" not in generate_latest(registry).decode()
