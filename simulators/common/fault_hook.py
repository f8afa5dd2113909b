"""Carrying out a fault decision around a route: waits, errors, and timeouts on either side of it.

Each simulator wraps these in a FastAPI dependency with `scope="function"`: its code after `yield`
runs once the route has acted but before the answer leaves, which is where an `applied` timeout
holds the answer back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from simulators.common.faults import Decision

Fail = Callable[[int], Exception]
HOOK_ATTRIBUTE = "fault_endpoint"


def hook_point(check: Callable[..., Any], endpoint: str) -> Callable[..., Any]:
    """Label a dependency with its endpoint name, so the admin API can list the known names."""
    setattr(check, HOOK_ATTRIBUTE, endpoint)
    return check


def json_or_none(raw: bytes) -> Any:
    """The request body as JSON, or None: faults run before (and whatever) validation."""
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def identifiers(body: Any, fields: Iterable[str]) -> set[str]:
    """String values of the named fields, at any depth (a KK reissue lists children's NIKs)."""
    wanted, found = frozenset(fields), set()
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(v for k, v in node.items() if k in wanted and isinstance(v, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


async def before_action(decision: Decision, fail: Fail) -> None:
    """Added latency, then the outcomes that stop the call before the route runs."""
    if decision.latency_s > 0:
        await asyncio.sleep(decision.latency_s)
    if decision.outcome in ("error", "outage"):
        raise fail(decision.status_code or 503)
    timeout = decision.timeout
    if timeout is not None and timeout.effect == "not_applied":
        await asyncio.sleep(timeout.hold_seconds)
        raise fail(timeout.status_code)


@asynccontextmanager
async def after_action(decision: Decision, fail: Fail) -> AsyncIterator[None]:
    """Around the route: an `applied` timeout holds its answer back, then answers late or fails."""
    timeout = decision.timeout
    if timeout is None or timeout.effect != "applied":
        yield
        return
    try:
        yield
    except Exception:
        await asyncio.sleep(timeout.hold_seconds)  # a refusal is held back too
        raise
    await asyncio.sleep(timeout.hold_seconds)
    if timeout.answer == "error":
        raise fail(timeout.status_code)
