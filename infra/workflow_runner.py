"""The workflow sandbox every worker uses (ours and the bench's floor), with our pure modules passed
through: `domain` holds only deterministic data and rules, so the sandbox shares the worker's copy
instead of importing it again for every workflow run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSTHROUGH = ("domain",)


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH))


def without_bytecode(*modules: ModuleType) -> list[str]:
    """Of these modules, the ones with no current compiled bytecode (`.pyc`) beside their source.

    The sandbox imports a workflow's module afresh for every workflow run. With a current `.pyc`
    that is a load; without one it is a compile from source, every run, which no process writes
    back where `PYTHONDONTWRITEBYTECODE` is set (this machine, the image). `python -m compileall`
    at install writes them (`scripts/bootstrap.sh`, the `Dockerfile`); the worker and the bench
    warn when an edit since then has left one stale."""
    return [m.__name__ for m in modules if not _bytecode_current(m)]


def _bytecode_current(module: ModuleType) -> bool:
    source = getattr(module, "__file__", None)
    if not source or not source.endswith(".py"):
        return True  # nothing to compile (a namespace, an extension)
    try:
        header = Path(importlib.util.cache_from_source(source)).read_bytes()[:16]
        stat = Path(source).stat()
    except OSError:
        return False
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return False
    if int.from_bytes(header[4:8], "little") & 1:
        return True  # hash-based (PEP 552): checked against the source when imported
    # Timestamp-based, as compileall writes by default: the source's mtime and size (mod 2**32).
    return (int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF)


def loaded_modules(*packages: str) -> list[ModuleType]:
    """The imported modules of these packages (each name, and everything under it)."""
    return [m for name, m in list(sys.modules.items())
            if m is not None and any(name == p or name.startswith(p + ".") for p in packages)]
