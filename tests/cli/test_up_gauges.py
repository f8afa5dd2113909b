"""`kelahiran up` gives the read model's gauges to exactly one child, the callback dispatcher (as
compose does), whatever the shell exports; checked on the children's environments, no stack started."""

from __future__ import annotations

import os

import pytest

from cli.stack import Ports, Stack, children
from infra.settings import Settings

PG = "postgresql+psycopg://k:k@127.0.0.1:5432/k"


@pytest.mark.parametrize("shell", [None, "true", "false"])
def test_only_the_dispatcher_counts_the_gauges(tmp_path, monkeypatch, shell):
    if shell is None:
        monkeypatch.delenv("KELAHIRAN_METRICS_GAUGES", raising=False)
    else:
        monkeypatch.setenv("KELAHIRAN_METRICS_GAUGES", shell)
    stack = Stack(host="127.0.0.1", ports=Ports(7233, 8233, 8000, 8101, 8102, 9464, 9465), data=tmp_path,
                  database_url=PG, api_replicas=2, worker_replicas=2)
    kids = children(stack, 5.0)
    every = [*kids.simulators, kids.migrate, *kids.workers, *kids.apis, kids.callbacks]
    exporting = [c.name for c in every if c.env.get("KELAHIRAN_METRICS_GAUGES") == "true"]
    assert exporting == ["callbacks"]

    def gauges_on(env: dict[str, str]) -> bool:
        """What the child's settings (cli/dispatcher_process.py reads these) make of its environment."""
        with monkeypatch.context() as m:
            for name in [n for n in os.environ if n.startswith("KELAHIRAN_")]:
                m.delenv(name)
            for name, value in env.items():
                m.setenv(name, value)
            return Settings().metrics_gauges

    assert gauges_on(kids.callbacks.env) is True
    assert gauges_on(kids.apis[0].env) is False
