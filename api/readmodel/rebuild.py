"""Compare the read model with the workflows' own state (drift), and rebuild it from them.

The workflows are the truth: each one's `status` query returns its state, versioned like its
read-model writes. A row can be missing, stale (another version, status, service status or content)
or orphaned (no workflow). Running bundles keep writing their own rows, so a difference only counts
as drift if it is still there after a short settle and the row did not move meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Literal, TypeVar

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from api.readmodel import crud
from api.readmodel.models import Bundle, ServiceStatusRow
from domain.bundle_state import all_services
from domain.contracts import WORKFLOW_TYPE, BundleState

RPC_TIMEOUT = timedelta(seconds=10)
T = TypeVar("T")


class DriftKind(StrEnum):
    MISSING = "missing"  # a workflow without a row
    STALE = "stale"  # a row that differs from its workflow's state
    ORPHAN = "orphan"  # a row without a workflow
    UNQUERYABLE = "unqueryable"  # a workflow whose state could not be read


@dataclass(frozen=True)
class Drift:
    bundle_id: str
    kind: DriftKind
    detail: str  # versions, statuses and service names only: never personal data


@dataclass(frozen=True)
class Observed:
    state: BundleState
    closed: bool


@dataclass(frozen=True)
class RowView:
    version: int
    status: str
    services: dict[tuple[int, str], str]
    state_json: str


@dataclass
class Survey:
    """The workflows in scope and the read model's rows, compared once."""

    observed: dict[str, Observed] = field(default_factory=dict)
    rows: dict[str, RowView] = field(default_factory=dict)
    drifts: dict[str, Drift] = field(default_factory=dict)
    workflows: int = 0


@dataclass(frozen=True)
class DriftReport:
    workflows: int
    rows: int
    drifts: list[Drift]

    def counts(self) -> dict[str, int]:
        return {k.value: sum(d.kind is k for d in self.drifts) for k in DriftKind}


@dataclass(frozen=True)
class RebuildReport:
    workflows: int
    unchanged: int
    actions: list[tuple[str, str, str]]  # (bundle id, created|overwritten|skipped|left|failed, detail)

    def counts(self) -> dict[str, int]:
        kinds = ("created", "overwritten", "skipped", "left", "failed")
        return {k: sum(a[1] == k for a in self.actions) for k in kinds}


def differences(state: BundleState, row: RowView) -> list[str]:
    """What differs, read as 'row -> workflow'."""
    out = []
    if row.version != state.version:
        out.append(f"version {row.version} -> {state.version}")
    if row.status != state.status.value:
        out.append(f"status {row.status} -> {state.status.value}")
    wanted = {(o, s.value): st.status.value for o, s, st in all_services(state)}
    changed = [f"{svc}#{o} {row.services.get((o, svc), 'none')} -> {wanted.get((o, svc), 'none')}"
               for o, svc in sorted(wanted.keys() | row.services.keys())
               if row.services.get((o, svc)) != wanted.get((o, svc))]
    if changed:
        more = f" (+{len(changed) - 3} more)" if len(changed) > 3 else ""
        out.append("services " + ", ".join(changed[:3]) + more)
    if not out:
        try:
            if BundleState.model_validate_json(row.state_json) != state:
                out.append("stored state differs")
        except ValidationError:
            out.append("stored state unreadable")
    return out


def load_rows(engine: Engine, ids: Iterable[str] | None = None) -> dict[str, RowView]:
    """Rows of the read model (all, or the given bundle ids) with their service statuses."""
    bundles, services = select(Bundle.id, Bundle.version, Bundle.status, Bundle.state_json), select(
        ServiceStatusRow.bundle_id, ServiceStatusRow.birth_order, ServiceStatusRow.service,
        ServiceStatusRow.status)
    if ids is not None:
        ids = list(ids)
        bundles = bundles.where(col(Bundle.id).in_(ids))
        services = services.where(col(ServiceStatusRow.bundle_id).in_(ids))
    with Session(engine) as session:
        found = {bid: (v, st, js) for bid, v, st, js in session.exec(bundles)}
        by_bundle: dict[str, dict[tuple[int, str], str]] = {bid: {} for bid in found}
        for bid, order, service, status in session.exec(services):
            by_bundle.setdefault(bid, {})[(order, service)] = status
    return {bid: RowView(v, st, by_bundle[bid], js) for bid, (v, st, js) in found.items()}


def store(engine: Engine, obs: Observed) -> Literal["created", "overwritten", "skipped"]:
    """Write a workflow's state over its row; a running bundle's newer row is never overwritten."""
    state = obs.state
    with Session(engine) as session:
        existed = session.exec(select(Bundle.version).where(Bundle.id == state.bundle_id)).first()
        cond = [col(Bundle.id) == state.bundle_id]
        if not obs.closed:
            cond.append(col(Bundle.version) <= state.version)
        # apply_snapshot only writes strictly newer versions: stepping the stored one just below,
        # in the same transaction, lets it replace a same-version row whose content is wrong.
        session.exec(sa.update(Bundle).where(*cond).values(version=state.version - 1))
        if not crud.apply_snapshot(session=session, state=state):
            return "skipped"
    return "overwritten" if existed is not None else "created"


async def _bounded(limit: int, calls: dict[str, Callable[[], Awaitable[T]]]) -> dict[str, T | Exception]:
    sem = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T | Exception:
        async with sem:
            try:
                return await call()
            except Exception as exc:  # noqa: BLE001 - reported per bundle
                return exc

    results = await asyncio.gather(*(one(c) for c in calls.values()))
    return dict(zip(calls, results, strict=True))


