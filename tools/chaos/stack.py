"""The stack the chaos stages break: `kelahiran up` in a session of its own, on ports kept across restarts."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil

from tools.bench.stack import child_pids, spaced_free_ports, up_argv

NAMES = ["temporal", "ui", "api", "dukcapil", "bpjs", "metrics", "health", "callbacks", "sms"]
READY = "Ctrl-C to stop"  # `up`'s last line once every child is ready


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    try:
        with opener.open(url, timeout=2) as r:
            return 200 <= r.status < 300
    except (OSError, ValueError):
        return False


class ChaosUp:
    """One data folder and one set of ports; `up` may be started on them again after it was killed."""

    def __init__(self, data: Path, *, population: int, timeout: float = 180.0) -> None:
        self.data, self.timeout = data, timeout
        self.ports = spaced_free_ports(NAMES, {})
        self.out = data / "up.out"  # `up`'s own output, appended across starts (and scanned for PII)
        own = ("KELAHIRAN_", "TEMPORAL_", "DUKCAPIL_SIM_", "BPJS_SIM_", "SMS_SIM_")
        # The stack's settings, not the caller's environment, decide what runs.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
        self.env["DUKCAPIL_SIM_FAMILIES"] = self.env["BPJS_SIM_FAMILIES"] = str(population)
        self.proc: subprocess.Popen[bytes] | None = None
        self._mark = 0  # where in up.out the current start's output begins

    @property
    def urls(self) -> dict:
        return json.loads((self.data / "urls.json").read_text())

    def start(self) -> None:
        """Start `up` and wait until it says every child is ready."""
        self.data.mkdir(parents=True, exist_ok=True)
        self._mark = self.out.stat().st_size if self.out.exists() else 0
        with self.out.open("ab") as log:
            # A session of its own: a power loss is every process of it killed at once.
            self.proc = subprocess.Popen(up_argv(self.data, self.ports, timeout=self.timeout),  # noqa: S603
                                         env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_for(READY, self.timeout * 3)
        api = f"http://127.0.0.1:{self.ports['api']}"
        deadline = time.monotonic() + 60
        while not _ready(api + "/ready"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API is not ready:\n{self.tail()}")
            time.sleep(0.2)

    def alive(self) -> None:
        """Raise if `up` has exited: it only does when told to stop, or when a child cannot start."""
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise RuntimeError(f"`kelahiran up` exited ({code}) in the middle of the run:\n{self.tail()}")

    def since_start(self) -> str:
        with self.out.open("rb") as f:
            f.seek(self._mark)
            return f.read().decode(errors="replace")

    def tail(self, chars: int = 3000) -> str:
        return self.out.read_text(errors="replace")[-chars:] if self.out.exists() else ""

    def wait_for(self, text: str, timeout: float, *, after: int = 0) -> None:
        """Until this start of `up` has printed `text` (at or after offset `after` of its output)."""
        deadline = time.monotonic() + timeout
        while text not in self.since_start()[after:]:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"`kelahiran up` exited while waiting for {text!r}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not printed within {timeout:.0f} s: {text!r}\n{self.tail()}")
            time.sleep(0.2)

    def said(self) -> int:
        """An offset into this start's output, for wait_for(after=...)."""
        return len(self.since_start())

    def pid(self, role: str) -> int:
        assert self.proc is not None
        return child_pids(self.proc.pid)[role]

    def power_loss(self) -> None:
        """SIGKILL `up` and every process under it, children first, in one go: nothing shuts down."""
        assert self.proc is not None
        under = psutil.Process(self.proc.pid).children(recursive=True)
        for p in under:
            with contextlib.suppress(psutil.Error):
                p.send_signal(signal.SIGKILL)
        self.proc.kill()
        self.proc.wait(30)
        psutil.wait_procs(under, timeout=30)

    def stop(self) -> None:
        """SIGTERM: `up` stops its children in reverse order; SIGKILL after a minute."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with self.out.open("ab") as log:  # so that a stop from elsewhere can be told from ours
            log.write(b"(kelahiran chaos: stopping up with SIGTERM)\n")
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.power_loss()
