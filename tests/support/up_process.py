"""`kelahiran up` as a subprocess, for the tests that start it (tests/cli/test_up.py, tests/crash)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

PORT_OPTIONS = ("--temporal-port", "--temporal-ui-port", "--api-port", "--dukcapil-port",
                "--bpjs-port", "--worker-metrics-port", "--worker-health-port", "--callbacks-port",
                "--sms-port")
URL = re.compile(r"https?://\S+")


def distinct_free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def up_argv(data_dir: Path, ports: list[int], *more: str) -> list[str]:
    port_args = [a for opt, port in zip(PORT_OPTIONS, ports, strict=True) for a in (opt, str(port))]
    # `python -m cli`, as `up` itself runs its children: no activated venv needed.
    return [sys.executable, "-m", "cli", "up", "--data-dir", str(data_dir), *port_args, *more]


class Up:
    """One `kelahiran up` subprocess; its output is collected on a thread."""

    def __init__(self, data_dir: Path, ports: list[int], *more: str,
                 env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(up_argv(data_dir, ports, *more), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        self.lines: list[str] = []
        self.settled = threading.Event()  # up and serving, or gone
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if "Ctrl-C to stop" in line:
                self.settled.set()
        self.settled.set()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_up(self, timeout: float = 240) -> list[str]:
        """The printed URLs, once `up` says it is up."""
        assert self.settled.wait(timeout), f"not up within {timeout} s:\n{self.output}"
        assert self.proc.poll() is None, f"exited with {self.proc.returncode}:\n{self.output}"
        return URL.findall(self.output)

    def children(self) -> dict[int, str]:
        """pid -> command line of each direct child, from /proc."""
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[1]) == self.proc.pid:
                    cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                    found[int(stat.parent.name)] = cmdline.decode().strip()
            except (OSError, ValueError, IndexError):
                continue  # the process went away while we looked
        return found

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 20) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`kelahiran up` did not exit within {timeout} s of {sig.name}:\n{self.output}")

    def kill(self) -> None:
        """Test cleanup: the children die with it (parent-death signal)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    def wait_for(self, text: str, timeout: float = 120) -> None:
        """Until `up` has printed `text` (say, that a restarted child is ready again)."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self.proc.poll() is None, f"`up` exited with {self.proc.returncode}:\n{self.output}"
            assert time.monotonic() < deadline, f"not printed within {timeout} s: {text!r}\n{self.output}"
            time.sleep(0.2)

    def child(self, ending: str) -> int:
        """The pid of the one child whose command line ends with `ending` (`cli worker`, `cli api`)."""
        found = [pid for pid, cmd in self.children().items() if cmd.endswith(ending)]
        assert len(found) == 1, (ending, self.children())
        return found[0]


def running(pids) -> list[int]:
    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 3
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left

