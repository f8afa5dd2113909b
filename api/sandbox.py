"""The workflow sandbox without a sandbox re-entry for every payload.

temporalio (1.35) asks a sandboxed workflow for each payload's serialisation context by re-entering
the sandbox: an `exec` of a code string inside the importer's `applied()` swap of the module table,
once per payload sequence of every activation and completion. In the worker's GIL samples at
saturation that was ~10 % of the time (`_Instance.get_serialization_context`, py-spy).

The context is plain data the workflow instance already holds (namespace, workflow id, the pending
command's activity or child workflow), built from classes passed through to the sandbox; nothing is
imported and no workflow code runs. So this runner reads it from the in-sandbox object directly.
Workflow code itself still runs in the sandbox, with its restrictions, exactly as before.

It also compiles each workflow module once per process. The sandbox imports the workflow's module
(and any module it does not pass through) afresh for every workflow run, through the ordinary
import machinery; where no up-to-date bytecode file exists, which is always so under
`PYTHONDONTWRITEBYTECODE=1` in a source checkout, that meant compiling the source again each time:
about 3 ms of the 4.6 ms it took to set up one KelahiranWorkflow (1.6 ms now). `_CompiledOnce`
keeps the code objects (keyed by path, modification time and size, so an edited file is compiled
again); the module body still runs afresh in each sandbox, as isolation requires.

It leans on two private names of the SDK (`_Instance`, the `__temporal_in_sandbox` global); if a new
SDK version moves them, it falls back to the SDK's own path (tests/api/test_sandbox.py checks that
the fast path is the one taken, so an upgrade that loses it is noticed).
"""

from __future__ import annotations

import os
import sys
import threading
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from importlib.util import spec_from_file_location
from types import CodeType
from typing import Any

from temporalio import workflow
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _Instance

_IN_SANDBOX = "__temporal_in_sandbox"


class _DirectContextInstance(_Instance):
    def get_serialization_context(self, command_info: Any) -> Any:
        inside = self.globals_and_locals.get(_IN_SANDBOX)
        if inside is None or not hasattr(inside, "get_serialization_context"):
            return super().get_serialization_context(command_info)
        return inside.get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        inside = self.globals_and_locals.get(_IN_SANDBOX)
        if inside is None or not hasattr(inside, "get_external_store_context"):
            return super().get_external_store_context(command_info)
        return inside.get_external_store_context(command_info)


class _CachedCodeLoader(SourceFileLoader):
    """A source loader whose code objects outlive the sandbox that imported them."""

    _codes: dict[str, tuple[tuple[int, int], CodeType]] = {}
    _lock = threading.Lock()  # workflow activations run in a thread pool

    def get_code(self, fullname: str) -> CodeType:
        st = os.stat(self.path)
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._codes.get(self.path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        code = super().get_code(fullname)
        with self._lock:
            self._codes[self.path] = (stamp, code)
        return code


class _CompiledOnce(MetaPathFinder):
    """Finds source modules for imports made inside a workflow sandbox, with cached code.

    Outside a sandbox it finds nothing, so every other import takes the usual path."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if not workflow.unsafe.in_sandbox():
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or type(spec.loader) is not SourceFileLoader or spec.origin is None:
            return None
        return spec_from_file_location(
            fullname, spec.origin, loader=_CachedCodeLoader(fullname, spec.origin),
            submodule_search_locations=spec.submodule_search_locations)


def _install_code_cache() -> None:
    if not any(isinstance(f, _CompiledOnce) for f in sys.meta_path):
        sys.meta_path.insert(0, _CompiledOnce())


class DirectContextSandboxRunner(SandboxedWorkflowRunner):
    """SandboxedWorkflowRunner whose instances answer serialisation-context questions directly
    and whose sandboxes import source modules compiled once per process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _install_code_cache()

    def create_instance(self, det):  # noqa: ANN001, ANN201 - the SDK's signature
        return _DirectContextInstance(det, self.runner_class, self.restrictions)
