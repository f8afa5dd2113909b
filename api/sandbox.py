"""The workflow sandbox without a sandbox re-entry for every payload.

temporalio (1.35) asks a sandboxed workflow for each payload's serialisation context by re-entering
the sandbox: an `exec` of a code string inside the importer's `applied()` swap of the module table,
once per payload sequence of every activation and completion. In the worker's GIL samples at
saturation that was ~10 % of the time (`_Instance.get_serialization_context`, py-spy).

The context is plain data the workflow instance already holds (namespace, workflow id, the pending
command's activity or child workflow), built from classes passed through to the sandbox; nothing is
imported and no workflow code runs. So this runner reads it from the in-sandbox object directly.
Workflow code itself still runs in the sandbox, with its restrictions, exactly as before.

It leans on two private names of the SDK (`_Instance`, the `__temporal_in_sandbox` global); if a new
SDK version moves them, it falls back to the SDK's own path (tests/api/test_sandbox.py checks that
the fast path is the one taken, so an upgrade that loses it is noticed).
"""

from __future__ import annotations

from typing import Any

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


class DirectContextSandboxRunner(SandboxedWorkflowRunner):
    """SandboxedWorkflowRunner whose instances answer serialisation-context questions directly."""

    def create_instance(self, det):  # noqa: ANN001, ANN201 - the SDK's signature
        return _DirectContextInstance(det, self.runner_class, self.restrictions)
