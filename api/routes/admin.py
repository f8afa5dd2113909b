"""Administration: hospitals, their API keys, operator accounts (admins only; no bundle data)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from api.auth import accounts, audit, keys
from api.auth.deps import AUTH_RESPONSES, Admins
from api.auth.passwords import WeakPassword
from api.auth.roles import Principal, Role
from api.deps import SessionDep
from api.schemas import ErrorOut

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses={
    **AUTH_RESPONSES, 404: {"model": ErrorOut, "description": "No such hospital, key or operator"},
    409: {"model": ErrorOut, "description": "Already exists"}})
HospitalId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
Username = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
OfficeCode = Annotated[str, Field(pattern=r"^\d{4}$", description="kab/kota code of the Dukcapil office")]


class HospitalCreate(BaseModel):
    model_config = {"extra": "forbid"}
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
    name: str = Field(min_length=2, max_length=200)


class HospitalPublic(BaseModel):
    id: str
    name: str
    created_at: datetime
    disabled: bool


class KeyCreate(BaseModel):
    model_config = {"extra": "forbid"}
    label: str = Field(default="", max_length=100)


class KeyRotate(BaseModel):
    model_config = {"extra": "forbid"}
    grace_hours: int = Field(default=24, ge=0, le=24 * 30, description="how long the old key keeps working")


class KeyIssued(BaseModel):
    key_id: str
    hospital_id: str
    key: str = Field(description="The full key: shown only now; store it in the hospital system")
    old_key_expires_at: datetime | None = None


class KeyPublic(BaseModel):
    key_id: str
    hospital_id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class OperatorCreate(BaseModel):
    model_config = {"extra": "forbid"}
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    full_name: str = Field(min_length=2, max_length=200)
    role: Role
    office_code: OfficeCode | None = None
    password: str = Field(min_length=12, max_length=1024, repr=False)


class OperatorUpdate(BaseModel):
    model_config = {"extra": "forbid"}
    role: Role | None = None
    office_code: OfficeCode | None = None
    all_offices: bool = False
    disabled: bool | None = None
    unlock: bool = False
    password: str | None = Field(default=None, min_length=12, max_length=1024, repr=False)


class OperatorPublic(BaseModel):
    username: str
    full_name: str
    role: Role
    office_code: str | None
    disabled: bool
    locked_until: datetime | None


def _hospital(h) -> HospitalPublic:
    return HospitalPublic(id=h.id, name=h.name, created_at=h.created_at, disabled=h.disabled_at is not None)


def _key(k) -> KeyPublic:
    return KeyPublic(key_id=k.id, hospital_id=k.hospital_id, label=k.label, created_at=k.created_at,
                     expires_at=k.expires_at, revoked_at=k.revoked_at, last_used_at=k.last_used_at)


def _operator(o) -> OperatorPublic:
    return OperatorPublic(username=o.username, full_name=o.full_name, role=Role(o.role),
                          office_code=o.office_code, disabled=o.disabled_at is not None,
                          locked_until=o.locked_until)


def _log(session, who: Principal, action: str, **details) -> None:
    audit.record(session=session, who=who, action=action, details=details)


@router.get("/hospitals", response_model=list[HospitalPublic])
def list_hospitals(who: Admins, session: SessionDep) -> list[HospitalPublic]:
    """Every hospital allowed to post births."""
    return [_hospital(h) for h in accounts.list_hospitals(session=session)]


@router.post("/hospitals", status_code=201, response_model=HospitalPublic)
def create_hospital(body: HospitalCreate, who: Admins, session: SessionDep) -> HospitalPublic:
    """Register a hospital (then issue it a key)."""
    try:
        h = accounts.create_hospital(session=session, hospital_id=body.id, name=body.name)
    except accounts.AccountError as exc:
        raise HTTPException(409, str(exc)) from None
    _log(session, who, "admin.hospital.create", hospital_id=h.id)
    return _hospital(h)


@router.get("/hospitals/{hospital_id}/keys", response_model=list[KeyPublic])
def list_keys(hospital_id: HospitalId, who: Admins, session: SessionDep) -> list[KeyPublic]:
    """A hospital's keys (never their secrets)."""
    return [_key(k) for k in keys.list_keys(session=session, hospital_id=hospital_id)]


