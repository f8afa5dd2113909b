"""The birth notification as it crosses the Temporal boundary: plain data, already validated.

The intake validates a hospital's notification once, field by field, with the rules in
domain/notification.py (whose models extend these). What the workflow and its activities receive
is this plain shape: deserialising it checks only types, so no NIK is parsed and no region file is
read inside the workflow sandbox.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

Sex = Literal["male", "female"]


class Plain(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Attendant(StrEnum):
    DOCTOR = "doctor"
    MIDWIFE = "midwife"
    NURSE = "nurse"
    OTHER = "other"


class Outcome(StrEnum):
    LIVE = "live"
    STILLBIRTH = "stillbirth"


class PersonData(Plain):
    nik: str
    name: str


class BirthPlaceData(Plain):
    facility_name: str
    kab_kota_code: str


class MarriageProofData(Plain):
    kind: Literal["buku_nikah", "akta_perkawinan"]
    number: str


class ConsentData(Plain):
    given_by: Literal["mother", "father", "guardian"]
    given_at: datetime
    method: Literal["signed_form", "electronic_signature", "verbal_witnessed"]
    form_reference: str | None = None


class ChildData(Plain):
    birth_order: int
    outcome: Outcome
    sex: Sex
    name: str | None = None
    weight_grams: int
    length_cm: float
    gestational_age_weeks: int | None = None


class BirthNotificationData(Plain):
    record_id: str
    birth_date: date
    birth_time: time
    birth_place: BirthPlaceData
    attendant: Attendant
    mother: PersonData
    father: PersonData | None = None
    kk_number: str
    marriage_proof: MarriageProofData | None = None
    sptjm_marriage: bool = False
    witnesses: list[PersonData]
    reporter_phone: str
    children: list[ChildData]
    consent: ConsentData | None = None

    def ordered_children(self) -> list[ChildData]:
        return sorted(self.children, key=lambda c: c.birth_order)
