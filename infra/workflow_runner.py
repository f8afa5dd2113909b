"""The workflow sandbox every worker uses (ours and the bench's floor), with our pure modules passed
through: `domain` holds only deterministic data and rules, so the sandbox shares the worker's copy
instead of importing it again for every workflow run."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSTHROUGH = ("domain",)


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH))
