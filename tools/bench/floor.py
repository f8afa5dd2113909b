"""Drive the engine floor: its own worker process and task queue on the stack's Temporal server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from temporalio.client import Client

from cli.supervisor import child_setup
from infra.codec import data_converter
from tools.bench.floor_workflow import FLOOR_WORKFLOW
from tools.bench.load import Outcome


def converter(payload_keys: str):
    """The stack's converter: pydantic plus payload encryption with the stack's keys."""
    return data_converter(payload_keys, payload_keys.split(":", 1)[0] if payload_keys else None)


class FloorWorker:
    """`python -m tools.bench.floor_worker` as a child process, with the stack's Temporal settings."""

    def __init__(self, temporal: str, payload_keys: str, task_queue: str, log: Path,
                 settings_env: dict[str, str] | None = None, completions: Completions | None = None) -> None:
        self.task_queue = task_queue
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KELAHIRAN_", "TEMPORAL_"))}
        env.update(settings_env or {})  # the kelahiran worker's own settings, when they are not defaults
        env.setdefault("MALLOC_ARENA_MAX", "2")  # as `kelahiran up` runs its processes
        env.update(TEMPORAL_ADDRESS=temporal, KELAHIRAN_PAYLOAD_KEYS=payload_keys,
                   KELAHIRAN_LOG_JSON="false", PYTHONUNBUFFERED="1")
        self._log = log.open("ab")
        # Several floor workers on one task queue report into one Completions.
        self.completions = completions or Completions()
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tools.bench.floor_worker", task_queue], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
            start_new_session=True, preexec_fn=child_setup())
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until "ready" or the process exits
        if b"ready" not in line:
            self.stop()
            raise RuntimeError(f"the floor worker did not start; see {log}")
        # Then a "done <workflow id> <time of the last write>" line per workflow, read in a thread
        # (a pipe that nobody drains would stop the worker once full).
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True,
                                        name="floor-completions")
        self._reader.start()

    def _read(self, stdout) -> None:
        for raw in stdout:
            word, _, rest = raw.decode(errors="replace").strip().partition(" ")
            workflow_id, _, synced_at = rest.partition(" ")
            if word == "done" and workflow_id:
                try:
                    self.completions.done(workflow_id, float(synced_at))
                except ValueError:
                    self.completions.done(workflow_id, 0.0)

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


class Completions:
    """Floor workflows reported done by the floor worker (any thread), awaited by the bench's loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._early: dict[str, float] = {}  # reported before anyone waited
        self._waiting: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Future[float]]] = {}

    def done(self, workflow_id: str, synced_at: float) -> None:
        with self._lock:
            waiter = self._waiting.pop(workflow_id, None)
            if waiter is None:
                self._early[workflow_id] = synced_at
                return
        loop, fut = waiter
        loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(synced_at))

    async def wait(self, workflow_id: str) -> float:
        loop = asyncio.get_running_loop()
        with self._lock:
            if workflow_id in self._early:
                return self._early.pop(workflow_id)
            fut = self._waiting[workflow_id] = (loop, loop.create_future())
        try:
            return await fut[1]
        finally:
            with self._lock:
                self._waiting.pop(workflow_id, None)


class FloorStarter:
    """Starts one floor workflow per call and waits until the floor worker reports it done.

    Timed like ours: to the moment its last read-model write (a no-op that tells the time) ran; and
    seen done outside Temporal, as ours is seen in the read model.
    """

    def __init__(self, client: Client, task_queue: str, completions: Completions) -> None:
        self._client, self._queue, self._completions = client, task_queue, completions
        self.run_id = uuid.uuid4().hex[:8]

    async def __call__(self, i: int, out: Outcome, t0: float) -> None:
        first = time.monotonic()
        out.sent_wall, out.sent_at = time.time(), first - t0
        handle = await self._client.start_workflow(
            FLOOR_WORKFLOW, {"birth": i}, id=f"bench-floor-{self.run_id}-{i}", task_queue=self._queue)
        out.intake = time.monotonic() - first
        out.bundle_id = handle.id
        synced_at = await self._completions.wait(handle.id)  # kept if it was reported first
        took = time.monotonic() - first
        if 0 < synced_at - out.sent_wall < took:
            took = synced_at - out.sent_wall
        out.complete, out.done_at = took, out.sent_at + took
