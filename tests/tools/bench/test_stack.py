"""The stack the bench starts: `up`'s arguments per shape, the replicas' pids and ports, the scratch
database."""

import os
import subprocess
import sys

import psycopg
import pytest

from tools.bench.stack import PORT_STEP, child_pids, spaced_free_ports, up_argv
from tools.commands.bench import SHAPES

PORTS = dict(zip(["temporal", "ui", "api", "dukcapil", "bpjs", "metrics", "health", "callbacks", "sms"],
                 range(20000, 20009), strict=True))
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/kelahiran_bench_x"


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def test_the_embedded_shape_is_up_as_it_always_was(tmp_path):
    argv = up_argv(tmp_path, PORTS, timeout=60)
    assert argv[1:4] == ["-m", "cli", "up"]
    assert _option(argv, "--api-port") == "20002" and _option(argv, "--sms-port") == "20008"
    assert not {"--api-replicas", "--worker-replicas", "--database-url"} & set(argv)
    assert SHAPES["embedded"] == (1, 1)


def test_the_production_shape_is_two_apis_and_two_workers_on_postgresql(tmp_path):
    apis, workers = SHAPES["production"]
    argv = up_argv(tmp_path, PORTS, timeout=60, database_url=PG, api_replicas=apis, worker_replicas=workers)
    assert (_option(argv, "--api-replicas"), _option(argv, "--worker-replicas")) == ("2", "2")
    assert _option(argv, "--database-url") == PG
    assert _option(argv, "--replica-port-step") == str(PORT_STEP)


def test_replicas_ports_are_free_a_step_apart():
    ports = spaced_free_ports(list(PORTS), {"api": 2, "metrics": 3, "health": 3})
    used = [ports[n] + k * PORT_STEP for n in ports for k in range({"api": 2, "metrics": 3,
                                                                     "health": 3}.get(n, 1))]
    assert len(set(used)) == len(used) == 9 + 1 + 2 + 2


def test_replicas_are_measured_each_under_its_own_name():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    procs = [subprocess.Popen([*sleeper, *words]) for words in (
        ("cli", "worker"), ("cli", "api"), ("cli", "worker"), ("cli", "callbacks"))]
    try:
        found = child_pids(os.getpid())
    finally:
        for p in procs:
            p.kill()
            p.wait()
    ours = {p.pid for p in procs}  # the session may have children of its own (a Temporal server)
    assert {k: v for k, v in found.items() if v in ours} == {
        "worker-1": procs[0].pid, "worker-2": procs[2].pid, "api": procs[1].pid, "callbacks": procs[3].pid}


@pytest.mark.postgres
def test_the_scratch_database_is_made_empty_and_dropped():
    from tests.support.postgres import require_postgres
    from tools.bench.pgdb import SERVER, _libpq, scratch_database

    require_postgres()
    with scratch_database() as url:
        name = url.rsplit("/", 1)[-1]
        assert name.startswith("kelahiran_bench_")
        left_open = psycopg.connect(_libpq(url))  # a stack that did not let go: the drop ends it
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert left_open.execute(tables).fetchone() == (0,)
    left_open.close()
    with psycopg.connect(_libpq(SERVER)) as admin:
        assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None
