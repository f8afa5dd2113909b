"""The observability part of `infra.settings.Settings` (metrics, traces, the proxy in front).

A base class of the one settings class, kept apart so that file stays readable; the variables keep
the `KELAHIRAN_` prefix of the class that inherits them.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class ObservabilitySettings(BaseSettings):
    """Metrics, tracing and forwarded headers (docs/production.md, "Metrics, logs and traces")."""

    metrics_port: int = Field(default=0, ge=0, description=(
        "this process's own metrics on an internal port; the API's /metrics then leaves its public "
        "port; 0: off (the API keeps /metrics on its port, the worker exports only the SDK's)"))
    metrics_gauges: bool = Field(default=False, description=(
        "count the read model's gauges (bundles by status, reasons, deadlines, outboxes) in this "
        "process: set it on exactly one, or replicas count the same bundles twice"))
    metrics_gauges_seconds: float = Field(default=15.0, gt=0, description="how often they are recounted")
    otlp_endpoint: str | None = Field(default=None, description=(
        "OTLP/HTTP collector for traces (e.g. http://otel-collector:4318); unset: no tracing"))
    service_name: str | None = Field(default=None, description="the traces' service.name; default by process")
    forwarded_allow_ips: str = Field(default="127.0.0.1", description=(
        "the API trusts X-Forwarded-For/-Proto only from these addresses or networks (the proxy)"))
