"""Sending validated updates to a running bundle, with errors mapped to what callers understand."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.contracts import UpdateAccepted


class BundleNotFound(Exception):
    pass


class ActionRefused(Exception):
    """The workflow's validator refused the update; the message says why."""


async def _running(handle) -> bool | None:
    """None if Temporal has no such workflow, else whether it is still running."""
    try:
        desc = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return desc.status == WorkflowExecutionStatus.RUNNING


async def send_update(client: Client, bundle_id: str, update: str, arg: BaseModel) -> UpdateAccepted:
    handle = client.get_workflow_handle(bundle_id)
    try:
        return await handle.execute_update(update, arg, result_type=UpdateAccepted)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        raise ActionRefused(getattr(cause, "message", None) or str(cause)) from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            if "completed" in exc.message.lower() or await _running(handle) is False:
                # A workflow that finished (maybe while this update was on its way) takes none.
                raise ActionRefused("bundle already finished; no further changes") from None
            # Not started yet, or started by the API's starter just after the update was refused.
            raise BundleNotFound(bundle_id) from None
        if exc.status == RPCStatusCode.FAILED_PRECONDITION:
            raise ActionRefused("bundle already finished; no further changes") from None
        raise


async def audited_update(client: Client, session, who, bundle_id: str, update: str, arg: BaseModel, *,
                         action: str, reason: str | None = None, details: dict | None = None
                         ) -> UpdateAccepted:
    """Send an update on behalf of `who` and write the audit event (refusals too), mapping errors
    to HTTP: 404 for a missing workflow, 409 with the validator's reason for a refusal."""
    from fastapi import HTTPException
    from fastapi.concurrency import run_in_threadpool

    from api.auth import audit

    def log(outcome: str, extra: dict | None = None) -> None:
        audit.record(session=session, who=who, action=action, bundle_id=bundle_id, reason=reason,
                     outcome=outcome, details={**(details or {}), **(extra or {})} or None)

    try:
        res = await send_update(client, bundle_id, update, arg)
    except BundleNotFound:
        # The caller found the row, Temporal has no workflow: the API's starter has not started it yet.
        await run_in_threadpool(log, "refused", {"refusal": "workflow not started yet"})
        raise HTTPException(409, "the bundle's workflow is not started yet; retry in a moment",
                            headers={"Retry-After": "2"}) from None
    except ActionRefused as exc:
        await run_in_threadpool(log, "refused", {"refusal": str(exc)})
        raise HTTPException(409, str(exc)) from None
    await run_in_threadpool(log, "ok", res.details)
    return res
