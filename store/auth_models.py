"""Tables for access control and the audit log (same database as the read model)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models import UtcDateTime


class Hospital(SQLModel, table=True):
    __tablename__ = "hospital"

    id: str = Field(primary_key=True, max_length=64)  # the id bundles are scoped by
    name: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UtcDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiKey(SQLModel, table=True):
    """A hospital's key; only a hash of its secret part is kept (the key is shown once, at issue)."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=32)  # public key id, part of the key itself
    hospital_id: str = Field(foreign_key="hospital.id", index=True, max_length=64)
    secret_hash: str = Field(max_length=64)  # sha256 of a 256-bit random secret
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # set on rotation (grace)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Operator(SQLModel, table=True):
    __tablename__ = "operator"

    username: str = Field(primary_key=True, max_length=64)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    office_code: str | None = Field(default=None, max_length=4)  # kab/kota code; None = every office
    password_hash: str = Field(max_length=200)
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    password_changed_at: datetime = Field(sa_type=UtcDateTime)


class OperatorSession(SQLModel, table=True):
    __tablename__ = "operator_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256 of the session token
    username: str = Field(foreign_key="operator.username", index=True, max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)  # absolute limit
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuditEvent(SQLModel, table=True):
    """Append-only (triggers refuse UPDATE and DELETE, except retention clearing `details_json`)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(index=True, max_length=64)
    actor_role: str = Field(max_length=16)
    action: str = Field(index=True, max_length=48)
    bundle_id: str | None = Field(default=None, index=True, max_length=36)
    reason: str | None = Field(default=None, max_length=500)
    outcome: str = Field(default="ok", max_length=16)  # ok | refused | failed
    details_json: str | None = Field(default=None, sa_type=sa.Text)


class LoginFailure(SQLModel, table=True):
    """One failed login of an existing account: the lockout counts these over a sliding window.

    Unknown usernames get no row (a guessed name is not recorded anywhere)."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(foreign_key="operator.username", max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)

    __table_args__ = (sa.Index("ix_login_failure_username_at", "username", "at"),)


class LoginAddress(SQLModel, table=True):
    """Login attempts from one client address in the current window (successes are given back)."""

    __tablename__ = "login_address"

    address: str = Field(primary_key=True, max_length=64)
    window_start: datetime = Field(sa_type=UtcDateTime, index=True)
    attempts: int = 0


AUTH_TABLES = (Hospital, ApiKey, Operator, OperatorSession, AuditEvent, LoginFailure, LoginAddress)
