"""Temporal client construction shared by the API, the worker and the CLI."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime

from api.settings import Settings


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """Connect with the deployment's converter (every client and worker must use the same one)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=settings.data_converter(),
        runtime=runtime,
    )
