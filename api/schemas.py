"""The API's own response models (XxxPublic) around the shared contracts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.contracts import BundleState, FollowUpState
from domain.notification import PersonName


class BirthAccepted(BaseModel):
    bundle_id: str
    status: str
    status_url: str
    duplicate: bool = Field(description="True when this record was already received with the same content")


class BundlePublic(BundleState):
    temporal_ui_url: str | None = None
    follow_up_status: list[FollowUpState] = []
    anonymised_at: datetime | None = Field(default=None, description=(
        "when retention removed the bundle's personal data (document numbers, details); statuses remain"))


class BundleSummary(BaseModel):
    bundle_id: str
    hospital_id: str
    record_id: str
    status: str
    birth_date: date
    received_at: datetime
    completed_at: datetime | None
    office_code: str | None
    child_count: int
    reasons: list[str]
    deadline_risk: bool


class BundlePage(BaseModel):
    items: list[BundleSummary]
    total: int
    limit: int
    offset: int


class NameIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: PersonName


class ActionResult(BaseModel):
    bundle_id: str
    message: str


class ErrorOut(BaseModel):
    detail: str
