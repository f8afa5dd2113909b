"""A bundle's page, its live fragment, the event stream that tells the page to fetch it, and revealing
one masked field of the family as the hospital sent it."""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api import submitted
from api.auth import audit
from api.auth.roles import Principal
from api.bundle_access import audited_view, visible_bundle
from api.console import sse, view
from api.console.web import PREFIX, ConsoleError, Staff, render
from api.deps import CipherDep, SessionDep, SettingsDep
from domain import after_death
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
    after_death.show_membership_ended(state, follow_ups)  # a death reported after completion
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
    return render(request, "bundle.html", page(session, cipher, settings, bundle_id, who), who=who)


def page(session: Session, cipher: StateCipher, settings: Settings, bundle_id: str, who: Principal,
         **extra: object) -> dict:
    """The bundle page's context: the bundle, and the family as sent with NIKs and KK masked."""
    v = load(session, cipher, settings, bundle_id, who)
    fam = submitted.load(session=session, cipher=cipher, bundle_id=v.row.id, who=who)
    return {"v": v, "event_key": view.event_key, "fam": fam, "fam_masked": _masked(fam), "revealed": {},
            "reveal_error": None, **extra}


def _masked(fam: submitted.SubmittedPublic | None) -> dict[str, str | None]:
    if fam is None:
        return {}
    return {"mother_nik": fam.mother.nik, "father_nik": fam.father.nik if fam.father else None,
            "kk_number": fam.kk_number}


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


def _reveal(session: Session, cipher: StateCipher, bundle_id: str, who: Principal,
            form: dict[str, str]) -> dict:
    """Reveal one field: {"revealed": {field: value}}, or {"reveal_error": (field, message key)}."""
    key = bundle_key(bundle_id)
    try:
        visible_bundle(session, key, who)  # someone else's bundle is missing, whatever the form says
        field = submitted.RevealField(form.get("field", ""))
    except HTTPException:
        raise ConsoleError(404, "err_not_found") from None
    except ValueError:
        raise ConsoleError(422, "fam_not_sent") from None
    try:
        body = submitted.RevealIn(field=field, reason=form.get("reason", ""))
        done = submitted.reveal(session=session, cipher=cipher, who=who, bundle_id=key, field=field,
                                reason=body.reason)
    except ValidationError:
        return {"field": field.value, "reveal_error": (field.value, "fam_reason_needed")}
    except submitted.NotSent:
        return {"field": field.value, "reveal_error": (field.value, "fam_not_sent")}
    return {"field": field.value, "revealed": {field.value: done.value}}


@router.post("/bundles/{bundle_id}/reveal")
async def reveal_field(bundle_id: str, request: Request, who: Staff, session: SessionDep,
                       settings: SettingsDep, cipher: CipherDep) -> Response:
    """One masked NIK or the KK number in full, with a reason (audited). htmx swaps only that field;
    without it the page comes back with the field shown."""
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    got = await run_in_threadpool(_reveal, session, cipher, bundle_id, who, form)
    status = 422 if got.get("reveal_error") else 200
    if request.headers.get("HX-Request"):  # htmx swaps only a 2xx: the refusal is shown in place
        fam = await run_in_threadpool(submitted.load, session=session, cipher=cipher,
                                      bundle_id=bundle_key(bundle_id), who=who)
        ctx = {"bid": bundle_key(bundle_id), "fam_masked": _masked(fam), "revealed": {},
               "reveal_error": None, "f": got["field"], **got}
        response = render(request, "_family_field.html", ctx, who=who)
    else:
        ctx = await run_in_threadpool(page, session, cipher, settings, bundle_id, who, **got)
        response = render(request, "bundle.html", ctx, who=who, status=status)
    response.headers["Cache-Control"] = "no-store"  # a revealed NIK is not kept in any cache
    return response
