"""Follow-ups after issue: their workflow ids, the retry a person sends, and what their syncs carry.

One running follow-up per bundle, kind and child: the Temporal workflow id is built from those
three, and starting it again while it runs is refused (the API answers 409). Each run has its own
follow-up id (the read-model row and the prefix of its idempotency keys at Dukcapil), so a second
correction after the first completed is a new follow-up, not the first one's answers again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field

from domain.contracts.activities import FollowUpSync
from domain.contracts.enums import FollowUpKind

_WORD = {FollowUpKind.DEATH: "kematian", FollowUpKind.CORRECTION: "koreksi"}
WIB = timedelta(hours=7)
# A clock a few minutes ahead (a phone, a ward PC) must not turn today's death into "the future".
FUTURE_TOLERANCE = timedelta(minutes=5)


def follow_up_workflow_id(bundle_id: str, kind: FollowUpKind, birth_order: int) -> str:
    """The Temporal workflow id of a child's follow-up of this kind: one may run at a time."""
    return f"{bundle_id}-{_WORD[kind]}-{birth_order}"


def latest_date_of_death(now: datetime) -> date:
    """The latest date of death accepted at `now`: today in WIB, tomorrow from 23:55 WIB."""
    return (now.astimezone(UTC) + WIB + FUTURE_TOLERANCE).date()


class RetryFollowUpInput(BaseModel):
    """A person asks a follow-up that waits on a business rejection to try its step again."""

    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class AktaRecord(BaseModel):
    """An akta kelahiran as a sync writes it to the read model's documents (store/documents.py)."""

    birth_order: int
    number: str
    name: str | None = None  # as printed on it
    supersedes: str | None = None  # the number it replaces (a correction)


class FollowUpWrite(FollowUpSync):
    """A follow-up's sync with the documents it issued, so the bundle shows the akta in force."""

    akta: AktaRecord | None = None
    akta_kematian: str | None = None
