"""OpenTelemetry traces through the Temporal SDK's interceptor, off unless an OTLP endpoint is set.

`KELAHIRAN_OTLP_ENDPOINT` (OTLP over HTTP, e.g. `http://otel-collector:4318`) turns it on: every
client made by `infra.temporal_client.connect` then carries `TracingInterceptor`, so the API's
workflow starts, the workflows (replay-aware) and their activities are spans of one trace, and the
worker made from that client uses the same interceptor. The packages are an optional extra
(`pip install kelahiran[tracing]`); setting the endpoint without them stops the process with a
sentence saying so. Spans carry workflow and activity names and ids, never payloads.
"""

from __future__ import annotations

import os
import sys

_configured = False


def service_name(settings) -> str:
    """`kelahiran-api`, `kelahiran-worker`... from the command run, unless set."""
    if settings.service_name:
        return settings.service_name
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), "cli")
    return f"kelahiran-{command}"


def configure(settings, *, exporter=None) -> bool:
    """Install the global tracer provider once per process; False when tracing is off."""
    global _configured
    if not settings.otlp_endpoint and exporter is None:
        return False
    if _configured:
        return True
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise SystemExit("KELAHIRAN_OTLP_ENDPOINT is set but the tracing packages are not installed: "
                         "pip install 'kelahiran[tracing]'") from exc
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint.rstrip("/") + "/v1/traces")
    provider = TracerProvider(resource=Resource.create({
        "service.name": service_name(settings),
        "service.instance.id": f"{os.uname().nodename}-{os.getpid()}",
    }))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    return True


def interceptors(settings) -> list:
    """The client interceptors for this deployment: `[TracingInterceptor()]`, or none."""
    if not configure(settings):
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]
