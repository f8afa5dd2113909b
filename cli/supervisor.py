"""A tiny foreground process supervisor: start children in order, wait until ready, restart those that
die, stop in reverse."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ReadyCheck = Callable[[], bool]
RUN_HEADER = "\n=== "  # starts each run's section of a log file
PROGRESS_EVERY = 10.0  # seconds between "still waiting" lines while a child starts


def tcp_open(host: str, port: int) -> ReadyCheck:
    """Ready once something accepts TCP connections on host:port."""

    def check() -> bool:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return True
        return False

    return check


def http_ok(url: str) -> ReadyCheck:
    """Ready once GET url answers 2xx."""
    # urllib, not httpx: importing httpx costs every `kelahiran` process ~0.4 s. No proxies:
    # a developer's HTTP(S)_PROXY must not intercept loopback checks.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def check() -> bool:
        try:
            with opener.open(url, timeout=2) as response:
                return 200 <= response.status < 300
        except (OSError, ValueError):  # URLError and HTTPError are OSErrors
            return False

    return check


def port_in_use(host: str, port: int) -> bool:
    """Whether binding host:port fails right now (someone else is listening there)."""
    with socket.socket() as s:
        # SO_REUSEADDR as servers set it, so a just-stopped stack's TIME_WAIT does not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def child_setup() -> Callable[[], None] | None:
    """What a child runs before exec: on Linux, have the kernel SIGTERM it if its supervisor is
    killed outright."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: preexec_fn must stay trivial
    pr_set_pdeathsig = 1

    def setup() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return setup


@dataclass
class ChildProcess:
    """One named child; its stdout and stderr append to log_path."""

    name: str
    argv: Sequence[str]
    env: dict[str, str]
    log_path: Path
    ready: Sequence[ReadyCheck] = ()
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            stamp = datetime.now().isoformat(timespec="seconds")
            log.write(f"{RUN_HEADER}{stamp} starting {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            # A session of its own: the terminal's Ctrl-C reaches only the supervisor, which
            # then stops the children in reverse dependency order.
            self.proc = subprocess.Popen(  # noqa: S603 - argv is built by us, never from input
                list(self.argv),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=child_setup(),
            )

    def exit_code(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def is_ready(self) -> bool:
        return all(check() for check in self.ready)

    def stop(self, grace: float) -> None:
        """SIGTERM the child's process group, then SIGKILL it after `grace` seconds."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.kill()
        self._signal(signal.SIGKILL)  # whatever the child left behind in its group

    def kill(self) -> None:
        if self.proc is not None:
            self._signal(signal.SIGKILL)
            self.proc.wait()

    def _signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def log_tail(self, lines: int = 25) -> str:
        """The last lines this run wrote (logs append across runs)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - 64_000))
                text = log.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        this_run = text[max(0, text.rfind(RUN_HEADER)) :]
        return "\n".join(this_run.rstrip().splitlines()[-lines:])


class ChildFailed(RuntimeError):
    """A child exited, failed or was not ready in time; the message names it and shows its log."""

    def __init__(self, child: ChildProcess, reason: str) -> None:
        self.child = child
        super().__init__(
            f"{child.name} {reason}.\n--- last lines of {child.log_path} ---\n{child.log_tail()}"
        )


