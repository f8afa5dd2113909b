"""The Temporal namespace's workflow execution retention: how long closed workflows' histories (which
hold the bundles' personal data, encrypted) are kept before Temporal deletes them."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest
from temporalio.client import Client

RPC_TIMEOUT = timedelta(seconds=10)


async def workflow_retention(client: Client, namespace: str) -> timedelta:
    desc = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace), timeout=RPC_TIMEOUT)
    return desc.config.workflow_execution_retention_ttl.ToTimedelta()


async def set_workflow_retention(client: Client, namespace: str, ttl: timedelta) -> timedelta:
    """Set the retention; returns what Temporal reports afterwards (a server may adjust it)."""
    duration = Duration()
    duration.FromTimedelta(ttl)
    res = await client.workflow_service.update_namespace(UpdateNamespaceRequest(
        namespace=namespace, config=NamespaceConfig(workflow_execution_retention_ttl=duration)),
        timeout=RPC_TIMEOUT)
    return res.config.workflow_execution_retention_ttl.ToTimedelta()
