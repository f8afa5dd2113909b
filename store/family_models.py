"""The family's download link: one row per completed bundle, secrets stored only as hashes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models import UtcDateTime


class FamilyAccess(SQLModel, table=True):
    __tablename__ = "family_access"

    bundle_id: str = Field(primary_key=True, foreign_key="bundle.id", max_length=36, ondelete="CASCADE")
    token_hash: str = Field(unique=True, max_length=64)  # SHA-256 of the link's random token
    pin_hash: str | None = Field(default=None, max_length=200)  # keyed HMAC (access.py); None once used
    phone: str = Field(sa_type=sa.Text)  # encrypted like the bundle's state (read-model keys)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
    failed_attempts: int = 0  # over the link's whole life: a new PIN does not reset it
    locked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    pins_sent: int = 0
    pin_sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    session_hash: str | None = Field(default=None, max_length=64)  # SHA-256 of the browser's cookie
    session_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    notices: int = 0  # how often the notice was prepared; names the SMS (the gateway's reference)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # the gateway accepted it
    message_id: str | None = Field(default=None, max_length=40)


FAMILY_TABLES = (FamilyAccess,)
