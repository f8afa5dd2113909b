"""The sandbox imports a workflow module afresh per run: compiled once, still run afresh (api/sandbox.py)."""

from __future__ import annotations

import os
import sys
from importlib.machinery import SourceFileLoader

import pytest
from temporalio import workflow
from temporalio.worker.workflow_sandbox._importer import Importer
from temporalio.worker.workflow_sandbox._restrictions import RestrictionContext, SandboxRestrictions

from api import sandbox

WORKFLOW_SOURCE = '''
from temporalio import workflow

MARK = {mark!r}

@workflow.defn(name="CodeCacheProbe")
class CodeCacheProbe:
    @workflow.run
    async def run(self) -> str:
        return MARK
'''


def import_in_sandbox(module: str, name: str) -> type:
    """What the SDK does when it sets up a workflow run: a fresh import under a new Importer."""
    importer = Importer(SandboxRestrictions.default, RestrictionContext(), workflow_module_name=module)
    scope: dict = {"__file__": "workflow_sandbox.py", "__temporal_importer": importer}
    workflow.unsafe._set_in_sandbox(True)
    try:
        exec(f"with __temporal_importer.applied():\n  from {module} import {name} as found\n",  # noqa: S102
             scope, scope)
    finally:
        workflow.unsafe._set_in_sandbox(False)
    return scope["found"]


@pytest.fixture
def compiled(monkeypatch):
    """Names of the modules compiled from source by the standard loader, in order."""
    names: list[str] = []
    original = SourceFileLoader.get_code

    def counting(self, fullname):
        names.append(fullname)
        return original(self, fullname)

    monkeypatch.setattr(SourceFileLoader, "get_code", counting)
    monkeypatch.setattr(sandbox._CachedCodeLoader, "_codes", {})
    sandbox._install_code_cache()
    return names


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    name = f"code_cache_probe_{os.getpid()}_{id(tmp_path)}"
    path = tmp_path / f"{name}.py"
    path.write_text(WORKFLOW_SOURCE.format(mark="first"))
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__(name)  # registered once outside the sandbox, as a worker does with its workflows
    yield name, path
    sys.modules.pop(name, None)


def test_each_run_gets_a_fresh_module_from_code_compiled_once(probe_module, compiled):
    name, _ = probe_module
    first = import_in_sandbox(name, "CodeCacheProbe")
    second = import_in_sandbox(name, "CodeCacheProbe")
    assert first is not second  # the module body ran again: no state is shared between runs
    assert first is not sys.modules[name].CodeCacheProbe
    assert compiled.count(name) == 1


def test_an_edited_module_is_compiled_again(probe_module, compiled):
    name, path = probe_module
    before = import_in_sandbox(name, "CodeCacheProbe")
    path.write_text(WORKFLOW_SOURCE.format(mark="second, longer"))  # another size, whatever the clock
    after = import_in_sandbox(name, "CodeCacheProbe")
    assert compiled.count(name) == 2
    scope_before = before.run.__globals__["MARK"]
    scope_after = after.run.__globals__["MARK"]
    assert (scope_before, scope_after) == ("first", "second, longer")


def test_outside_a_sandbox_imports_take_the_usual_path():
    assert not workflow.unsafe.in_sandbox()
    assert sandbox._CompiledOnce().find_spec("json", None) is None


def test_the_birth_workflow_re_runs_only_its_own_module(compiled):
    """Everything else it imports is passed through: no per-run compile or run of helper modules."""
    import workflows.kelahiran  # noqa: F401 - the worker imports it before any run

    import_in_sandbox("workflows.kelahiran", "KelahiranWorkflow")
    compiled.clear()
    sandbox._CachedCodeLoader._codes.clear()
    import_in_sandbox("workflows.kelahiran", "KelahiranWorkflow")
    assert sorted(compiled) == ["workflows", "workflows.kelahiran"]
