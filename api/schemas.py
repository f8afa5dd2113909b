"""The API's own response models (XxxPublic) around the shared contracts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from api.submitted import SubmittedPublic
from domain.contracts import BundleState, ChildState, FollowUpState, Service, ServiceState, TimelineEvent
from domain.person_names import ChildName


class FieldWarning(BaseModel):
    """Accepted as sent, but worth a look: where (like a 422's `loc`) and why."""

    loc: list[str | int]
    msg: str


class BirthAccepted(BaseModel):
    bundle_id: str
    status: str
    status_url: str
    duplicate: bool = Field(description="True when this record was already received with the same content")
    warnings: list[FieldWarning] = Field(default_factory=list, description=(
        "What was accepted but is worth a look, e.g. a one-word child's name (Permendagri 73/2022)"))


class DocumentPublic(BaseModel):
    """An akta issued to a child: the one in force has no `superseded_by`."""

    birth_order: int
    kind: str = Field(description="akta_kelahiran or akta_kematian")
    number: str
    issued_at: datetime | None
    superseded_by: str | None = Field(description="the number that replaced it (a correction)")


class FollowUpAttention(BaseModel):
    """A follow-up after issue that waits for a person (the bundle itself stays completed)."""

    follow_up_id: str
    kind: str
    birth_order: int
    reason: str | None


class ServicePublic(ServiceState):
    """A service as the API shows it: its note as a code (`note`, with `params`) and in English."""

    message: str | None = Field(default=None, description=(
        "the note in English, said from `note` and `params` as the console says it (`detail`, the "
        "workflow's own text, is kept for compatibility); for notes written before they had codes, "
        "`detail`"))


class ChildPublic(ChildState):
    services: dict[Service, ServicePublic]


class TimelineEventPublic(TimelineEvent):
    message: str = Field(default="", description=(
        "what the event adds, in English, said from `note` and `params` as the console says it; "
        "the workflow's own text for events written before notes had codes"))


class BundlePublic(BundleState):
    routing: ServicePublic = Field(default_factory=ServicePublic)
    kk: ServicePublic = Field(default_factory=ServicePublic)
    children: list[ChildPublic]
    timeline: list[TimelineEventPublic] = Field(default_factory=list)
    temporal_ui_url: str | None = None
    follow_up_status: list[FollowUpState] = []
    documents: list[DocumentPublic] = Field(default_factory=list, description=(
        "every akta issued to the children, oldest first; the akta service shows the one in force"))
    anonymised_at: datetime | None = Field(default=None, description=(
        "when retention removed the bundle's personal data (document numbers, details); statuses remain"))
    submitted: SubmittedPublic | None = Field(default=None, description=(
        "the family as the hospital sent it: whole for that hospital, NIKs and KK masked for operators "
        "(POST .../submitted/reveal); null for bundles received before it was kept, or after retention"))


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
    follow_ups_needing_attention: list[FollowUpAttention] = Field(default_factory=list)


class BundlePage(BaseModel):
    items: list[BundleSummary]
    total: int
    limit: int
    offset: int


class NameIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a string only: nothing to coerce
    name: ChildName = Field(description="1-60 letters A-Z/a-z and single spaces, no titles "
                                        "(Permendagri 73/2022)")


class ActionResult(BaseModel):
    bundle_id: str
    message: str


class ErrorOut(BaseModel):
    detail: str
