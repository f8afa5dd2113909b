"""Compare the read model with the workflows' own state (drift), and rebuild it from them.

The workflows are the truth: a completed bundle's result is its final state, any other answers the
`status` query; both carry the version of the bundle's read-model writes. A row can be missing,
stale (another version, status, service status or content) or orphaned (no workflow); rows whose
personal data retention removed are left out (their workflows expire by the same rule). Running
bundles keep writing their own rows, so a difference only counts as drift if it is still there
after a short settle and the row did not move meanwhile. Workflows are compared in chunks, so
memory stays bounded by the drift found, not by the size of the read model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from domain.contracts import WORKFLOW_TYPE, BundleState
from store.cipher import StateCipher
from store.drift import (
    Drift,
    DriftKind,
    DriftReport,
    Observed,
    RebuildReport,
    RowView,
    differences,
    load_rows,
    row_ids,
    store,
)

RPC_TIMEOUT = timedelta(seconds=10)
CHUNK = 500
RUNNING = WorkflowExecutionStatus.RUNNING


@dataclass
class Survey:
    """One comparison; rows and states are kept only for the bundles that drifted."""

    drifts: dict[str, Drift] = field(default_factory=dict)
    observed: dict[str, Observed] = field(default_factory=dict)
    rows: dict[str, RowView] = field(default_factory=dict)
    workflows: int = 0
    row_count: int = 0


async def _fetch(client: Client, wf_id: str, run_id: str | None,
                 status: WorkflowExecutionStatus | None) -> Observed:
    handle = client.get_workflow_handle(wf_id, run_id=run_id, result_type=BundleState)
    if status == WorkflowExecutionStatus.COMPLETED:
        # Its result is its final state: no worker has to replay the history to answer a query.
        return Observed(await handle.result(follow_runs=False, rpc_timeout=RPC_TIMEOUT), True)
    state = await handle.query("status", result_type=BundleState, rpc_timeout=RPC_TIMEOUT)
    return Observed(state, status != RUNNING)


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
    return await _fetch(client, wf_id, desc.run_id, desc.status)


async def _listed(client: Client, task_queue: str | None) -> AsyncIterator[list[tuple]]:
    """The bundles' workflows in chunks of (id, run id, status); the newest run of each id."""
    query = f'WorkflowType = "{WORKFLOW_TYPE}"'
    if task_queue:
        query += f' AND TaskQueue = "{task_queue}"'
    seen: set[str] = set()
    chunk: list[tuple] = []
    async for wf in client.list_workflows(query, rpc_timeout=RPC_TIMEOUT):
        if wf.id not in seen:  # listed newest first
            seen.add(wf.id)
            chunk.append((wf.id, wf.run_id, wf.status))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _compare(out: Survey, engine: Engine, cipher: StateCipher,
                   calls: dict[str, Callable[[], Awaitable]], concurrency: int) -> None:
    """Run the look-ups (bounded), read the same bundles' rows, and record what differs."""
    sem = asyncio.Semaphore(concurrency)

    async def one(call: Callable[[], Awaitable]) -> object:
        async with sem:
            try:
                return await call()
            except Exception as exc:  # noqa: BLE001 - reported per bundle
                return exc

    results = dict(zip(calls, await asyncio.gather(*(one(c) for c in calls.values())), strict=True))
    rows = await asyncio.to_thread(load_rows, engine, list(calls), cipher)
    for bid, res in results.items():
        row, drift = rows.get(bid), None
        if row is not None and row.anonymised:
            out.workflows += isinstance(res, Observed | Exception)
            continue
        if isinstance(res, Exception):
            why = f" ({res.status.name})" if isinstance(res, RPCError) else ""
            drift = Drift(bid, DriftKind.UNQUERYABLE, f"query failed: {type(res).__name__}{why}")
        elif res is None and row is not None and row.version > 0:  # version 0: its start is pending
            drift = Drift(bid, DriftKind.ORPHAN, f"row ({row.status}, version {row.version}) has no workflow")
        elif isinstance(res, Observed):
            st = res.state
            if row is None:
                drift = Drift(bid, DriftKind.MISSING,
                              f"no row; workflow {st.status.value}, version {st.version}")
            elif diff := differences(st, row):
                drift = Drift(bid, DriftKind.STALE, "; ".join(diff))
            if drift:
                out.observed[bid] = res
        out.workflows += isinstance(res, Observed | Exception)
        if drift:
            out.drifts[bid] = drift
            if row is not None:
                out.rows[bid] = row


async def survey(client: Client, engine: Engine, *, cipher: StateCipher, task_queue: str | None = None,
                 concurrency: int = 16, ids: Iterable[str] | None = None) -> Survey:
    """Compare every bundle's workflow (or only `ids`) with its row, and find rows without one."""
    out = Survey()
    if ids is None:
        listed: set[str] = set()
        async for chunk in _listed(client, task_queue):
            listed.update(c[0] for c in chunk)
            await _compare(out, engine, cipher, {c[0]: partial(_fetch, client, *c) for c in chunk},
                           concurrency)
        rest = await asyncio.to_thread(row_ids, engine)
        out.row_count = len(rest)
        rest -= listed  # orphaned, out of scope, or started since the listing: look each one up
    else:
        rest = set(ids)
    ordered = sorted(rest)
    for i in range(0, len(ordered), CHUNK):
        calls = {b: partial(_lookup, client, b, task_queue) for b in ordered[i:i + CHUNK]}
        await _compare(out, engine, cipher, calls, concurrency)
    return out


async def check_drift(client: Client, engine: Engine, *, cipher: StateCipher, task_queue: str | None = None,
                      concurrency: int = 16, settle_seconds: float = 2.0) -> DriftReport:
    """Drift between the read model and the workflows; differences that heal within
    `settle_seconds` (a running bundle writing its row) are not reported."""
    first = await survey(client, engine, cipher=cipher, task_queue=task_queue, concurrency=concurrency)
    drifts = first.drifts
    if drifts and settle_seconds > 0:
        await asyncio.sleep(settle_seconds)
        again = await survey(client, engine, cipher=cipher, task_queue=task_queue, concurrency=concurrency,
                             ids=drifts.keys())
        drifts = {bid: d for bid, d in again.drifts.items()
                  if bid in drifts and first.rows.get(bid) == again.rows.get(bid)}
    ordered = sorted(drifts.values(), key=lambda d: (list(DriftKind).index(d.kind), d.bundle_id))
    return DriftReport(workflows=first.workflows, rows=first.row_count, drifts=ordered)


async def rebuild(client: Client, engine: Engine, *, cipher: StateCipher, task_queue: str | None = None,
                  concurrency: int = 16) -> RebuildReport:
    """Write every workflow's state where its row is missing or differs; orphan rows are left."""
    found = await survey(client, engine, cipher=cipher, task_queue=task_queue, concurrency=concurrency)
    actions: list[tuple[str, str, str]] = []
    for bid, drift in sorted(found.drifts.items(), key=lambda kv: (kv[1].kind, kv[0])):
        if drift.kind in (DriftKind.MISSING, DriftKind.STALE):
            outcome = await asyncio.to_thread(store, engine, found.observed[bid], cipher)
            note = drift.detail if outcome != "skipped" else "the row is newer than the queried state"
            actions.append((bid, outcome, note))
        elif drift.kind is DriftKind.ORPHAN:
            actions.append((bid, "left", drift.detail))
        else:
            actions.append((bid, "failed", drift.detail))
    unchanged = found.workflows - sum(a[1] != "left" for a in actions)
    return RebuildReport(workflows=found.workflows, unchanged=unchanged, actions=actions)