class Supervisor:
    """Owns the children: starts them in stages, keeps them running, stops them in reverse order.

    A child that fails before it was first ready is an error (ChildFailed: nothing to go back to);
    one that dies after it was ready is restarted, after 1 s, then 2, 4... up to 30 s between
    tries, forever: the others keep serving meanwhile (the API keeps accepting births while the
    worker or Temporal come back). A child that stays up for `steady` seconds starts again at 1 s.
    """

    def __init__(self, *, grace: float = 10.0, poll: float = 0.2, backoff: tuple[float, float] = (1.0, 30.0),
                 steady: float = 60.0, say: Callable[[str], None] = lambda _: None) -> None:
        self.grace = grace
        self.poll = poll
        self.backoff = backoff
        self.steady = steady
        self.say = say
        self.children: list[ChildProcess] = []
        self.tending: dict[str, Tending] = {}

    def start(self, *children: ChildProcess, timeout: float) -> None:
        """Start children together, then wait until each is ready (in the order given), saying so."""
        began = time.monotonic()
        for child in children:
            self.children.append(child)  # first, so an interrupt in Popen still stops it
            self.tending[child.name] = Tending(backoff=self.backoff[0])
            child.start()
        deadline = began + timeout
        for child in children:
            told = began
            while not child.is_ready():
                self._raise_if_exited(child, "failed while starting")
                now = time.monotonic()
                if now > deadline:
                    raise ChildFailed(child, f"was not ready within {timeout:.0f} s")
                if now - told >= PROGRESS_EVERY:  # a silent minute looks like a hang
                    self.say(f"  waiting for {child.name} ({now - began:.0f} s)")
                    told = now
                time.sleep(self.poll)
            now = time.monotonic()
            self.tending[child.name].ready(now)
            self.say(f"  {child.name} ready ({now - began:.1f} s)")

    def run_once(self, child: ChildProcess, *, timeout: float) -> None:
        """Run a one-shot child to completion; it must exit 0 within timeout."""
        self.children.append(child)
        child.start()
        assert child.proc is not None
        try:
            code = child.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise ChildFailed(child, f"did not finish within {timeout:.0f} s") from None
        if code != 0:
            raise ChildFailed(child, f"failed ({_describe_exit(code)})")
        self.children.remove(child)

    def watch(self, until: Callable[[], bool] = lambda: False) -> None:
        """Keep the children running (until `until()` holds: tests), restarting those that die."""
        while not until():
            self.tend()
            time.sleep(self.poll)

    def tend(self) -> None:
        """One look at every child: restart the dead after their backoff, notice the restarted ready."""
        for child in list(self.children):
            self._tend(child, self.tending.setdefault(child.name, Tending(backoff=self.backoff[0])))

    def _tend(self, child: ChildProcess, st: Tending) -> None:
        now = time.monotonic()
        if st.restart_at is not None:
            if now >= st.restart_at:
                st.restart_at, st.restarts, st.started_at = None, st.restarts + 1, now
                self.say(f"restarting {child.name} (restart {st.restarts})")
                child.start()
            return
        code = child.exit_code()
        if code is not None:
            if st.ready_at is None and st.restarts == 0:
                raise ChildFailed(child, f"stopped before it was ready ({_describe_exit(code)})")
            delay, st.backoff = st.backoff, min(st.backoff * 2, self.backoff[1])
            st.restart_at, st.ready_at = now + delay, None
            self.say(f"{child.name} stopped unexpectedly ({_describe_exit(code)}); restarting in "
                     f"{delay:g} s (log: {child.log_path})")
            return
        if st.ready_at is None:
            if st.restarts and child.is_ready():  # restarted, and now ready
                st.ready(now)
                self.say(f"{child.name} is ready again ({now - st.started_at:.1f} s after restart "
                         f"{st.restarts})")
        elif now - st.ready_at >= self.steady:
            st.backoff = self.backoff[0]

    def stop_all(self, say: Callable[[str], None] = lambda _: None) -> None:
        """Stop every child, last started first; a second interrupt kills the rest at once."""
        try:
            for child in reversed(self.children):
                if child.exit_code() is None:
                    say(f"stopping {child.name}")
                child.stop(self.grace)
        except KeyboardInterrupt:
            for child in self.children:
                child.kill()
        self.children.clear()
        self.tending.clear()

    @staticmethod
    def _raise_if_exited(child: ChildProcess, when: str) -> None:
        code = child.exit_code()
        if code is not None:
            raise ChildFailed(child, f"{when} ({_describe_exit(code)})")


@dataclass
class Tending:
    """What the supervisor knows of one child beyond its process: when it was ready, its restarts."""

    backoff: float
    ready_at: float | None = None  # monotonic; None while (re)starting
    restart_at: float | None = None  # set while waiting out the backoff
    started_at: float = 0.0
    restarts: int = 0

    def ready(self, now: float) -> None:
        self.ready_at = now


def _describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"
