"""Temporal client construction shared by the API, the worker and the CLI."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from infra import tracing
from infra.settings import Settings


def tls_config(settings: Settings) -> TLSConfig | bool:
    """The TLS (or mTLS) configuration to the Temporal frontend, or False for plaintext."""
    if not settings.temporal_tls_enabled:
        return False

    def pem(path) -> bytes | None:
        return path.read_bytes() if path is not None else None

    return TLSConfig(
        server_root_ca_cert=pem(settings.temporal_tls_server_ca_cert_path),
        client_cert=pem(settings.temporal_tls_client_cert_path),
        client_private_key=pem(settings.temporal_tls_client_key_path),
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """Connect with the deployment's converter and TLS (every client and worker must use the same)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=settings.data_converter(),
        tls=tls_config(settings),
        api_key=settings.temporal_api_key,
        runtime=runtime,
        interceptors=tracing.interceptors(settings),  # OpenTelemetry when configured, else none
    )
