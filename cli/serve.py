"""Long-running processes: the API, the worker and the simulators."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import uvicorn

from infra.logging_setup import configure_logging
from infra.settings import Settings


def serve_api() -> None:
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    from api.app import create_app

    # log_config=None keeps uvicorn's records on our (JSON, redacting) handler; its access log is off
    # for ours (api/observability.py: route templates, never the family's token); forwarded headers
    # are believed from the proxy only.
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port,
                log_config=None, access_log=False, proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips)


def run_loop(main: Coroutine[Any, Any, None], settings: Settings) -> None:
    """Run a worker's main coroutine on uvloop (KELAHIRAN_WORKER_UVLOOP, default on) or asyncio's loop.

    The worker is event-loop bound: every poll and completion from the SDK's core, every finished
    thread and socket read wakes the loop, and uvloop does those for a fraction of the CPU.
    """
    if settings.worker_uvloop:
        try:
            import uvloop
        except ImportError:  # e.g. Windows: asyncio's loop is correct, only slower
            pass
        else:
            uvloop.run(main)
            return
    asyncio.run(main)


def serve_worker() -> None:
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    from cli.worker import run_worker

    run_loop(run_worker(settings), settings)


def serve_simulator(name: str) -> None:
    configure_logging("INFO", json=True)
    if name == "dukcapil":
        from simulators.dukcapil.app import create_app
        from simulators.dukcapil.settings import DukcapilSimSettings as SimSettings
    elif name == "sms":
        from simulators.sms.app import create_app
        from simulators.sms.settings import SmsSimSettings as SimSettings
    else:
        from simulators.bpjs.app import create_app
        from simulators.bpjs.settings import BpjsSimSettings as SimSettings
    settings = SimSettings()
    # No access log: the real BPJS protocol puts NIKs in some paths.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                access_log=False)
