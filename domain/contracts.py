"""Everything that crosses the Temporal boundary: workflow input, state, updates, activity I/O.

Pure pydantic, no I/O and no clock: workflows, activities and the API all import this module.
Every workflow, activity and update takes one model so fields can be added without breaking
running histories.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from domain.notification import BirthNotification, Consent, Father, KkNumber, Mother, PersonName, Sex

WORKFLOW_TYPE = "KelahiranWorkflow"
DEATH_WORKFLOW_TYPE = "KematianWorkflow"
CORRECTION_WORKFLOW_TYPE = "KoreksiWorkflow"
TASK_QUEUE = "kelahiran"


class Service(StrEnum):
    ROUTING = "routing"  # bundle-level: which Dukcapil office serves the family's KK
    NIK = "nik"
    AKTA = "akta"
    KIA = "kia"
    BPJS = "bpjs"
    KK = "kk"
    STILLBIRTH = "surat_lahir_mati"


class ServiceStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    WAITING_INPUT = "waiting_input"  # e.g. the baby's name
    AWAITING_PAYMENT = "awaiting_payment"  # BPJS: family VA not paid yet
    COMPLETED = "completed"
    NEEDS_ATTENTION = "needs_attention"  # business rejection: a person must act
    NOT_APPLICABLE = "not_applicable"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset(
    {ServiceStatus.PENDING, ServiceStatus.IN_PROGRESS, ServiceStatus.WAITING_INPUT,
     ServiceStatus.AWAITING_PAYMENT, ServiceStatus.NEEDS_ATTENTION}
)


class BundleStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    NEEDS_ATTENTION = "needs_attention"
    COMPLETED = "completed"
    CLOSED_WITH_ISSUES = "closed_with_issues"
    STILLBIRTH_RECORDED = "stillbirth_recorded"
    FORWARDED = "forwarded"  # handed to an office this system does not serve (with its reference)


# A bundle in one of these states changes no more (follow-ups after issue are their own workflows).
TERMINAL_STATUSES = frozenset({BundleStatus.COMPLETED, BundleStatus.CLOSED_WITH_ISSUES,
                               BundleStatus.STILLBIRTH_RECORDED, BundleStatus.FORWARDED})


class Reason(StrEnum):
    """Reason codes a person sees; each case in the domain notes has its own."""

    DOMISILI_LUAR = "DOMISILI_LUAR"  # no connected Dukcapil office serves the family's KK
    KK_TIDAK_DITEMUKAN = "KK_TIDAK_DITEMUKAN"
    NIK_IBU_TIDAK_DITEMUKAN = "NIK_IBU_TIDAK_DITEMUKAN"
    IBU_TIDAK_DI_KK = "IBU_TIDAK_DI_KK"
    SPTJM_TIDAK_SAH = "SPTJM_TIDAK_SAH"
    KEPUTUSAN_KADIS_DIPERLUKAN = "KEPUTUSAN_KADIS_DIPERLUKAN"  # akta > 60 days: LT needs a decision
    NAMA_BELUM_ADA = "NAMA_BELUM_ADA"
    PESERTA_TIDAK_AKTIF = "PESERTA_TIDAK_AKTIF"


# --- workflow input, updates ---------------------------------------------------------------


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
    notification: BirthNotification
    tuning: WorkflowTuning = Field(default_factory=WorkflowTuning)


class ProvideNameInput(BaseModel):
    birth_order: int = Field(ge=1, le=9)
    name: PersonName


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


class CorrectParentsInput(BaseModel):
    """Corrected parent data before any akta is issued; what waited on it is tried again."""

    mother: Mother | None = None
    father: Father | None = None
    kk_number: KkNumber | None = None
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(default="admin-cli", max_length=100)


class ForwardInfo(BaseModel):
    office: str
    reference: str
    at: datetime
    actor: str


class UpdateAccepted(BaseModel):
    accepted: bool = True
    message: str = ""


class FollowUpKind(StrEnum):
    DEATH = "death"  # akta kematian, KK updated, BPJS ended; the akta kelahiran stands
    CORRECTION = "correction"  # akta reissued (old number superseded), KIA and KK reissued


class FollowUpLink(BaseModel):
    kind: FollowUpKind
    birth_order: int
    workflow_id: str
    started_at: datetime


# --- state, as queried and as written to the read model --------------------------------------


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


# --- activity inputs and results (our side of the adapters) ----------------------------------


class FamilyLookupInput(BaseModel):
    kk_number: str


class FamilyInfo(BaseModel):
    kk_number: str
    kab_kota: str
    kecamatan: str
    kelurahan: str
    parents_married_on_kk: bool
    office_connected: bool  # filled in by the activity from the adapter's list of offices


class RegisterBirthInput(BaseModel):
    office: str
    idempotency_key: str
    kk_number: str
    mother_nik: str
    father_nik: str | None
    birth_date: date
    birth_time: str
    birth_place_kab_kota: str
    facility_name: str
    sex: Sex
    name: str  # "Bayi Ny. <mother>" until the real name arrives
    birth_order: int
    multiplicity: int
    weight_grams: int
    length_cm: float


class NikIssued(BaseModel):
    nik: str


class StillbirthInput(BaseModel):
    office: str
    idempotency_key: str
    kk_number: str
    mother_nik: str
    birth_date: date
    birth_order: int
    gestational_age_weeks: int
    facility_name: str


class StillbirthRecorded(BaseModel):
    certificate_number: str


class AktaInput(BaseModel):
    office: str
    idempotency_key: str
    child_nik: str
    child_name: str
    kk_number: str
    mother_nik: str
    father_nik: str | None
    marriage_proof_number: str | None
    sptjm_marriage: bool
    witness_niks: list[str]
    birth_place_kab_kota: str
    facility_name: str
    attendant: str
    kadis_decision_number: str | None = None


class AktaIssued(BaseModel):
    register_number: str
    late: bool
    parents_wording: Literal["kedua_orang_tua", "perkawinan_belum_tercatat", "anak_seorang_ibu"]
    issued_on: date


class KiaInput(BaseModel):
    office: str
    idempotency_key: str
    child_nik: str
    child_name: str
    akta_number: str


class KiaIssued(BaseModel):
    nik: str
    card_type: Literal["0-5", "5-17"]
    valid_until: date


class KkChild(BaseModel):
    nik: str
    name: str
    akta_number: str


class KkReissueInput(BaseModel):
    office: str
    idempotency_key: str
    kk_number: str
    children: list[KkChild]


class KkReissued(BaseModel):
    kk_number: str
    issued_on: date
    signature_id: str


class BpjsEnrolInput(BaseModel):
    idempotency_key: str
    mother_nik: str
    child_nik: str
    child_name: str
    birth_date: date
    sex: Sex


class BpjsMembership(BaseModel):
    card_number: str
    status: Literal["DIDAFTARKAN", "MENUNGGU_PEMBAYARAN", "AKTIF", "NONAKTIF"]
    segment: str
    class_: str = Field(alias="kelas", serialization_alias="kelas")
    virtual_account: str | None = None
    amount_due: int = 0
    arrears_from: date | None = None

    model_config = {"populate_by_name": True}


class BpjsStatusInput(BaseModel):
    card_number: str


# --- follow-ups after issue: death of a baby born alive, correction of issued data ------------


class DeathInput(BaseModel):
    """Akta kematian for a child whose akta kelahiran stands."""

    office: str
    idempotency_key: str
    child_nik: str
    kk_number: str
    date_of_death: date
    place_of_death: str


class DeathRecorded(BaseModel):
    certificate_number: str  # akta kematian register number, KKKK-KM-DDMMYYYY-NNNN
    issued_on: date


class KkMemberInput(BaseModel):
    """Change one member row of a KK: remove it (death) or update its name/akta (correction)."""

    office: str
    idempotency_key: str
    kk_number: str
    nik: str
    action: Literal["remove_deceased", "update"]
    name: str | None = None
    akta_number: str | None = None


class AktaCorrectionInput(BaseModel):
    office: str
    idempotency_key: str
    child_nik: str
    old_akta_number: str
    child_name: str
    father_nik: str | None = None
    reason: str


class AktaCorrected(BaseModel):
    register_number: str
    superseded_number: str
    issued_on: date


class BpjsEndInput(BaseModel):
    card_number: str
    reason: Literal["MENINGGAL"] = "MENINGGAL"
    date_of_death: date


class BpjsUpdateInput(BaseModel):
    card_number: str
    child_name: str


class ReportDeathInput(BaseModel):
    birth_order: int = Field(ge=1, le=9)
    date_of_death: date
    place_of_death: str = Field(min_length=2, max_length=100)
    actor: str = Field(default="hospital", max_length=100)


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


class ReminderInput(BaseModel):
    """A reminder to the family that something is still needed before a legal deadline."""

    bundle_id: str
    service: Service
    birth_order: int
    kind: Literal["name_missing", "payment_due", "deadline_approaching"]
    due: date


class ReadModelSync(BaseModel):
    state: BundleState


class FollowUpSync(BaseModel):
    state: FollowUpState


class FamilyNoticeInput(BaseModel):
    """The bundle completed: tell the family by SMS where to download its documents (link + PIN)."""

    bundle_id: str
    phone: str


class FamilyNoticeSent(BaseModel):
    sent: bool  # False when an earlier attempt had already sent it
    message_id: str | None = None
