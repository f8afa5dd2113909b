"""`kelahiran up` end to end: every printed URL answers, files are private, a child that dies is
restarted, Ctrl-C stops everything, data survives."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from infra.temporal_bin import temporal_cli
from tests.support import payloads
from tests.support.up_process import PORT_OPTIONS, Up, distinct_free_ports, running, up_argv


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
        # Progress per stage, each child named as it becomes ready.
        for line in ("[1/4]", "[2/4]", "[3/4]", "[4/4]", "  temporal ready", "  dukcapil-sim ready",
                     "  worker ready", "  api ready", "  callbacks ready"):
            assert line in up.output, line
        # The other commands find the stack here.
        urls = json.loads((data / "urls.json").read_text())
        assert urls["api"] == api and urls["temporal"] == temporal_address
        assert_private(data)
        second = subprocess.run(up_argv(data, distinct_free_ports(len(PORT_OPTIONS))),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2 and "in use by another `kelahiran up`" in second.stderr
        assert up.stop(signal.SIGINT) == 0, up.output
        assert running(children) == [], children
        assert "stopped" in up.output
    finally:
        up.kill()
    assert {"temporal.db", "kelahiran.db", "dukcapil.db", "bpjs.db"} <= {p.name for p in data.iterdir()}
    assert_private(data, running=False)
    # A data folder left readable (an older `up`, a careless copy) is tightened on the next start.
    (data / "logs" / "api.log").chmod(0o644)
    data.chmod(0o755)

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
        assert_private(data)
        children = again.children()
        assert again.stop(signal.SIGTERM) == 0, again.output
        assert running(children) == [], children
    finally:
        again.kill()


def assert_private(data: Path, *, running: bool = True) -> None:
    """The data folder and every folder in it 0700, every file 0600: databases with their -wal and
    -shm, the Temporal database, logs, keys, credentials, urls.json and the lock."""
    names = set()
    for folder, _, files in os.walk(data):
        assert Path(folder).stat().st_mode & 0o777 == 0o700, folder
        for name in files:
            names.add(name)
            assert (Path(folder) / name).stat().st_mode & 0o777 == 0o600, name
    expected = {"temporal.db", "kelahiran.db", "sms.db", "payload-keys", "readmodel-keys",
                "demo-credentials.json", "up.lock", "temporal.log", "api.log", "worker.log"}
    assert expected <= names, expected - names
    if running:  # SQLite's write-ahead logs exist while the databases are open
        assert {"kelahiran.db-wal", "temporal.db-wal", "temporal.db-shm"} <= names, names


@pytest.mark.integration
@pytest.mark.timeout(600)
def test_up_restarts_a_worker_and_an_api_that_die_and_keeps_serving(tmp_path):
    up = Up(tmp_path / "data", distinct_free_ports(len(PORT_OPTIONS)))
    try:
        urls = up.wait_up()
        api = urls[0]
        for ending, name in (("cli worker", "worker"), ("cli api", "api")):
            before = up.child(ending)
            os.kill(before, signal.SIGKILL)
            up.wait_for(f"{name} stopped unexpectedly (killed by SIGKILL); restarting in 1 s")
            up.wait_for(f"{name} is ready again")
            assert up.proc.poll() is None and up.child(ending) != before
        assert http("GET", f"{api}/ready").status_code == 200
        log = (tmp_path / "data" / "logs" / "up.log").read_text()
        assert "worker stopped unexpectedly" in log and "api is ready again" in log
        children = up.children()
        assert up.stop(signal.SIGINT) == 0, up.output
        assert running(children) == [], children
    finally:
        up.kill()


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_child_that_fails_before_it_is_ready_stops_up_with_its_log(tmp_path):
    up = Up(tmp_path / "data", distinct_free_ports(len(PORT_OPTIONS)), env={"DUKCAPIL_SIM_FAMILIES": "0"})
    try:
        assert up.proc.wait(180) == 1, up.output
        assert "dukcapil-sim failed while starting" in up.output
        assert "last lines of" in up.output and "families" in up.output  # the child's own complaint
        assert "restarting" not in up.output
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
