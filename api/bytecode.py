"""Bytecode for the workflow modules, which the Temporal sandbox imports afresh for every workflow run.

Under PYTHONDONTWRITEBYTECODE (or from a read-only tree) no `.pyc` exists, so each of those imports
compiled the module from source: ~15 ms of worker CPU per bundle. Workers compile them once at start
into a private cache (`sys.pycache_prefix`), which the sandbox's imports then read.
"""

from __future__ import annotations

import atexit
import importlib.util
import py_compile
import shutil
import sys
import tempfile
from pathlib import Path


def precompile(*packages: str) -> int:
    """Compile every module of `packages` unless Python keeps bytecode itself; how many were compiled."""
    if not sys.dont_write_bytecode:
        return 0
    if sys.pycache_prefix is None:
        sys.pycache_prefix = tempfile.mkdtemp(prefix="kelahiran-pyc-")
        atexit.register(shutil.rmtree, sys.pycache_prefix, ignore_errors=True)
    count = 0
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        root = Path(spec.origin)
        files = root.parent.rglob("*.py") if root.name == "__init__.py" else [root]
        for path in files:
            py_compile.compile(str(path), cfile=importlib.util.cache_from_source(str(path)), doraise=True)
            count += 1
    return count
