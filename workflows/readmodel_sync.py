"""The bundle's changes written to the read model as they happen, bursts coalesced into one write.

A local activity: no task on the server and no copy of the state in the history (only the result's
marker). Each write carries only what changed since the previous one (the header, the services
that changed, the new timeline events), so its cost does not grow with the bundle's age. The next
write waits for the previous one; the activity retries until the database takes it.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    from workflows.bundle import Bundle


async def sync_loop(b: Bundle) -> None:
    """Write the changes whenever there are some, until the workflow finished and the last is out."""
    t = b.inp.tuning
    retry = RetryPolicy(maximum_interval=timedelta(seconds=t.retry_max_seconds), maximum_attempts=0)
    while True:
        await workflow.wait_condition(lambda: b.t.dirty or b.finished)
        if not b.t.dirty and b.finished:
            return
        b.t.dirty = False
        b.t.state.version += 1
        # The history length orders this write after anything a dead worker wrote for this bundle
        # from a workflow task the server never recorded (see BundleSync).
        await workflow.execute_local_activity(
            act.SYNC_READ_MODEL, b.t.delta(workflow.info().get_current_history_length()),
            start_to_close_timeout=timedelta(seconds=t.read_model_timeout_seconds),
            retry_policy=retry,
        )
