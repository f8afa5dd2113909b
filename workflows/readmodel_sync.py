"""The bundle's state written to the read model whenever it changed, bursts coalesced into one write.

A local activity: no task on the server and no copy of the state in the history (only the result's
marker). Each snapshot's version comes from the history length (see snapshot_version).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    from domain.contracts import ReadModelSync
    from workflows.bundle import Bundle

# Room for this many read-model writes within one workflow task (a task's local activities share
# its history length); more would only make versions grow faster, never repeat.
VERSIONS_PER_TASK = 1000


def snapshot_version(previous: int, history_length: int) -> int:
    """The next read-model version: higher than the previous one and than any a dead timeline wrote.

    The sync is a local activity, so a worker that dies mid-task may already have written snapshots
    from a workflow task the server never recorded. Its replacement re-runs that task from a longer
    history (the timeout and the new task come first), so versions taken from the history length
    outrank everything the dead timeline wrote; counting syncs instead could repeat a number with
    different content, and the read model (and the hospital) would keep the dead one.
    """
    return max(previous + 1, history_length * VERSIONS_PER_TASK)


async def sync_loop(b: Bundle) -> None:
    """Write the state whenever it changed, until the workflow finished and the last change is out."""
    t = b.inp.tuning
    retry = RetryPolicy(maximum_interval=timedelta(seconds=t.retry_max_seconds), maximum_attempts=0)
    while True:
        await workflow.wait_condition(lambda: b.t.dirty or b.finished)
        if not b.t.dirty and b.finished:
            return
        b.t.dirty = False
        b.t.state.version = snapshot_version(b.t.state.version,
                                             workflow.info().get_current_history_length())
        # No copy: the argument is serialised right here, as the command is made (a local retry
        # after a backoff serialises the state again, newer but never older).
        await workflow.execute_local_activity(
            act.SYNC_READ_MODEL, ReadModelSync(state=b.t.state),
            start_to_close_timeout=timedelta(seconds=t.read_model_timeout_seconds),
            retry_policy=retry,
        )
