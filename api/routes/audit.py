"""The audit log for auditors: search it, and export it whole as JSON lines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session

from api.auth import audit
from api.auth.deps import AUTH_RESPONSES, Auditors
from api.deps import SessionDep
from domain.strict import IsoDateTime
from store.auth_models import AuditEvent

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=AUTH_RESPONSES)
Actor = Annotated[str | None, Query(max_length=64)]
Action = Annotated[str | None, Query(max_length=48, pattern=r"^[a-z_.]+$")]


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    bundle_id: str | None
    reason: str | None
    outcome: str
    details: dict | None


class AuditPage(BaseModel):
    items: list[AuditEventPublic]
    next_after_id: int | None


def _public(e: AuditEvent) -> AuditEventPublic:
    return AuditEventPublic(id=e.id, at=e.at, actor=e.actor, actor_role=e.actor_role, action=e.action,
                            bundle_id=e.bundle_id, reason=e.reason, outcome=e.outcome,
                            details=json.loads(e.details_json) if e.details_json else None)


@router.get("", response_model=AuditPage)
def search(who: Auditors, session: SessionDep, actor: Actor = None, action: Action = None,
           bundle_id: uuid.UUID | None = None, since: IsoDateTime | None = None,
           until: IsoDateTime | None = None,
           after_id: Annotated[int, Query(ge=0)] = 0,
           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> AuditPage:
    """Events oldest first; page with `after_id` = the last id seen. Reading the log is itself logged."""
    rows = audit.query(session=session, actor=actor, action=action,
                       bundle_id=str(bundle_id) if bundle_id else None, since=since, until=until,
                       after_id=after_id, limit=limit)
    audit.record(session=session, who=who, action="audit.search")
    return AuditPage(items=[_public(r) for r in rows],
                     next_after_id=rows[-1].id if len(rows) == limit else None)


@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}},
                             "description": "One JSON event per line"}})
def export(who: Auditors, session: SessionDep, since: IsoDateTime | None = None,
           until: IsoDateTime | None = None) -> StreamingResponse:
    """The whole log (or a time range) as JSON lines, streamed in pages."""
    audit.record(session=session, who=who, action="audit.export",
                 details={"since": since, "until": until})
    engine = session.get_bind()

    def lines() -> Iterator[bytes]:
        after = 0
        with Session(engine) as s:
            while rows := audit.query(session=s, since=since, until=until, after_id=after, limit=1000):
                for r in rows:
                    yield _public(r).model_dump_json().encode() + b"\n"
                after = rows[-1].id

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'})