async def _query(client: Client, wf_id: str, run_id: str | None, closed: bool) -> Observed:
    handle = client.get_workflow_handle(wf_id, run_id=run_id)
    state = await handle.query("status", result_type=BundleState, rpc_timeout=RPC_TIMEOUT)
    return Observed(state, closed)


async def _lookup(client: Client, wf_id: str, task_queue: str | None) -> Observed | str | None:
    """A bundle's workflow found by id: its state, None if there is none, 'elsewhere' if out of scope."""
    try:
        desc = await client.get_workflow_handle(wf_id).describe(rpc_timeout=RPC_TIMEOUT)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    if desc.workflow_type != WORKFLOW_TYPE or (task_queue and desc.task_queue != task_queue):
        return "elsewhere"
    return await _query(client, wf_id, desc.run_id, desc.status != WorkflowExecutionStatus.RUNNING)


def _why(exc: Exception) -> str:
    return f"query failed: {type(exc).__name__}" + (f" ({exc.status.name})" if isinstance(exc, RPCError)
                                                     else "")


def _classify(survey: Survey, results: dict[str, Observed | str | None | Exception]) -> None:
    for bid, res in results.items():
        row = survey.rows.get(bid)
        if isinstance(res, Exception):
            survey.drifts[bid] = Drift(bid, DriftKind.UNQUERYABLE, _why(res))
        elif res is None:
            if row is not None:
                survey.drifts[bid] = Drift(bid, DriftKind.ORPHAN,
                                           f"row ({row.status}, version {row.version}) has no workflow")
        elif isinstance(res, Observed):
            survey.observed[bid] = res
            st = res.state
            if row is None:
                survey.drifts[bid] = Drift(bid, DriftKind.MISSING,
                                           f"no row; workflow {st.status.value}, version {st.version}")
            elif diff := differences(st, row):
                survey.drifts[bid] = Drift(bid, DriftKind.STALE, "; ".join(diff))


async def survey(client: Client, engine: Engine, *, task_queue: str | None = None,
                 concurrency: int = 16, ids: Iterable[str] | None = None) -> Survey:
    """List the bundles' workflows (or look up `ids`), query each, and compare with the rows."""
    ids = list(ids) if ids is not None else None
    out = Survey()
    calls: dict[str, Callable[[], Awaitable[Observed | str | None]]] = {}
    if ids is None:
        query = f'WorkflowType = "{WORKFLOW_TYPE}"'
        if task_queue:
            query += f' AND TaskQueue = "{task_queue}"'
        latest: dict[str, tuple] = {}
        async for wf in client.list_workflows(query, rpc_timeout=RPC_TIMEOUT):
            if wf.id not in latest or wf.start_time > latest[wf.id][2]:
                latest[wf.id] = (wf.run_id, wf.status != WorkflowExecutionStatus.RUNNING, wf.start_time)
        calls = {wid: (lambda w=wid, r=run, c=closed: _query(client, w, r, c))
                 for wid, (run, closed, _) in latest.items()}
    out.rows = await asyncio.to_thread(load_rows, engine, ids)
    # Rows the listing did not name: truly orphaned, out of scope, or started since the listing.
    for bid in (out.rows.keys() | set(ids or ())) - calls.keys():
        calls[bid] = lambda b=bid: _lookup(client, b, task_queue)
    results = await _bounded(concurrency, calls)
    out.workflows = sum(isinstance(r, Observed | Exception) for r in results.values())
    _classify(out, results)
    return out


async def check_drift(client: Client, engine: Engine, *, task_queue: str | None = None,
                      concurrency: int = 16, settle_seconds: float = 2.0) -> DriftReport:
    """Drift between the read model and the workflows; differences that heal within
    `settle_seconds` (a running bundle writing its row) are not reported."""
    first = await survey(client, engine, task_queue=task_queue, concurrency=concurrency)
    drifts = first.drifts
    if drifts and settle_seconds > 0:
        await asyncio.sleep(settle_seconds)
        again = await survey(client, engine, task_queue=task_queue, concurrency=concurrency,
                             ids=drifts.keys())
        drifts = {bid: d for bid, d in again.drifts.items()
                  if bid in drifts and first.rows.get(bid) == again.rows.get(bid)}
    ordered = sorted(drifts.values(), key=lambda d: (list(DriftKind).index(d.kind), d.bundle_id))
    return DriftReport(workflows=first.workflows, rows=len(first.rows), drifts=ordered)


async def rebuild(client: Client, engine: Engine, *, task_queue: str | None = None,
                  concurrency: int = 16) -> RebuildReport:
    """Write every workflow's state where its row is missing or differs; orphan rows are left."""
    found = await survey(client, engine, task_queue=task_queue, concurrency=concurrency)
    actions: list[tuple[str, str, str]] = []
    for bid, drift in sorted(found.drifts.items()):
        if drift.kind in (DriftKind.MISSING, DriftKind.STALE):
            outcome = await asyncio.to_thread(store, engine, found.observed[bid])
            note = drift.detail if outcome != "skipped" else "the row is newer than the queried state"
            actions.append((bid, outcome, note))
        elif drift.kind is DriftKind.ORPHAN:
            actions.append((bid, "left", drift.detail))
        else:
            actions.append((bid, "failed", drift.detail))
    unchanged = len(found.observed) - sum(a[1] in ("created", "overwritten", "skipped") for a in actions)
    return RebuildReport(workflows=found.workflows, unchanged=unchanged, actions=actions)
