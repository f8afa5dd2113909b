"""Server-sent events for a bundle page: one `version` event whenever the bundle or a follow-up moves.

The read model already carries a version per bundle and per follow-up (the workflow bumps it on every
change), so a stream only polls one indexed row a second; the page then fetches its fragment.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from starlette.requests import Request

from domain.contracts import TERMINAL_STATUSES
from store.models import Bundle, FollowUp

POLL_SECONDS = 1.0
IDLE_POLL_SECONDS = 5.0  # a finished bundle only changes through follow-ups: look less often
HEARTBEAT_SECONDS = 15.0  # keeps proxies from closing a quiet stream
LIFETIME_SECONDS = 300.0  # then the browser reconnects (EventSource does): no stream lives forever
TERMINAL = {s.value for s in TERMINAL_STATUSES}


def mark_of(session: Session, bundle_id: str) -> tuple[str, bool] | None:
    """(A string that changes whenever the page would, whether the bundle is finished), or None."""
    row = session.exec(select(Bundle.version, Bundle.status).where(Bundle.id == bundle_id)).first()
    if row is None:
        return None
    count, total = session.exec(select(func.count(), func.coalesce(func.sum(FollowUp.version), 0))
                                .where(FollowUp.bundle_id == bundle_id)).one()
    return f"{row[0]}.{count}.{total}", row[1] in TERMINAL


def _mark(engine: Engine, bundle_id: str) -> tuple[str, bool] | None:
    with Session(engine) as session:
        return mark_of(session, bundle_id)


def event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


async def stream(request: Request, engine: Engine, bundle_id: str, since: str | None, *,
                 poll: float = POLL_SECONDS, lifetime: float = LIFETIME_SECONDS) -> AsyncIterator[str]:
    """Emit `version` when the mark differs from `since` (the page's own), then on every change."""
    yield "retry: 3000\n\n"
    started = last_sent = time.monotonic()
    last = since
    while time.monotonic() - started < lifetime:
        if await request.is_disconnected():
            return
        found = await run_in_threadpool(_mark, engine, bundle_id)
        if found is None:
            yield event("gone", "")
            return
        mark, finished = found
        if mark != last:
            last, last_sent = mark, time.monotonic()
            yield event("version", mark)
        elif time.monotonic() - last_sent > HEARTBEAT_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(IDLE_POLL_SECONDS if finished else poll)