@router.post("/hospitals/{hospital_id}/keys", status_code=201, response_model=KeyIssued)
def issue_key(hospital_id: HospitalId, body: KeyCreate, who: Admins, session: SessionDep) -> KeyIssued:
    """Issue a new key; the response is the only time the key is shown."""
    try:
        k = keys.issue_key(session=session, hospital_id=hospital_id, label=body.label)
    except keys.UnknownKey as exc:
        raise HTTPException(404, str(exc)) from None
    _log(session, who, "admin.key.issue", hospital_id=hospital_id, key_id=k.key_id)
    return KeyIssued(key_id=k.key_id, hospital_id=k.hospital_id, key=k.key)


@router.post("/keys/{key_id}/rotate", status_code=201, response_model=KeyIssued)
def rotate_key(key_id: KeyId, body: KeyRotate, who: Admins, session: SessionDep,
               request: Request) -> KeyIssued:
    """Replace a key: a new one now, the old one stops after the grace period."""
    try:
        k = keys.rotate_key(session=session, key_id=key_id, grace=timedelta(hours=body.grace_hours))
    except keys.UnknownKey as exc:
        raise HTTPException(404, str(exc)) from None
    request.app.state.key_cache.forget(key_id)  # it has an expiry now
    _log(session, who, "admin.key.rotate", old_key_id=key_id, key_id=k.key_id)
    return KeyIssued(key_id=k.key_id, hospital_id=k.hospital_id, key=k.key,
                     old_key_expires_at=k.expires_old_at)


@router.post("/keys/{key_id}/revoke", response_model=KeyPublic)
def revoke_key(key_id: KeyId, who: Admins, session: SessionDep, request: Request) -> KeyPublic:
    """Stop a key now (e.g. leaked). Other API processes stop accepting it within
    `KELAHIRAN_API_KEY_CACHE_SECONDS`."""
    try:
        k = keys.revoke_key(session=session, key_id=key_id)
    except keys.UnknownKey as exc:
        raise HTTPException(404, str(exc)) from None
    request.app.state.key_cache.forget(key_id)
    _log(session, who, "admin.key.revoke", key_id=key_id)
    return _key(k)


@router.get("/operators", response_model=list[OperatorPublic])
def list_operators(who: Admins, session: SessionDep) -> list[OperatorPublic]:
    """Every operator account."""
    return [_operator(o) for o in accounts.list_operators(session=session)]


@router.post("/operators", status_code=201, response_model=OperatorPublic,
             responses={422: {"description": "Invalid fields or a weak password"}})
def create_operator(body: OperatorCreate, who: Admins, session: SessionDep) -> OperatorPublic:
    """Create an operator, supervisor, auditor or admin account."""
    try:
        o = accounts.create_operator(session=session, username=body.username, full_name=body.full_name,
                                     role=body.role, password=body.password, office_code=body.office_code)
    except WeakPassword as exc:
        raise HTTPException(422, str(exc)) from None
    except accounts.AccountError as exc:
        raise HTTPException(409, str(exc)) from None
    _log(session, who, "admin.operator.create", username=o.username, role=o.role, office_code=o.office_code)
    return _operator(o)


@router.patch("/operators/{username}", response_model=OperatorPublic,
              responses={422: {"description": "Invalid fields or a weak password"}})
def update_operator(username: Username, body: OperatorUpdate, who: Admins,
                    session: SessionDep) -> OperatorPublic:
    """Change role or office, disable or enable, unlock, or set a new password (ends its sessions)."""
    try:
        if body.password is not None:
            accounts.set_password(session=session, username=username, password=body.password)
        o = accounts.update_operator(session=session, username=username, role=body.role,
                                     office_code=body.office_code, clear_office=body.all_offices,
                                     disabled=body.disabled, unlock=body.unlock)
    except WeakPassword as exc:
        raise HTTPException(422, str(exc)) from None
    except accounts.AccountError as exc:
        raise HTTPException(404, str(exc)) from None
    changes = body.model_dump(exclude_unset=True, exclude={"password"})
    _log(session, who, "admin.operator.update", username=username, password_changed=body.password is not None,
         **changes)
    return _operator(o)
