"""How every workflow here calls an activity: by name, retried for as long as it takes."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.contracts import WorkflowTuning

T = TypeVar("T")
BUSINESS = "BusinessRejection"


def call(name: str, arg: Any, result_type: type[T], tuning: WorkflowTuning) -> Awaitable[T]:
    """Transient failures retry with capped backoff forever; business rejections are raised once."""
    return workflow.execute_activity(
        name, arg, result_type=result_type,
        start_to_close_timeout=timedelta(seconds=tuning.activity_timeout_seconds),
        retry_policy=RetryPolicy(
            initial_interval=timedelta(seconds=tuning.retry_initial_seconds),
            maximum_interval=timedelta(seconds=tuning.retry_max_seconds),
            backoff_coefficient=2.0, maximum_attempts=0, non_retryable_error_types=[BUSINESS]),
    )


def business_reason(err: ActivityError) -> str | None:
    """The reason code of a business rejection, or None for any other failure."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == BUSINESS:
        return str(cause.details[0]) if cause.details else "DITOLAK"
    return None
