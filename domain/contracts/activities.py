"""Activity inputs and results: our side of the adapters (Dukcapil, BPJS, SMS, the read model)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from domain.contracts.enums import Service
from domain.contracts.notification import Sex
from domain.contracts.state import FollowUpState


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


# --- the family, the read model ---------------------------------------------------------------


class ReminderInput(BaseModel):
    """A reminder to the family that something is still needed before a legal deadline."""

    bundle_id: str
    service: Service
    birth_order: int
    kind: Literal["name_missing", "payment_due", "deadline_approaching"]
    due: date
    # What the SMS says (the workflow knows it; the activity reads nothing to write the text).
    phone: str | None = None
    several: bool = False  # twins or more: the text says which baby
    virtual_account: str | None = None
    amount_due: int | None = None


class ReminderDelivered(BaseModel):
    """The SMS gateway accepted the reminder (its reference makes a resend the same message)."""

    message_id: str
    segments: int = 1


class FollowUpSync(BaseModel):
    state: FollowUpState


class FamilyNoticeInput(BaseModel):
    """The bundle completed: tell the family by SMS where to download its documents (link + PIN)."""

    bundle_id: str
    phone: str
    deceased: bool = False  # a child of the bundle died: the text says so, never "KIA ready"


class FamilyNoticeSent(BaseModel):
    sent: bool  # False when an earlier attempt had already sent it
    message_id: str | None = None


class MotherRekeyInput(BaseModel):
    """A corrected mother's NIK: the bundle's rows in the duplicate check follow it (store/identity.py)."""

    bundle_id: str
    mother_nik: str  # the corrected NIK
    previous_nik: str  # the NIK the workflow had (the rows were made from it, or from the one sent)
    birth_date: date
    birth_orders: list[int]
    tolerated: str | None = None  # the bundle this one is held against: a supervisor decides that


class MotherRekeyed(BaseModel):
    changed: bool  # False: the rows already had this NIK
    collision: str | None = None  # another live bundle holds one of the children: nothing changed
    nearby: str | None = None  # another delivery of this mother within the duplicate window
    window_days: int = 0
