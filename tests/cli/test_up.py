"""`kelahiran up` end to end: every printed URL answers, Ctrl-C stops everything, data survives."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from infra.temporal_bin import temporal_cli
from tests.support import payloads

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

    def __init__(self, data_dir: Path, ports: list[int], *more: str) -> None:
        self.proc = subprocess.Popen(up_argv(data_dir, ports, *more), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
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


def http(method: str, url: str, **kw) -> httpx.Response:
    return httpx.request(method, url, timeout=15, trust_env=False, follow_redirects=True, **kw)


@pytest.mark.integration
@pytest.mark.timeout(900)
def test_up_serves_every_url_stops_on_ctrl_c_and_keeps_data_on_restart(tmp_path):
    data, ports = tmp_path / "data", distinct_free_ports(len(PORT_OPTIONS))
    temporal_address = f"127.0.0.1:{ports[0]}"

    up = Up(data, ports)
    try:
        urls = up.wait_up()
        # API, docs, console, Web UI, three simulators, worker metrics and health, callbacks
        assert len(urls) == 10, up.output
        for url in urls:
            assert http("GET", url).status_code < 500, url
        api = urls[0]
        assert http("GET", f"{api}/ready").status_code == 200
        # First start: a demo hospital key and accounts, printed and kept readable by the owner only.
        demo_file = data / "demo-credentials.json"
        demo = json.loads(demo_file.read_text())
        assert demo_file.stat().st_mode & 0o077 == 0
        assert demo["hospital_key"] in up.output and demo["admin_password"] in up.output
        HOSPITAL = {"X-API-Key": demo["hospital_key"]}
        assert http("POST", f"{api}/v1/births", json=payloads.manual()).status_code == 401
        login = http("POST", f"{api}/v1/auth/login",
                     json={"username": demo["admin_user"], "password": demo["admin_password"]})
        assert login.status_code == 200 and login.json()["role"] == "admin"
        created = http("POST", f"{api}/v1/births", json=payloads.manual(), headers=HOSPITAL)
        assert created.status_code == 202, created.text
        bundle_url = urljoin(api + "/", created.json()["status_url"])
        children = up.children()
        # temporal, three simulators, worker, api, callbacks (migrate ended)
        assert len(children) == 7, children
        second = subprocess.run(up_argv(data, distinct_free_ports(len(PORT_OPTIONS))),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2 and "in use by another `kelahiran up`" in second.stderr
        assert up.stop(signal.SIGINT) == 0, up.output
        assert running(children) == [], children
        assert "stopped" in up.output
    finally:
        up.kill()
    assert {"temporal.db", "kelahiran.db", "dukcapil.db", "bpjs.db"} <= {p.name for p in data.iterdir()}

    again = Up(data, ports)
    try:
        again.wait_up()
        assert demo["hospital_key"] in again.output  # the same credentials, printed again
        got = http("GET", bundle_url, headers=HOSPITAL)
        assert got.status_code == 200 and got.json()["bundle_id"] == created.json()["bundle_id"]
        listed = subprocess.run(
            [temporal_cli(), "workflow", "list", "--address", temporal_address, "-o", "json"],
            capture_output=True, text=True, timeout=60, check=True,
        )
        assert json.loads(listed.stdout or "[]"), "the bundle's workflow did not survive the restart"
        children = again.children()
        assert again.stop(signal.SIGTERM) == 0, again.output
        assert running(children) == [], children
    finally:
        again.kill()


@pytest.mark.integration
@pytest.mark.timeout(600)
def test_up_names_a_child_that_dies_and_stops_the_rest(tmp_path):
    up = Up(tmp_path / "data", distinct_free_ports(len(PORT_OPTIONS)))
    try:
        up.wait_up()
        children = up.children()
        worker = next(pid for pid, cmd in children.items() if cmd.endswith("cli worker"))
        os.kill(worker, signal.SIGKILL)
        assert up.proc.wait(30) == 1, up.output
        assert "worker stopped unexpectedly (killed by SIGKILL)" in up.output
        assert "last lines of" in up.output and "worker.log" in up.output
        assert running(children) == [], children
    finally:
        up.kill()


def test_up_refuses_a_port_that_is_taken(tmp_path):
    ports = distinct_free_ports(len(PORT_OPTIONS))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ports[2]))
        taken.listen()
        out = subprocess.run(up_argv(tmp_path / "data", ports), capture_output=True, text=True,
                             timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"port already in use on 127.0.0.1: {ports[2]} (api)" in out.stderr
    assert not (tmp_path / "data").exists()  # nothing was started


def test_up_refuses_duplicate_ports(tmp_path):
    ports = distinct_free_ports(len(PORT_OPTIONS))
    ports[4] = ports[3]
    out = subprocess.run(up_argv(tmp_path / "data", ports), capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and "every port must be different" in out.stderr


def test_the_read_model_is_sqlite_in_the_data_dir_unless_a_database_is_given(tmp_path):
    from cli.stack import Ports, Stack, app_env

    ports = Ports(*distinct_free_ports(7))
    default = Stack(host="127.0.0.1", ports=ports, data=tmp_path)
    assert app_env(default, 5.0)["KELAHIRAN_DATABASE_URL"] == f"sqlite:///{tmp_path / 'kelahiran.db'}"
    pg = "postgresql+psycopg://postgres@127.0.0.1:5432/kelahiran_bench"
    assert app_env(Stack(host="127.0.0.1", ports=ports, data=tmp_path, database_url=pg),
                   5.0)["KELAHIRAN_DATABASE_URL"] == pg


PG = "postgresql+psycopg://postgres@127.0.0.1:5432/kelahiran"


def test_replicas_listen_a_step_apart_with_their_own_names_logs_and_ports(tmp_path):
    from cli.stack import Ports, Stack, children

    ports = Ports(7233, 8233, 8000, 8101, 8102, 9464, 9465)  # the defaults
    one = children(Stack(host="127.0.0.1", ports=ports, data=tmp_path), 5.0)
    assert [c.name for c in (*one.workers, *one.apis)] == ["worker", "api"]  # as before replicas
    stack = Stack(host="127.0.0.1", ports=ports, data=tmp_path, database_url=PG, api_replicas=2,
                  worker_replicas=3)
    assert stack.api_ports() == [8000, 8010]
    assert stack.worker_ports() == [(9464, 9465), (9474, 9475), (9484, 9485)]
    named = stack.named_ports()
    assert len(set(named.values())) == len(named) == 9 + 1 + 2 * 2  # the defaults never collide
    kids = children(stack, 5.0)
    assert [c.name for c in kids.apis] == ["api-1", "api-2"]
    assert [c.env["KELAHIRAN_API_PORT"] for c in kids.apis] == ["8000", "8010"]
    assert [c.name for c in kids.workers] == ["worker-1", "worker-2", "worker-3"]
    assert [(c.env["KELAHIRAN_WORKER_METRICS_PORT"], c.env["KELAHIRAN_WORKER_HEALTH_PORT"])
            for c in kids.workers] == [("9464", "9465"), ("9474", "9475"), ("9484", "9485")]
    assert {c.log_path.name for c in (*kids.workers, *kids.apis)} == {
        "worker-1.log", "worker-2.log", "worker-3.log", "api-1.log", "api-2.log"}
    every = [*kids.workers, *kids.apis, kids.callbacks]
    assert {c.env["KELAHIRAN_DATABASE_URL"] for c in every} == {PG}  # one read model for all
    # The family's link and the UI's codec point at the first API.
    assert {c.env["KELAHIRAN_API_PORT"] for c in (*kids.workers, kids.callbacks)} == {"8000"}
    assert "http://127.0.0.1:8000/codec" in kids.temporal.argv
    # Consecutive ports would not do: the worker's own ports are consecutive (`up` refuses them).
    crowded = Stack(host="127.0.0.1", ports=ports, data=tmp_path, database_url=PG, worker_replicas=2,
                    port_step=1)
    assert crowded.named_ports()["worker_metrics-2"] == crowded.ports.worker_health


def test_up_refuses_replicas_on_sqlite(tmp_path):
    out = subprocess.run(up_argv(tmp_path / "data", distinct_free_ports(len(PORT_OPTIONS)),
                                 "--worker-replicas", "2"), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "PostgreSQL" in out.stderr and "--database-url" in out.stderr
    assert not (tmp_path / "data").exists()  # nothing was started


def replica_ports(step: int) -> list[int]:
    """Free ports for PORT_OPTIONS whose API, worker metrics and health ports are free `step` on."""
    for _ in range(50):
        ports = distinct_free_ports(len(PORT_OPTIONS))
        seconds = [ports[i] + step for i in (2, 5, 6)]  # api, worker metrics, worker health
        if set(seconds).isdisjoint(ports) and all(free(p) for p in seconds):
            return ports
    raise AssertionError("no free ports")


def free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.integration
@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_up_runs_two_apis_and_two_workers_on_postgresql(tmp_path):
    from tests.support.postgres import throwaway_schema

    with throwaway_schema() as database:
        ports = replica_ports(10)
        up = Up(tmp_path / "data", ports, "--database-url", database, "--api-replicas", "2",
                "--worker-replicas", "2", "--replica-port-step", "10")
        try:
            urls = up.wait_up()
            apis = [f"http://127.0.0.1:{ports[2] + k}" for k in (0, 10)]
            assert apis[1] in urls and "API 2" in up.output and "Worker 2 health" in up.output
            for url in (*(f"{a}/ready" for a in apis),
                        *(f"http://127.0.0.1:{ports[6] + k}/health" for k in (0, 10)),
                        *(f"http://127.0.0.1:{ports[5] + k}/metrics" for k in (0, 10))):
                assert http("GET", url).status_code == 200, url
            children = up.children()
            # temporal, three simulators, two workers, two APIs, callbacks
            assert len(children) == 9, children
            assert sum(cmd.endswith("cli worker") for cmd in children.values()) == 2
            assert sum(cmd.endswith("cli api") for cmd in children.values()) == 2
            key = {"X-API-Key": json.loads((tmp_path / "data" / "demo-credentials.json").read_text())[
                "hospital_key"]}
            families = http("GET", f"http://127.0.0.1:{ports[3]}/v1/sampel/keluarga", params={
                "kab_kota": "3673", "segmen": "PBI", "marital": "KAWIN_TERCATAT",
                "belum_ada_kelahiran": "true", "limit": 2}).json()
            # One birth through each API; each is followed on the other one (one read model).
            bundles = []
            for api, fam in zip(apis, families, strict=True):
                created = http("POST", f"{api}/v1/births", json=payloads.from_family(fam), headers=key)
                assert created.status_code == 202, created.text
                bundles.append((apis[1 - apis.index(api)], created.json()["bundle_id"]))
            deadline = time.monotonic() + 120
            for other, bundle_id in bundles:
                while (status := http("GET", f"{other}/v1/births/{bundle_id}", headers=key)
                       .json()["status"]) == "in_progress" and time.monotonic() < deadline:
                    time.sleep(0.5)
                assert status == "completed", bundle_id
            assert up.stop(signal.SIGINT) == 0, up.output
            assert running(children) == [], children
        finally:
            up.kill()
