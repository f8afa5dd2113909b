"""The family's notice once a bundle completed: one activity, and its failure never fails the bundle."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

# `import workflows.x as y`, not `from workflows import x`: the sandbox passes through only the
# module an import statement names; a submodule reached from a fresh package's fromlist is
# imported afresh, i.e. compiled and run again for every workflow run.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    from domain.contracts import (
        BundleState,
        BundleStatus,
        FamilyNoticeInput,
        FamilyNoticeSent,
        KelahiranInput,
    )
    from domain.contracts.notification import BirthNotificationData
    from workflows.calls import BUSINESS, business_reason

# An SMS gateway down for longer than this: the family is not told by SMS (the documents stay
# with Dukcapil, and the hospital's callbacks and the bundle's status still say they are issued).
GIVE_UP_AFTER = timedelta(days=2)


async def notify_when_completed(inp: KelahiranInput, n: BirthNotificationData, state: BundleState) -> None:
    """Send the download link and PIN to the reporter's phone, if the bundle completed and has one."""
    phone = getattr(n, "reporter_phone", None)  # FHIR deliveries may come without it
    if state.status is not BundleStatus.COMPLETED or not phone:
        return
    t = inp.tuning
    try:
        await workflow.execute_activity(
            act.NOTIFY_FAMILY, FamilyNoticeInput(bundle_id=inp.bundle_id, phone=phone,
                                                 deceased=any(c.died_on for c in state.children)),
            result_type=FamilyNoticeSent,
            start_to_close_timeout=timedelta(seconds=t.activity_timeout_seconds),
            schedule_to_close_timeout=GIVE_UP_AFTER,
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=t.retry_initial_seconds),
                                     maximum_interval=timedelta(seconds=t.retry_max_seconds),
                                     backoff_coefficient=2.0, non_retryable_error_types=[BUSINESS]))
    except ActivityError as err:
        workflow.logger.warning("family notice not sent: %s", business_reason(err) or "gave up")
