"""A bundle's page, its live fragment and the event stream that tells the page to fetch it."""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlmodel import Session
from starlette.responses import Response

from api.auth import audit
from api.auth.roles import Principal
from api.bundle_access import audited_view, visible_bundle
from api.console import sse, view
from api.console.web import PREFIX, ConsoleError, Staff, render
from api.deps import CipherDep, SessionDep, SettingsDep
from infra.settings import Settings
from store import bundles, crud, documents
from store.cipher import StateCipher

router = APIRouter(prefix=PREFIX, include_in_schema=False)
MARK = re.compile(r"^[0-9.]{1,40}$")


def bundle_key(bundle_id: str) -> str:
    """The canonical id; anything else is a missing bundle (HTML 404, not a JSON 422)."""
    try:
        return str(uuid.UUID(bundle_id))
    except ValueError:
        raise ConsoleError(404, "err_not_found") from None


def load(session: Session, cipher: StateCipher, settings: Settings, bundle_id: str, who: Principal, *,
         live: bool = False) -> view.BundleView:
    """The bundle as `who` may see it; every load is an audited view of personal data."""
    key = bundle_key(bundle_id)
    found = sse.mark_of(session, key)  # before the state: a change in between still fires an event
    try:
        if live:  # the page's own refresh: still a view, marked as such in the audit log
            row = visible_bundle(session, key, who)
            audit.record(session=session, who=who, action="bundle.view", bundle_id=row.id,
                         details={"via": "console-live"})
        else:
            row = audited_view(session, key, who)
    except HTTPException:
        raise ConsoleError(404, "err_not_found") from None
    state = bundles.load_state(session=session, row=row, cipher=cipher)
    follow_ups = crud.follow_ups_of(session=session, bundle_id=row.id, cipher=cipher)
    if row.anonymised_at is None:  # the akta in force, not the number a correction replaced
        documents.show_in_force(state, documents.views(session=session, cipher=cipher, state=state,
                                                       follow_ups=follow_ups))
    return view.build(state, row, who.role, follow_ups, temporal_url=temporal_link(settings, row.id),
                      mark=found[0] if found else "")


def temporal_link(settings: Settings, bundle_id: str) -> str | None:
    """The bundle's workflow in the Temporal Web UI (one workflow per bundle, id = bundle id)."""
    if not settings.temporal_ui_url:
        return None
    return f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{bundle_id}"


@router.get("/bundles/{bundle_id}")
def bundle_page(bundle_id: str, request: Request, who: Staff, session: SessionDep, settings: SettingsDep,
                cipher: CipherDep) -> Response:
    """Each service as a step, the timeline, deadlines, follow-ups and the actions this role may take."""
    v = load(session, cipher, settings, bundle_id, who)
    return render(request, "bundle.html", {"v": v, "event_key": view.event_key}, who=who)


@router.get("/bundles/{bundle_id}/live")
def bundle_live(bundle_id: str, request: Request, who: Staff, session: SessionDep, settings: SettingsDep,
                cipher: CipherDep) -> Response:
    """The changing part of the bundle page, fetched when the event stream says it moved."""
    v = load(session, cipher, settings, bundle_id, who, live=True)
    return render(request, "_live.html", {"v": v, "event_key": view.event_key}, who=who)


@router.get("/bundles/{bundle_id}/events")
async def bundle_events(bundle_id: str, request: Request, who: Staff, session: SessionDep) -> Response:
    """text/event-stream: `version` whenever the bundle or one of its follow-ups changes."""
    key = bundle_key(bundle_id)
    try:
        await run_in_threadpool(visible_bundle, session, key, who)
    except HTTPException:
        raise ConsoleError(404, "err_not_found") from None
    finally:
        session.close()  # the stream polls with its own short sessions; hold no connection for minutes
    since = request.query_params.get("since")
    return StreamingResponse(
        sse.stream(request, request.app.state.engine, key, since if since and MARK.match(since) else None),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})  # no proxy buffering
