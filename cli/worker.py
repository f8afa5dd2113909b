"""The Temporal worker: the kelahiran workflow plus the Dukcapil, BPJS, SMS and read-model activities."""

from __future__ import annotations

import asyncio
import signal
import sys

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.bpjs import BpjsActivities
from activities.dukcapil import DukcapilActivities
from activities.family import FamilyNoticeActivities
from activities.readmodel import BundleWriter, ReadModelActivities, SnapshotWriter
from activities.readmodel_process import ProcessSnapshotWriter
from activities.reminders import ReminderActivities
from adapters.bpjs.client import BpjsClient
from adapters.bpjs.port import BpjsPort
from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.port import DukcapilPort
from adapters.sms.client import SmsGatewayClient
from adapters.sms.port import SmsPort
from api.bytecode import precompile
from api.gcfreeze import freeze_startup_objects
from api.sandbox import DirectContextSandboxRunner
from domain import regions
from infra.health_server import serve_health
from infra.settings import Settings
from infra.temporal_client import connect
from store.db import make_engine
from workflows.followups import KematianWorkflow, KoreksiWorkflow
from workflows.kelahiran import KelahiranWorkflow

log = structlog.get_logger("kelahiran.worker")


def make_snapshot_writer(settings: Settings, engine: Engine) -> BundleWriter:
    """The worker's bundle-snapshot writer: a process of its own or a thread (settings). The caller
    starts it before the worker and closes it (`aclose`) after the worker stops."""
    if settings.worker_readmodel_writer != "process":
        return SnapshotWriter(engine, settings.readmodel_cipher())
    return ProcessSnapshotWriter(settings.database_url, keys=settings.readmodel_keys,
                                 key_id=settings.readmodel_key_id, log_level=settings.log_level,
                                 log_json=settings.log_json)


def build_worker(client: Client, settings: Settings, *, dukcapil: DukcapilPort, bpjs: BpjsPort,
                 sms: SmsPort, engine: Engine, task_queue: str | None = None,
                 snapshots: BundleWriter | None = None) -> Worker:
    """Wire activities around the given ports; tests pass their own task queue. `snapshots`: see
    make_snapshot_writer (None: a thread of this process)."""
    regions.kecamatan_name("367305")  # warm the region cache outside the workflow sandbox
    activities = [*DukcapilActivities(dukcapil).all(), *BpjsActivities(bpjs).all(),
                  *ReadModelActivities(engine, settings.readmodel_cipher(), writer=snapshots).all(),
                  *ReminderActivities(engine).all(),
                  *FamilyNoticeActivities(engine, settings.readmodel_cipher(), sms,
                                          link_base=settings.family_link_base(),
                                          policy=settings.family_policy()).all()]
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=[KelahiranWorkflow, KematianWorkflow, KoreksiWorkflow],
        activities=activities,
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        workflow_runner=DirectContextSandboxRunner(),  # api/sandbox.py
    )


def make_ports(settings: Settings) -> tuple[DukcapilClient, BpjsClient, SmsGatewayClient]:
    dukcapil = DukcapilClient(settings.dukcapil_url, client_id=settings.dukcapil_client_id,
                              client_secret=settings.dukcapil_client_secret,
                              timeout=settings.http_timeout_seconds)
    bpjs = BpjsClient(settings.bpjs_url, cons_id=settings.bpjs_cons_id, secret=settings.bpjs_secret,
                      user_key=settings.bpjs_user_key, timeout=settings.http_timeout_seconds)
    sms = SmsGatewayClient(settings.sms_url, api_key=settings.sms_api_key, sender=settings.sms_sender,
                           timeout=settings.http_timeout_seconds)
    return dukcapil, bpjs, sms


async def run_worker(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then drain in-flight tasks and close the HTTP clients."""
    runtime = None
    if settings.worker_metrics_port:
        runtime = Runtime(telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=f"{settings.api_host}:{settings.worker_metrics_port}")))
    precompile("workflows")  # the sandbox re-imports them for every workflow run
    # The read-model writer thread holds the database's write lock while it commits; each time it
    # needs the GIL back from the busy event loop it waited up to the switch interval (5 ms by
    # default), many times per batch, and the API's intake waited behind it (bench: intake p99).
    sys.setswitchinterval(settings.worker_switch_interval_ms / 1000)
    client = await connect(settings, runtime=runtime)
    dukcapil, bpjs, sms = make_ports(settings)
    engine = make_engine(settings.database_url, background_checkpoints=True)
    snapshots = make_snapshot_writer(settings, engine)
    await snapshots.start()
    worker = build_worker(client, settings, dukcapil=dukcapil, bpjs=bpjs, sms=sms, engine=engine,
                          snapshots=snapshots)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    health = None
    if settings.worker_health_port:
        # Unhealthy while stopping, or while the read-model writer process is down (it restarts).
        health = await serve_health(settings.api_host, settings.worker_health_port,
                                    lambda: not stop.is_set() and snapshots.healthy)
    freeze_startup_objects()  # api/gcfreeze.py: collections walk only the bundles' objects
    log.info("worker started", task_queue=settings.task_queue, temporal=settings.temporal_address)
    try:
        async with worker:
            await stop.wait()
            log.info("worker stopping")
    finally:
        if health is not None:
            health.close()
        await dukcapil.aclose()
        await bpjs.aclose()
        await sms.aclose()
        await snapshots.aclose()  # after the worker: its last syncs are answered first
        engine.dispose()
