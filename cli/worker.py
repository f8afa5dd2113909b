"""The Temporal worker: the kelahiran workflow plus the Dukcapil, BPJS, SMS and read-model activities."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.bpjs import BpjsActivities
from activities.dukcapil import DukcapilActivities
from activities.family import FamilyNoticeActivities
from activities.identity import IdentityActivities
from activities.readmodel import ReadModelActivities
from activities.reminders import ReminderActivities
from adapters.bpjs.client import BpjsClient
from adapters.bpjs.port import BpjsPort
from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.port import DukcapilPort
from adapters.sms.client import SmsGatewayClient
from adapters.sms.port import SmsPort
from domain import regions
from infra.health_server import serve_health
from infra.metrics import name_systems, serve_metrics
from infra.settings import Settings
from infra.temporal_client import connect
from infra.workflow_runner import loaded_modules, without_bytecode, workflow_runner
from store.db import make_engine
from workflows.followups import KematianWorkflow, KoreksiWorkflow
from workflows.kelahiran import KelahiranWorkflow

log = structlog.get_logger("kelahiran.worker")


def build_worker(client: Client, settings: Settings, *, dukcapil: DukcapilPort, bpjs: BpjsPort,
                 sms: SmsPort, engine: Engine, task_queue: str | None = None) -> Worker:
    """Wire activities around the given ports; tests pass their own task queue."""
    regions.kecamatan_name("367305")  # warm the region cache outside the workflow sandbox
    activities = [*DukcapilActivities(dukcapil).all(), *BpjsActivities(bpjs).all(),
                  *ReadModelActivities(engine, settings.readmodel_cipher()).all(),
                  *ReminderActivities(engine, sms).all(),
                  *IdentityActivities(engine, settings.readmodel_cipher(),
                                      window_days=settings.duplicate_window_days).all(),
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
        workflow_runner=workflow_runner(),
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
    client = await connect(settings, runtime=runtime)
    name_systems(settings)  # external calls labelled by system (infra/metrics.py)
    metrics = serve_metrics(settings)  # ours (external calls) beside the SDK's, on KELAHIRAN_METRICS_PORT
    dukcapil, bpjs, sms = make_ports(settings)
    engine = make_engine(settings.database_url)
    worker = build_worker(client, settings, dukcapil=dukcapil, bpjs=bpjs, sms=sms, engine=engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    health = None
    if settings.worker_health_port:
        # /ready asks Temporal itself: a worker that cannot poll is alive but does no work.
        health = await serve_health(settings.api_host, settings.worker_health_port,
                                    lambda: not stop.is_set(),
                                    lambda: client.service_client.check_health(timeout=timedelta(seconds=1)))
    log.info("worker started", task_queue=settings.task_queue, temporal=settings.temporal_address)
    if stale := without_bytecode(*loaded_modules("workflows")):
        # Not an error: the workflows run the same, only compiled from source for every run.
        log.warning("workflow modules without current bytecode: each workflow run compiles them",
                    modules=stale, fix="python -m compileall -q workflows")
    try:
        async with worker:
            await stop.wait()
            log.info("worker stopping")
    finally:
        if health is not None:
            health.close()
        if metrics is not None:
            metrics.shutdown()
        await dukcapil.aclose()
        await bpjs.aclose()
        await sms.aclose()
        engine.dispose()
