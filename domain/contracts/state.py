"""The state of a bundle and of a follow-up, as queried and as written to the read model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.contracts.enums import BundleStatus, FollowUpKind, Service, ServiceStatus
from domain.notification import Consent, Sex


class ForwardInfo(BaseModel):
    office: str
    reference: str
    at: datetime
    actor: str


class FollowUpLink(BaseModel):
    kind: FollowUpKind
    birth_order: int
    workflow_id: str
    started_at: datetime


class ServiceState(BaseModel):
    status: ServiceStatus = ServiceStatus.PENDING
    document_number: str | None = None
    reason: str | None = None
    detail: str | None = None
    attempts: int = 0
    updated_at: datetime | None = None
    facts: dict[str, str] = Field(default_factory=dict)  # e.g. BPJS segment, VA, KIA validity
    deadline: date | None = None  # the legal deadline, where the service has one
    deadline_state: Literal["ok", "approaching", "passed"] | None = None


class ChildState(BaseModel):
    birth_order: int
    outcome: Literal["live", "stillbirth"]
    sex: Sex
    name_provided: bool
    services: dict[Service, ServiceState]
    died_on: date | None = None


class TimelineEvent(BaseModel):
    at: datetime
    kind: str
    service: Service | None = None
    birth_order: int | None = None
    reason: str | None = None
    message: str = ""


class BundleState(BaseModel):
    bundle_id: str
    hospital_id: str
    record_id: str
    content_hash: str
    status: BundleStatus
    birth_date: date
    received_at: datetime
    office_code: str | None = None
    domicile_kecamatan: str | None = None
    routing: ServiceState = Field(default_factory=ServiceState)
    kk: ServiceState = Field(default_factory=ServiceState)
    children: list[ChildState]
    timeline: list[TimelineEvent] = Field(default_factory=list)
    closed_reason: str | None = None
    forwarded: ForwardInfo | None = None
    consent: Consent | None = None  # as the hospital recorded it with the notification
    deadline_risk: bool = False  # an open service is near or past its legal deadline
    follow_ups: list[FollowUpLink] = Field(default_factory=list)
    completed_at: datetime | None = None
    version: int = 0


class FollowUpState(BaseModel):
    workflow_id: str
    bundle_id: str
    kind: FollowUpKind
    birth_order: int
    status: Literal["in_progress", "needs_attention", "completed"] = "in_progress"
    step: str = ""
    reason: str | None = None
    documents: dict[str, str] = Field(default_factory=dict)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    version: int = 0
