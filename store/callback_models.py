"""Tables of the callbacks (same database as the read model)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models import UtcDateTime

# hospital_event.delivery
PENDING = "pending"  # to be sent to the hospital's webhook
DELIVERED = "delivered"  # the webhook answered 2xx
DEAD = "dead"  # still failing after the maximum age: kept, visible, no longer sent
NONE = "none"  # no webhook when it happened (or it was removed): polling only


class HospitalWebhook(SQLModel, table=True):
    """One webhook per hospital; its signing secret is encrypted with the read-model keys."""

    __tablename__ = "hospital_webhook"

    hospital_id: str = Field(foreign_key="hospital.id", primary_key=True, max_length=64)
    url: str = Field(max_length=2000)
    secret: str = Field(sa_type=sa.Text)
    previous_secret: str | None = Field(default=None, sa_type=sa.Text)  # during a rotation's grace
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    secret_rotated_at: datetime = Field(sa_type=UtcDateTime)
    # Shared backoff while the hospital's endpoint fails, so a hospital that is down gets one probe
    # per interval instead of one request per pending bundle.
    failures: int = 0
    blocked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, max_length=200)


class HospitalEvent(SQLModel, table=True):
    """The outbox: one row per change of a bundle, the body exactly as it is signed and sent."""

    __tablename__ = "hospital_event"
    __table_args__ = (
        sa.Index("ix_hospital_event_poll", "hospital_id", "txid", "seq"),
        sa.Index("ix_hospital_event_bundle", "bundle_id", "seq"),
        sa.Index("ix_hospital_event_due", "delivery", "next_attempt_at"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(max_length=36, unique=True)
    hospital_id: str = Field(max_length=64)
    bundle_id: str = Field(foreign_key="bundle.id", max_length=36, ondelete="CASCADE")
    type: str = Field(max_length=32)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    body: str = Field(sa_type=sa.Text)
    # PostgreSQL: the writing transaction's id. Polling orders by (txid, seq) and shows only events
    # of transactions older than every running one, so a cursor never skips a late commit.
    txid: int = Field(default=0, sa_type=sa.BigInteger)
    delivery: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    lease_owner: str | None = Field(default=None, max_length=36)
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, max_length=200)


CALLBACK_TABLES = (HospitalWebhook, HospitalEvent)
