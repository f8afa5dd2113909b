"""The state of a bundle and of a follow-up, as queried and as written to the read model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.contracts.enums import BundleStatus, FollowUpKind, Note, Service, ServiceStatus
from domain.contracts.notification import ConsentData, Sex


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
    detail: str | None = None  # the workflow's English note (kept for the JSON API's compatibility)
    # The note as a code and its parameters, said from the catalogue (api/console/notes.py); None in
    # states written before notes had codes (the console derives its words then).
    note: Note | None = None
    params: dict[str, str] = Field(default_factory=dict)
    attempts: int = 0
    updated_at: datetime | None = None
    facts: dict[str, str] = Field(default_factory=dict)  # e.g. BPJS segment, VA, KIA validity
    deadline: date | None = None  # the legal deadline, where the service has one
    deadline_state: Literal["ok", "approaching", "passed"] | None = None


class ChildHeader(BaseModel):
    birth_order: int
    outcome: Literal["live", "stillbirth"]
    sex: Sex
    name_provided: bool
    died_on: date | None = None


class ChildState(ChildHeader):
    services: dict[Service, ServiceState]


class TimelineEvent(BaseModel):
    at: datetime
    kind: str
    service: Service | None = None
    birth_order: int | None = None
    reason: str | None = None
    message: str = ""  # the workflow's English note
    note: Note | None = None  # the note as a code, with its parameters (see ServiceState.note)
    params: dict[str, str] = Field(default_factory=dict)


class BundleHeader(BaseModel):
    """A bundle's state without its services and its timeline: what every read-model write carries."""

    bundle_id: str
    hospital_id: str
    record_id: str
    content_hash: str
    status: BundleStatus
    birth_date: date
    received_at: datetime
    office_code: str | None = None
    domicile_kecamatan: str | None = None
    children: list[ChildHeader]
    closed_reason: str | None = None
    forwarded: ForwardInfo | None = None
    # The earlier bundle the intake matched (held DUPLIKAT_DICURIGAI), and the one a supervisor
    # confirmed this one duplicates (closed_duplicate). Operators only: hospitals' views leave them out.
    suspected_duplicate_of: str | None = None
    duplicate_of: str | None = None
    consent: ConsentData | None = None  # as the hospital recorded it with the notification
    deadline_risk: bool = False  # an open service is near or past its legal deadline
    follow_ups: list[FollowUpLink] = Field(default_factory=list)
    completed_at: datetime | None = None
    version: int = 0


class BundleState(BundleHeader):
    """The whole state: the header, every service (bundle-level and per child) and the timeline."""

    routing: ServiceState = Field(default_factory=ServiceState)
    kk: ServiceState = Field(default_factory=ServiceState)
    children: list[ChildState]
    timeline: list[TimelineEvent] = Field(default_factory=list)


class ServiceChange(BaseModel):
    birth_order: int  # 0 for the bundle-level services (routing, kk)
    service: Service
    state: ServiceState


class BundleSync(BaseModel):
    """What changed in a bundle since the read model last acknowledged a write: the header, the
    services that changed and the timeline events added (from position `first_seq`).

    Writes are ordered by (history_length, header.version): a workflow task re-run after its worker
    died has a longer history than the dead task, so what it writes replaces what the dead one
    wrote, and within one task the version orders the writes.
    """

    header: BundleHeader
    history_length: int
    services: list[ServiceChange] = Field(default_factory=list)
    first_seq: int = 0
    events: list[TimelineEvent] = Field(default_factory=list)
    timeline_length: int


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
