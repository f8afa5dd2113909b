"""The bytecode check the worker and the bench make for the modules the sandbox imports per run."""

from __future__ import annotations

import importlib
import os
import py_compile
import sys
from pathlib import Path

import pytest

from infra.workflow_runner import loaded_modules, without_bytecode


@pytest.fixture
def fresh_package(tmp_path, monkeypatch):
    """A package `wfcheck` with one module, importable, and forgotten again afterwards."""
    pkg = tmp_path / "wfcheck"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "flow.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as PYTHONDONTWRITEBYTECODE does here
    yield pkg
    for name in [n for n in sys.modules if n == "wfcheck" or n.startswith("wfcheck.")]:
        del sys.modules[name]


def test_source_without_pyc_is_reported(fresh_package):
    importlib.import_module("wfcheck.flow")
    assert sorted(m.__name__ for m in loaded_modules("wfcheck")) == ["wfcheck", "wfcheck.flow"]
    assert without_bytecode(*loaded_modules("wfcheck")) == ["wfcheck", "wfcheck.flow"]


def test_compiled_is_current_until_the_source_changes(fresh_package):
    for f in ("__init__.py", "flow.py"):
        py_compile.compile(str(fresh_package / f))  # timestamp-based, as compileall writes by default
    mod = importlib.import_module("wfcheck.flow")
    assert without_bytecode(mod) == []
    source = Path(mod.__file__)
    source.write_text("VALUE = 22\n")  # an edit after the install's compileall
    st = source.stat()
    os.utime(source, (st.st_atime, st.st_mtime + 5))
    assert without_bytecode(mod) == ["wfcheck.flow"]


def test_hash_based_pyc_counts_as_current(fresh_package):
    py_compile.compile(str(fresh_package / "flow.py"),
                       invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    assert without_bytecode(importlib.import_module("wfcheck.flow")) == []


def test_our_workflows_have_bytecode_after_bootstrap():
    """scripts/bootstrap.sh compiles them (CI runs it first): the worker's warning stays quiet."""
    importlib.import_module("workflows.kelahiran")
    importlib.import_module("tools.bench.floor_workflow")
    assert without_bytecode(*loaded_modules("workflows", "tools.bench.floor_workflow")) == []
