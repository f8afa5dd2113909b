"""Sending validated updates to a running bundle, with errors mapped to what callers understand."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.contracts import UpdateAccepted


class BundleNotFound(Exception):
    pass


class ActionRefused(Exception):
    """The workflow's validator refused the update; the message says why."""


async def send_update(client: Client, bundle_id: str, update: str, arg: BaseModel) -> UpdateAccepted:
    handle = client.get_workflow_handle(bundle_id)
    try:
        return await handle.execute_update(update, arg, result_type=UpdateAccepted)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        raise ActionRefused(getattr(cause, "message", None) or str(cause)) from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            if "completed" in exc.message.lower():
                raise ActionRefused("bundle already finished; no further changes") from None
            raise BundleNotFound(bundle_id) from None
        if exc.status == RPCStatusCode.FAILED_PRECONDITION:
            raise ActionRefused("bundle already finished; no further changes") from None
        raise
