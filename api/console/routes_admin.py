"""Admins' pages: hospitals, their API keys and operator accounts (no bundle data).

Each form calls the JSON API's admin route function (api/routes/admin.py), so both paths share the
store functions, the rules and the audit actions. A new key is shown once, in the answer to the form
that issued it: never in a redirect, a cookie or a URL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.auth import accounts, audit, keys
from api.auth.roles import Principal, Role
from api.console.web import PREFIX, AdminOnly, message, redirect, render
from api.deps import SessionDep
from api.routes import admin
from api.routes import auth as auth_routes

router = APIRouter(prefix=f"{PREFIX}/admin", include_in_schema=False)
PAGE = f"{PREFIX}/admin"
FIELDS = {"id": "fld_hospital_id", "name": "ad_name", "label": "fld_label", "username": "fld_username",
          "full_name": "fld_full_name", "role": "fld_role", "office_code": "fld_office_code",
          "password": "fld_password"}


def _overview(session: Session) -> dict:
    now = datetime.now(UTC)
    operators = [(op, op.locked_until is not None and op.locked_until > now)
                 for op in accounts.list_operators(session=session)]
    key_list: dict[str, list] = {}
    for k in keys.list_keys(session=session):
        key_list.setdefault(k.hospital_id, []).append(k)
    return {"operators": operators, "hospitals": accounts.list_hospitals(session=session), "keys": key_list,
            "roles": [r.value for r in Role if r is not Role.hospital], "now": now}


def _page(request: Request, who: Principal, session: Session, *, status: int = 200, **extra) -> Response:
    response = render(request, "admin.html", {**_overview(session), **extra}, who=who, status=status)
    if request.method == "POST":
        response.headers["HX-Push-Url"] = PAGE  # the history keeps the page, not the form's address
    return response


@router.get("")
def admin_page(request: Request, who: AdminOnly, session: SessionDep) -> Response:
    """Hospitals with their keys, and operator accounts, each with what an admin may do to it."""
    return _page(request, who, session)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf_token"}


def _body(model: type[BaseModel], data: dict) -> BaseModel:
    return model.model_validate({k: v for k, v in data.items() if v != "" or k == "label"})


def _refused(request: Request, who: Principal, session: Session, exc: Exception, form: dict,
             target: str) -> Response:
    """The page again with the error beside its form and what was typed (never the password)."""
    if isinstance(exc, ValidationError):
        names = sorted({str(e["loc"][0]) if e["loc"] else "?" for e in exc.errors()})
        status, key, params = 422, "inv_fields", {"fields": ",".join(f"@{FIELDS.get(n, n)}" for n in names)}
    elif isinstance(exc, HTTPException) and exc.status_code == 422:
        status, key, params = 422, "adm_weak_password", {"message": str(exc.detail)}
    elif isinstance(exc, HTTPException) and exc.status_code == 409:
        status, key, params = 409, "adm_exists", {"id": form.get("id") or form.get("username") or ""}
    else:
        status, key, params = 404, "adm_unknown", {"id": target}
    kept = {k: v for k, v in form.items() if k != "password"}
    return _page(request, who, session, status=status,
                 error={"form": target, "text": message(request, key, params), "values": kept})


@router.post("/hospitals")
async def create_hospital(request: Request, who: AdminOnly, session: SessionDep) -> Response:
    """Register a hospital (audited as admin.hospital.create); its key is issued next."""
    form = await _form(request)
    try:
        body = _body(admin.HospitalCreate, {"id": form.get("id", ""), "name": form.get("name", "")})
        h = await run_in_threadpool(admin.create_hospital, body=body, who=who, session=session)
    except (ValidationError, HTTPException) as exc:
        return _refused(request, who, session, exc, form, "new-hospital")
    return redirect(PAGE, flash=("ok", "ok_hospital_created", {"id": h.id}))


@router.post("/hospitals/{hospital_id}/keys")
async def issue_key(hospital_id: str, request: Request, who: AdminOnly, session: SessionDep) -> Response:
    """Issue a key and show it on this answer only (audited as admin.key.issue, without the key)."""
    form = await _form(request)
    try:
        body = _body(admin.KeyCreate, {"label": form.get("label", "")})
        issued = await run_in_threadpool(admin.issue_key, hospital_id=hospital_id, body=body, who=who,
                                         session=session)
    except (ValidationError, HTTPException) as exc:
        return _refused(request, who, session, exc, form, hospital_id)
    response = _page(request, who, session, status=201, issued=issued)
    response.headers["Cache-Control"] = "no-store"  # the key must not stay in any cache
    return response


@router.post("/keys/{key_id}/revoke")
async def revoke_key(key_id: str, request: Request, who: AdminOnly, session: SessionDep) -> Response:
    """Stop a key now (audited as admin.key.revoke)."""
    form = await _form(request)
    try:
        await run_in_threadpool(admin.revoke_key, key_id=key_id, who=who, session=session, request=request)
    except HTTPException as exc:
        return _refused(request, who, session, exc, form, key_id)
    return redirect(PAGE, flash=("ok", "ok_key_revoked", {"id": key_id}))


@router.post("/hospitals/{hospital_id}/{change}")
async def hospital_state(hospital_id: str, change: str, request: Request, who: AdminOnly,
                         session: SessionDep) -> Response:
    """Disable a hospital (every key stops at once) or enable it again; audited as the CLI does."""
    form = await _form(request)
    if change not in ("disable", "enable"):
        return _refused(request, who, session, HTTPException(404), form, change)
    try:
        await run_in_threadpool(accounts.set_hospital_disabled, session=session, hospital_id=hospital_id,
                                disabled=change == "disable")
    except accounts.AccountError as exc:
        return _refused(request, who, session, HTTPException(404, str(exc)), form, hospital_id)
    for k in keys.list_keys(session=session, hospital_id=hospital_id):
        request.app.state.key_cache.forget(k.id)  # this process stops accepting them now
    audit.record(session=session, who=who, action=f"admin.hospital.{change}",
                 details={"hospital_id": hospital_id})
    return redirect(PAGE, flash=("ok", f"ok_hospital_{change}d", {"id": hospital_id}))


@router.post("/operators")
async def create_operator(request: Request, who: AdminOnly, session: SessionDep) -> Response:
    """Create an account with an initial password (audited as admin.operator.create)."""
    form = await _form(request)
    try:
        body = _body(admin.OperatorCreate, {k: form.get(k, "") for k in
                                            ("username", "full_name", "role", "office_code", "password")})
        o = await run_in_threadpool(admin.create_operator, body=body, who=who, session=session)
    except (ValidationError, HTTPException) as exc:
        return _refused(request, who, session, exc, form, "new-operator")
    return redirect(PAGE, flash=("ok", "ok_operator_created", {"id": o.username}))


@router.post("/operators/{username}/{change}")
async def operator_state(username: str, change: str, request: Request, who: AdminOnly,
                         session: SessionDep) -> Response:
    """Disable an account (its sessions end) or enable it again (audited as admin.operator.update),
    or lift its lockout (audited as admin.operator.unlock, as the API and the CLI do)."""
    form = await _form(request)
    if change not in ("disable", "enable", "unlock"):
        return _refused(request, who, session, HTTPException(404), form, change)
    if change == "unlock":
        return await _unlock(request, who, session, username, form)
    if username == who.subject and change == "disable":  # the last admin must not lock everyone out
        return _page(request, who, session, status=409,
                     error={"form": username, "text": message(request, "adm_self", {}), "values": {}})
    try:
        body = admin.OperatorUpdate(disabled=change == "disable")
        await run_in_threadpool(admin.update_operator, username=username, body=body, who=who, session=session)
    except HTTPException as exc:
        return _refused(request, who, session, exc, form, username)
    return redirect(PAGE, flash=("ok", f"ok_operator_{change}d", {"id": username}))


async def _unlock(request: Request, who: Principal, session: Session, username: str, form: dict) -> Response:
    """The JSON API's unlock (api/routes/auth.py): the lock and the recent failures go."""
    try:
        await run_in_threadpool(auth_routes.unlock, username=username, who=who, session=session)
    except HTTPException as exc:
        return _refused(request, who, session, exc, form, username)
    return redirect(PAGE, flash=("ok", "ok_operator_unlocked", {"id": username}))
