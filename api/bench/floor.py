"""Drive the engine floor: its own worker process and task queue on the stack's Temporal server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from temporalio.client import Client

from api.bench.floor_workflow import FLOOR_WORKFLOW
from api.bench.load import Outcome
from api.codec import data_converter


def converter(payload_keys: str):
    """The stack's converter: pydantic plus payload encryption with the stack's keys."""
    return data_converter(payload_keys, payload_keys.split(":", 1)[0] if payload_keys else None)


class FloorWorker:
    """`python -m api.bench.floor_worker` as a child process, with the stack's Temporal settings."""

    def __init__(self, temporal: str, payload_keys: str, task_queue: str, log: Path,
                 settings_env: dict[str, str] | None = None) -> None:
        self.task_queue = task_queue
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KELAHIRAN_", "TEMPORAL_"))}
        env.update(settings_env or {})  # the kelahiran worker's own settings, when they are not defaults
        env.setdefault("MALLOC_ARENA_MAX", "2")  # as `kelahiran up` runs its processes
        env.update(TEMPORAL_ADDRESS=temporal, KELAHIRAN_PAYLOAD_KEYS=payload_keys,
                   KELAHIRAN_LOG_JSON="false", PYTHONUNBUFFERED="1")
        self._log = log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "api.bench.floor_worker", task_queue], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until "ready" or the process exits
        if b"ready" not in line:
            self.stop()
            raise RuntimeError(f"the floor worker did not start; see {log}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class FloorStarter:
    """Starts one floor workflow per call and waits for its result.

    Timed like ours: to the moment its last read-model write (a no-op that tells the time) ran.
    """

    def __init__(self, client: Client, task_queue: str) -> None:
        self._client, self._queue = client, task_queue
        self.run_id = uuid.uuid4().hex[:8]

    async def __call__(self, i: int, out: Outcome, t0: float) -> None:
        first = time.monotonic()
        out.sent_wall, out.sent_at = time.time(), first - t0
        handle = await self._client.start_workflow(
            FLOOR_WORKFLOW, {"birth": i}, id=f"bench-floor-{self.run_id}-{i}", task_queue=self._queue)
        out.intake = time.monotonic() - first
        out.bundle_id = handle.id
        synced_at = await handle.result()
        took = time.monotonic() - first
        if isinstance(synced_at, int | float) and 0 < synced_at - out.sent_wall < took:
            took = synced_at - out.sent_wall
        out.complete, out.done_at = took, out.sent_at + took
