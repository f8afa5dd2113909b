"""Business metrics of every process: external calls, and this process's metrics endpoint.

The external-call histogram is fed by the adapters' shared transport (adapters/http.py): a call is
labelled with the system it went to (an origin named by `name_systems`, from the settings), an
operation (method and path with every number of two digits or more replaced, so no NIK, KK or
card number can become a label) and an outcome. Calls to origins not named (a hospital's webhook)
are `other`, with the method only.

The read model's gauges (bundles by status, reasons, deadlines, outboxes) are infra/gauges.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import structlog
from prometheus_client import Histogram, start_http_server

log = structlog.get_logger("kelahiran.metrics")

EXTERNAL_CALLS = Histogram(
    "kelahiran_external_call_duration_seconds",
    "Calls to Dukcapil, BPJS and the SMS gateway: latency by system, operation and outcome "
    "(outcome: 2xx, 3xx, 4xx, 5xx, timeout, connect_error, error)",
    ["system", "operation", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
_SYSTEMS: dict[str, str] = {}
_DIGITS = re.compile(r"\d{2,}")  # numbers in paths (offices, cards); a version like v1 stays


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def name_systems(settings) -> None:
    """Label calls by the systems the settings point at (each process calls this once at start)."""
    for name, url in (("dukcapil", settings.dukcapil_url), ("bpjs", settings.bpjs_url),
                      ("sms", settings.sms_url)):
        _SYSTEMS[_origin(url)] = name


def operation_of(method: str, url: str) -> tuple[str, str]:
    """(system, operation) for a request: digits out of the path; nothing but the method elsewhere."""
    system = _SYSTEMS.get(_origin(url))
    if system is None:
        return "other", method
    return system, f"{method} {_DIGITS.sub('{n}', urlsplit(url).path) or '/'}"


def outcome_of(status: int | None, error: BaseException | None = None) -> str:
    if error is not None:
        name = type(error).__name__
        return "timeout" if "Timeout" in name else "connect_error" if "Connect" in name else "error"
    return f"{(status or 0) // 100}xx"


def observe_call(method: str, url: str, seconds: float, *, status: int | None = None,
                 error: BaseException | None = None) -> None:
    system, operation = operation_of(method, url)
    EXTERNAL_CALLS.labels(system, operation, outcome_of(status, error)).observe(seconds)


def serve_metrics(settings, *, host: str | None = None):
    """This process's metrics on its internal port (`KELAHIRAN_METRICS_PORT`), or None when 0."""
    if not settings.metrics_port:
        return None
    server, _thread = start_http_server(settings.metrics_port, addr=host or settings.api_host)
    log.info("metrics served", port=settings.metrics_port)
    return server
