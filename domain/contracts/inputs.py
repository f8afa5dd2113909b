"""What the workflows are started with and what a person (or a hospital) sends them as updates."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.contracts.enums import FollowUpKind, Service
from domain.contracts.notification import BirthNotificationData, PersonData
from domain.contracts.state import BundleState


class WorkflowTuning(BaseModel):
    """Timeouts and intervals, chosen by the API's settings at start and fixed for the bundle."""

    activity_timeout_seconds: float = 30
    retry_initial_seconds: float = 1
    retry_max_seconds: float = 60
    bpjs_poll_seconds: float = 3600
    read_model_timeout_seconds: float = 30
    # Legal clocks, counted in days from the birth date (UU 23/2006 Pasal 27, Perpres 82/2018
    # Pasal 16); a service still open `*_warn_days` before its deadline is escalated.
    akta_deadline_days: int = 60
    bpjs_deadline_days: int = 28
    stillbirth_deadline_days: int = 30
    akta_warn_days: int = 10
    bpjs_warn_days: int = 7
    stillbirth_warn_days: int = 7


class KelahiranInput(BaseModel):
    bundle_id: str
    hospital_id: str
    content_hash: str
    received_at: datetime
    notification: BirthNotificationData  # validated at intake; plain data from here on
    state: BundleState  # the initial state, built once by the intake (which stored it)
    tuning: WorkflowTuning = Field(default_factory=WorkflowTuning)


class ProvideNameInput(BaseModel):
    birth_order: int = Field(ge=1, le=9)
    name: str = Field(min_length=1, max_length=100)  # validated by the API (PersonName)


class RetryServiceInput(BaseModel):
    service: Service
    birth_order: int | None = Field(default=None, description="None for bundle-level services (KK)")


class KadisDecisionInput(BaseModel):
    """The Kepala Dinas's decision that allows a late (LT) akta registration."""

    decision_number: str = Field(min_length=3, max_length=64)
    actor: str = Field(default="admin-cli", max_length=100)


class CloseBundleInput(BaseModel):
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class ForwardInput(BaseModel):
    """Hand a bundle to the Dukcapil office of a domicile no connected office serves."""

    office: str = Field(min_length=3, max_length=100, description="the receiving office")
    reference: str = Field(min_length=3, max_length=64, description="its reference for the case")
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class SptjmDecisionInput(BaseModel):
    """A supervisor's decision on an SPTJM suami-istri the KK does not support.

    accept: the KK now shows the parents married (the family had it updated): try the akta again as
    is. reject: the akta is issued to the mother only ("anak seorang ibu")."""

    accept: bool
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class DuplicateDecisionInput(BaseModel):
    """A supervisor's decision on a bundle held as a suspected duplicate (DUPLIKAT_DICURIGAI).

    duplicate: the birth was already reported: the bundle closes (closed_duplicate), linked to the
    earlier one. Not a duplicate: it goes on as any other birth."""

    duplicate: bool
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class CorrectParentsInput(BaseModel):
    """Corrected parent data before any akta is issued; what waited on it is tried again."""

    # Validated by the API (domain.notification's Mother, Father, KkNumber); plain data here.
    mother: PersonData | None = None
    father: PersonData | None = None
    kk_number: str | None = None
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class ReportDeathInput(BaseModel):
    birth_order: int = Field(ge=1, le=9)
    date_of_death: date
    place_of_death: str = Field(min_length=2, max_length=100)
    actor: str = Field(default="hospital", max_length=100)


class UpdateAccepted(BaseModel):
    accepted: bool = True
    message: str = ""
    details: dict[str, str] = Field(default_factory=dict)  # for the audit event (no personal data)


class FollowUpInput(BaseModel):
    """Everything a follow-up needs, taken from the bundle once its documents exist."""

    kind: FollowUpKind
    workflow_id: str
    bundle_id: str
    birth_order: int
    office: str
    kk_number: str
    child_nik: str
    akta_number: str
    card_number: str | None = None
    date_of_death: date | None = None
    place_of_death: str | None = None
    child_name: str | None = None  # correction: the corrected name
    father_nik: str | None = None
    reason: str = ""
    tuning: WorkflowTuning = Field(default_factory=WorkflowTuning)
