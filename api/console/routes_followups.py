"""A bundle's follow-ups after issue: what each did and issued, and the retry of one that waits for a
person. The retry calls the JSON API's route function, so both share one path (validator, audit)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError
from starlette.responses import Response

from api.auth.roles import Role
from api.bundle_access import audited_view
from api.console.routes_bundle import bundle_key
from api.console.web import PREFIX, Acting, ConsoleError, ConsoleTemporal, Staff, redirect, render
from api.deps import CipherDep, SessionDep
from api.routes import followups
from domain.contracts import FollowUpKind
from store import bundles, crud, documents

router = APIRouter(prefix=f"{PREFIX}/bundles/{{bundle_id}}/follow-ups", include_in_schema=False)
REFUSALS = {"waiting for a retry": "ref_fu_not_waiting", "is running": "ref_fu_running",
            "retention policy": "ref_anonymised"}


def _load(session, cipher, bundle_id: str, who) -> dict:
    try:
        row = audited_view(session, bundle_key(bundle_id), who)
    except HTTPException:
        raise ConsoleError(404, "err_not_found") from None
    follow_ups = crud.follow_ups_of(session=session, bundle_id=row.id, cipher=cipher)
    docs = []
    if row.anonymised_at is None:
        state = bundles.load_state(session=session, row=row, cipher=cipher)
        docs = documents.views(session=session, cipher=cipher, state=state, follow_ups=follow_ups)
    return {"row": row, "follow_ups": follow_ups, "documents": docs,
            "can_retry": who.role in (Role.operator, Role.supervisor)}


@router.get("")
def follow_ups_page(bundle_id: str, request: Request, who: Staff, session: SessionDep,
                    cipher: CipherDep) -> Response:
    """Each follow-up with its step, reason and documents; a retry form where one waits for a person."""
    ctx = _load(session, cipher, bundle_id, who)
    return render(request, "followups.html", ctx, who=who)


@router.post("/{kind}/{birth_order}/retry")
async def retry(bundle_id: str, kind: str, birth_order: int, request: Request, who: Acting,
                session: SessionDep, client: ConsoleTemporal) -> Response:
    """Retry a follow-up's step once its business rejection is resolved (audited, with a reason)."""
    key = bundle_key(bundle_id)
    page = f"{PREFIX}/bundles/{key}/follow-ups"
    if kind not in {k.value for k in FollowUpKind} or not 1 <= birth_order <= 9:
        raise ConsoleError(404, "err_not_found")
    form = await request.form()
    try:
        body = followups.FollowUpRetryIn(reason=str(form.get("reason", "")).strip())
    except ValidationError:
        return redirect(page, flash=("error", "inv_fields", {"fields": "@fld_reason"}))
    try:
        await followups.retry_follow_up(bundle_id=uuid.UUID(key), birth_order=birth_order,
                                        kind=FollowUpKind(kind), body=body, who=who, session=session,
                                        client=client)
    except HTTPException as exc:
        if exc.status_code == 404:
            raise ConsoleError(404, "err_not_found") from None
        detail = str(exc.detail)
        said = next((f"@{k}" for text, k in REFUSALS.items() if text in detail), detail)
        return redirect(page, flash=("error", "refused", {"message": said}))
    return redirect(page, flash=("ok", "ok_fu_retry", {}))
