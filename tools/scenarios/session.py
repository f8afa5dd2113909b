"""A run of many scenarios: which stack each one gets, in file order.

On the runner's own stacks, scenarios without time jumps share one stack on the Temporal dev server
(each draws families no other scenario of the run uses). A scenario that jumps gets a fresh
time-skipping stack of its own: a jump moves Temporal's clock for good, while the API still
judges birth dates by the wall clock, so no other scenario could share that clock.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from infra.settings import DEV_DUKCAPIL_CLIENT_ID, DEV_DUKCAPIL_CLIENT_SECRET
from tools.scenarios.loader import LoadedScenario
from tools.scenarios.result import Line, Listener, ScenarioResult
from tools.scenarios.runner import ScenarioRun
from tools.scenarios.target import Target, embedded, running


@dataclass(frozen=True)
class RunningStack:
    api_url: str
    dukcapil_url: str
    bpjs_url: str
    temporal_address: str
    temporal_namespace: str = "default"
    admin_token: str = "dev-admin-token"  # noqa: S105 - the simulators' development default
    payload_keys: str = field(default="", repr=False)
    dukcapil_client_id: str = DEV_DUKCAPIL_CLIENT_ID
    dukcapil_client_secret: str = field(default=DEV_DUKCAPIL_CLIENT_SECRET, repr=False)
    admin_user: str | None = None  # an admin account of that stack: the runner registers hospitals
    admin_password: str | None = field(default=None, repr=False)
    sms_url: str | None = None  # its SMS gateway simulator, for scenarios that fault it


def jumping(items: list[LoadedScenario]) -> list[LoadedScenario]:
    return [i for i in items if i.scenario.jumps]


async def run_scenarios(items: list[LoadedScenario], *, listener: Listener, data_dir: Path,
                        stack: RunningStack | None = None) -> list[ScenarioResult]:
    """Run every scenario in order; a scenario's failure never stops the others."""
    results: list[ScenarioResult] = []
    if stack is not None:
        async with running(api_url=stack.api_url, dukcapil_url=stack.dukcapil_url, bpjs_url=stack.bpjs_url,
                           admin_token=stack.admin_token, temporal_address=stack.temporal_address,
                           temporal_namespace=stack.temporal_namespace,
                           payload_keys=stack.payload_keys, dukcapil_client_id=stack.dukcapil_client_id,
                           dukcapil_client_secret=stack.dukcapil_client_secret,
                           admin_user=stack.admin_user, admin_password=stack.admin_password,
                           sms_url=stack.sms_url) as target:
            used: set[str] = set()
            for item in items:
                results.append(await ScenarioRun(item, target, listener, used).run())
        return results
    seeded = data_dir / "seeded"
    async with contextlib.AsyncExitStack() as shared_stacks:
        shared: Target | None = None
        shared_used: set[str] = set()
        for item in items:
            try:
                if item.scenario.jumps:
                    async with embedded(data_dir / item.scenario.name, time_skipping=True,
                                        seeded=seeded) as target:
                        results.append(await ScenarioRun(item, target, listener, set()).run())
                    continue
                if shared is None:
                    shared = await shared_stacks.enter_async_context(
                        embedded(data_dir / "shared", time_skipping=False, seeded=seeded))
                results.append(await ScenarioRun(item, shared, listener, shared_used).run())
            except Exception as exc:  # noqa: BLE001 - a stack that cannot start fails its scenarios only
                results.append(_stack_failed(item, exc, listener))
    return results


def _stack_failed(item: LoadedScenario, exc: Exception, listener: Listener) -> ScenarioResult:
    sc = item.scenario
    message = f"the stack did not start: {type(exc).__name__}: {exc}"
    result = ScenarioResult(name=sc.name, path=item.path, description=sc.description, covers=sc.covers,
                            error=message, lines=[Line("setup", "stack", ok=False, detail=message)])
    listener.started(sc.name, item.path, sc.description, "")
    listener.line(result.lines[0])
    listener.finished(result)
    return result
