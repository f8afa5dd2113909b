"""The read-model writer in a process of its own, out of the worker's GIL.

In the worker, the writer thread shared the GIL with the event loop that runs the workflows: each
statement of a transaction waited for the GIL again while the thread held the database's write lock,
so a four-snapshot transaction held it for tens of milliseconds under load, and the API's intake
waited behind it (bench: the 20/s burst's intake p99). Here the same SnapshotWriter runs in a child
process that does nothing else.

Protocol, one line per message over the child's stdin/stdout (stderr is the worker's, for logs):
- first line to the child: JSON {"database_url", "keys", "key_id", "max_batch", "log_level",
  "log_json"} (never argv, which any user's `ps` shows);
- then `<n> <state JSON>` per snapshot (model_dump_json writes no raw newline);
- the child answers `ready` once its database is open, then `<n> 1` (written), `<n> 0` (an equal
  or newer one is stored) or `<n> E <error>`.
A child that dies fails the snapshots it had (their activities retry) and is started again by the
next write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import threading
from concurrent.futures import Future, wait

import structlog

from domain.contracts import BundleState

log = structlog.get_logger("kelahiran.readmodel")


class WriterExited(RuntimeError):
    """The writer process ended before answering; the snapshot may or may not be stored."""


class ProcessSnapshotWriter:
    """SnapshotWriter's interface (`await write(state)`), served by a child process."""

    def __init__(self, database_url: str, *, keys: str, key_id: str | None, max_batch: int = 4,
                 log_level: str = "INFO", log_json: bool = True) -> None:
        self._config = json.dumps({"database_url": database_url, "keys": keys, "key_id": key_id,
                                   "max_batch": max_batch, "log_level": log_level, "log_json": log_json})
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None
        self._pending: dict[int, asyncio.Future[bool]] = {}
        self._next = 0
        self._starting = asyncio.Lock()
        self._closed = False
        self._restarter: asyncio.Task | None = None

    @property
    def healthy(self) -> bool:
        """The child runs (the worker's /health reports it): False while it is down or restarting."""
        return not self._closed and self._proc is not None and self._proc.returncode is None

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        async with self._starting:
            if self._proc is None:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "activities.readmodel_process",
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                    limit=1 << 20,
                    # A scheduling group of its own (cli/priority.py): `kelahiran up` lowers
                    # the worker's, but the API waits for the write lock this process holds.
                    # It still ends with the worker: at the end of its stdin.
                    start_new_session=True)
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(self._config.encode() + b"\n")
                # It answers `ready` once its database is open; else it exits (its error is logged).
                if await proc.stdout.readline() != b"ready\n":
                    code = await proc.wait()
                    raise WriterExited(f"read-model writer did not start (exit code {code})")
                self._proc = proc
                self._reader = asyncio.create_task(self._read_answers(proc))
                log.info("read-model writer process started", pid=proc.pid)
            return self._proc

    async def start(self) -> None:
        """Start the child now, not at the first snapshot (its imports take about a second)."""
        await self._ensure_started()

    async def write(self, state: BundleState) -> bool:
        if self._closed:
            raise WriterExited("the read-model writer is closed")
        line = f"{self._next} {state.model_dump_json()}\n".encode()  # serialised before any await
        n, self._next = self._next, self._next + 1
        proc = await self._ensure_started()
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[n] = done
        assert proc.stdin is not None
        try:
            proc.stdin.write(line)
            await proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:  # the child is gone: the reader fails the rest
            self._pending.pop(n, None)
            raise WriterExited(f"read-model writer unreachable: {exc}") from None
        try:
            return await done
        finally:
            self._pending.pop(n, None)  # also when the activity timed out: its answer is not awaited

    async def _read_answers(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                n, _, rest = line.decode().rstrip("\n").partition(" ")
                done = self._pending.pop(int(n), None)
                if done is None or done.done():
                    continue
                if rest.startswith("E "):
                    done.set_exception(RuntimeError(f"read-model write failed: {rest[2:]}"))
                else:
                    done.set_result(rest == "1")
        finally:
            code = await proc.wait()
            if self._proc is proc:
                self._proc = None
            unanswered = [done for done in self._pending.values() if not done.done()]
            self._pending.clear()
            for done in unanswered:
                done.set_exception(WriterExited(f"read-model writer exited with code {code}"))
            if not self._closed:
                log.warning("read-model writer process exited", pid=proc.pid, code=code,
                            unanswered=len(unanswered))
                self._restarter = asyncio.create_task(self._restart())

    async def _restart(self, first_delay: float = 1.0, max_delay: float = 30.0) -> None:
        """Start a new child after one died, without waiting for the next write (so /health comes
        back by itself); with a growing pause between attempts while it cannot start."""
        delay = first_delay
        while not self._closed and self._proc is None:
            await asyncio.sleep(delay)
            if self._closed:
                return
            try:
                await self._ensure_started()
            except (WriterExited, OSError) as exc:
                log.error("read-model writer process did not restart", error_type=type(exc).__name__)
                delay = min(max_delay, delay * 2)

    async def aclose(self, timeout: float = 30) -> None:
        """Let the child finish what it was given, then end it."""
        self._closed = True
        if self._restarter is not None:
            self._restarter.cancel()
        proc, reader = self._proc, self._reader
        if proc is None or reader is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            await asyncio.wait_for(asyncio.shield(reader), timeout)
        except TimeoutError:
            proc.kill()
            await reader


# --- the child ---------------------------------------------------------------------------------

def _serve(stdin, stdout) -> None:
    from activities.readmodel import SnapshotWriter
    from api.gcfreeze import freeze_startup_objects
    from infra.logging_setup import configure_logging
    from store.cipher import StateCipher
    from store.db import make_engine

    config = json.loads(stdin.readline())
    configure_logging(config["log_level"], json=config["log_json"])
    engine = make_engine(config["database_url"], background_checkpoints=True)
    writer = SnapshotWriter(engine, StateCipher.from_spec(config["keys"], config["key_id"]),
                            max_batch=config["max_batch"])
    out_lock = threading.Lock()
    stdout.write("ready\n")
    stdout.flush()

    def answer(n: str, fut: Future[bool]) -> None:
        exc = fut.exception()
        text = "1" if exc is None and fut.result() else "0" if exc is None else "E " + describe(exc)
        with out_lock, contextlib.suppress(OSError):  # the worker is gone: nobody to answer
            stdout.write(f"{n} {text}\n")
            stdout.flush()

    freeze_startup_objects()
    submitted: list[Future[bool]] = []
    for line in stdin:
        n, _, body = line.partition(" ")
        try:
            state = BundleState.model_validate_json(body)
        except ValueError as exc:
            answer(n, _failed(exc))
            continue
        fut = writer.submit(state)
        fut.add_done_callback(lambda f, n=n: answer(n, f))
        submitted = [f for f in submitted if not f.done()]
        submitted.append(fut)
    wait(submitted)  # the worker closed our stdin: finish what it gave us
    engine.dispose()


def describe(exc: BaseException) -> str:
    """An error as one line for the worker (and so its logs and the activity's failure): the type
    and what went wrong, never values. Pydantic and SQLAlchemy put the offending input or the
    statement's parameters (birth dates, record ids) into their messages; those are left out."""
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, ValidationError):
        where = ", ".join(".".join(map(str, e["loc"])) or "(root)" for e in exc.errors()[:3])
        text = f"{exc.error_count()} invalid field(s): {where}"
    elif isinstance(exc, DBAPIError):
        text = str(exc.orig).splitlines()[0] if exc.orig is not None else "database error"
    else:
        text = str(exc)
    return f"{type(exc).__name__}: {text}".replace("\n", " ")[:300]


def _failed(exc: BaseException) -> Future[bool]:
    fut: Future[bool] = Future()
    fut.set_exception(exc)
    return fut


def main() -> None:
    # We end when our stdin closes (the worker closes it, or dies), after the snapshots already
    # given: the worker's activities await them. So signals meant for the worker's group (a
    # Ctrl-C, a supervisor's stop) are ignored, should one reach us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        _serve(sys.stdin, sys.stdout)
    finally:
        with contextlib.suppress(OSError):  # a killed worker: no "broken pipe" at our exit
            sys.stdout.close()


if __name__ == "__main__":
    main()
