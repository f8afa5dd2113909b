"""A hospital's own integration settings: its webhook, and its events to poll (/v1/hospital)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from adapters.webhooks import addresses
from api.auth import audit
from api.auth.deps import AUTH_RESPONSES, HospitalOnly
from api.deps import CipherDep, SessionDep, SettingsDep
from api.schemas import ErrorOut
from store import outbox, webhooks
from store.callback_events import CallbackEvent

router = APIRouter(prefix="/v1/hospital", tags=["hospital"], responses=AUTH_RESPONSES)
E404 = {404: {"model": ErrorOut, "description": "No webhook registered"}}


class WebhookIn(BaseModel):
    model_config = {"extra": "forbid"}
    url: str = Field(min_length=8, max_length=addresses.MAX_URL, description=(
        "Where events are POSTed: https, resolving only to public addresses or to the deployment's "
        "allowed networks"))


class SecretRotate(BaseModel):
    model_config = {"extra": "forbid"}
    grace_hours: int = Field(default=24, ge=0, le=72, description="how long the old secret still signs too")


class WebhookPublic(BaseModel):
    url: str
    created_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime
    previous_secret_expires_at: datetime | None
    pending: int = Field(description="events waiting for delivery")
    dead: int = Field(description="events given up after the maximum age (still available by polling)")
    last_delivered_at: datetime | None
    last_error: str | None = Field(description="the latest failed round's error, e.g. 'HTTP 503'")
    retrying_after: datetime | None = Field(description="deliveries wait until then after failures")
    secret: str | None = Field(default=None, description=(
        "The signing secret: only in the answer that made it. Store it now; it is not shown again"))


class EventDelivery(BaseModel):
    state: Literal["pending", "delivered", "dead", "none"] = Field(
        description="`none`: no webhook was registered when it happened (polling only)")
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


class EventItem(BaseModel):
    event: CallbackEvent = Field(description="exactly what the webhook receives")
    delivery: EventDelivery


class EventPage(BaseModel):
    items: list[EventItem]
    next_after: str | None = Field(description="pass as `after` for the next page")
    has_more: bool


def _public(session, row, secret: str | None = None) -> WebhookPublic:
    counts = webhooks.backlog(session=session, hospital_id=row.hospital_id)
    return WebhookPublic(url=row.url, created_at=row.created_at, updated_at=row.updated_at,
                         secret_rotated_at=row.secret_rotated_at,
                         previous_secret_expires_at=row.previous_secret_expires_at, **counts,
                         last_delivered_at=row.last_delivered_at, last_error=row.last_error,
                         retrying_after=row.blocked_until, secret=secret)


async def _checked(url: str, settings) -> str:
    # Every environment: public https, the allowed networks, loopback only where development allows it.
    try:
        await addresses.check(url, policy=settings.webhook_policy(),
                              timeout=settings.callback_timeout_seconds)
    except addresses.UnsafeUrl as exc:
        raise RequestValidationError([{"type": "webhook_url_refused", "loc": ("body", "url"),
                                       "msg": f"webhook URL refused: {exc}", "input": None}]) from None
    return url


@router.put("/webhook", response_model=WebhookPublic, responses={201: {"model": WebhookPublic}})
async def put_webhook(body: WebhookIn, who: HospitalOnly, response: Response, session: SessionDep,
                      settings: SettingsDep, cipher: CipherDep) -> WebhookPublic:
    """Register the webhook (201, with its signing secret, shown once) or change its URL (200)."""
    url = await _checked(body.url, settings)

    def save() -> WebhookPublic:
        saved = webhooks.put(session=session, cipher=cipher, hospital_id=who.subject, url=url)
        host = addresses.parse(url, strict=False).host
        audit.record(session=session, who=who, action="hospital.webhook.set",
                     details={"host": host, "new": saved.secret is not None})
        return _public(session, saved.webhook, saved.secret)

    out = await run_in_threadpool(save)
    response.status_code = 201 if out.secret else 200
    return out


@router.get("/webhook", response_model=WebhookPublic, responses=E404)
def get_webhook(who: HospitalOnly, session: SessionDep) -> WebhookPublic:
    """The webhook, its delivery backlog and latest error (never the secret)."""
    row = webhooks.get(session=session, hospital_id=who.subject)
    if row is None:
        raise HTTPException(404, "no webhook registered")
    return _public(session, row)


@router.post("/webhook/rotate-secret", response_model=WebhookPublic, responses=E404)
def rotate_secret(who: HospitalOnly, session: SessionDep, cipher: CipherDep,
                  body: SecretRotate | None = None) -> WebhookPublic:
    """A new signing secret (shown once); the old one also signs for `grace_hours`."""
    grace = timedelta(hours=(body or SecretRotate()).grace_hours)
    saved = webhooks.rotate(session=session, cipher=cipher, hospital_id=who.subject, grace=grace)
    if saved is None:
        raise HTTPException(404, "no webhook registered")
    audit.record(session=session, who=who, action="hospital.webhook.rotate",
                 details={"grace_hours": grace.total_seconds() / 3600})
    return _public(session, saved.webhook, saved.secret)


@router.delete("/webhook", status_code=204, responses=E404)
def delete_webhook(who: HospitalOnly, session: SessionDep) -> Response:
    """Stop deliveries; events keep being recorded and can be polled."""
    if not webhooks.delete(session=session, hospital_id=who.subject):
        raise HTTPException(404, "no webhook registered")
    audit.record(session=session, who=who, action="hospital.webhook.delete")
    return Response(status_code=204)


After = Annotated[uuid.UUID | None, Query(description="the last event id already processed")]
OfBundle = Annotated[uuid.UUID | None, Query(description="only this bundle's events")]


@router.get("/events", response_model=EventPage, responses={
    404: {"model": ErrorOut, "description": "`after` is not one of this hospital's events"}})
def poll_events(who: HospitalOnly, session: SessionDep, settings: SettingsDep, after: After = None,
                bundle_id: OfBundle = None, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> EventPage:
    """This hospital's events in order (per bundle, the order they happened), with their delivery state."""
    try:
        rows = outbox.page(session=session, hospital_id=who.subject, after=str(after) if after else None,
                           bundle_id=str(bundle_id) if bundle_id else None, limit=limit + 1)
    except outbox.UnknownEvent:
        raise HTTPException(404, "no such event for this hospital (events are kept "
                                 f"{settings.callback_event_retention_days} days)") from None
    items = [EventItem(event=CallbackEvent.model_validate_json(r.body), delivery=EventDelivery(
        state=r.delivery, attempts=r.attempts, delivered_at=r.delivered_at, last_error=r.last_error))
        for r in rows[:limit]]
    return EventPage(items=items, next_after=items[-1].event.id if items else (str(after) if after else None),
                     has_more=len(rows) > limit)
