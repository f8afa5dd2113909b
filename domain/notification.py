"""The hospital's birth notification: one delivery, one or more children, validated field by field.

These models extend the plain shapes of domain/contracts/notification.py with the intake's rules
(NIK structure and sex, KK numbers, names, lengths, cross-field rules). They run once, at intake;
the workflow receives the plain shapes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from domain.contracts.notification import (
    Attendant,
    BirthNotificationData,
    BirthPlaceData,
    ChildData,
    ConsentData,
    MarriageProofData,
    Outcome,
    PersonData,
    Sex,
)
from domain.nik import NikError, parse_nik, validate_kk_number
from domain.person_names import ChildName, ChildNameAtIntake, name_warning
from domain.strict import IsoDate, IsoDateTime, IsoTime, SingleLine, StrictBool, StrictFloat, StrictInt

__all__ = ["Attendant", "BirthNotification", "Child", "ChildName", "Consent", "Father", "KkNumber", "Mother",
           "Nik", "Outcome", "Person", "PersonName", "Sex", "intake_problems", "intake_warnings"]


def _check_nik(value: str) -> str:
    try:
        parse_nik(value)
    except NikError as exc:
        raise ValueError(str(exc)) from None
    return value


def _check_kk(value: str) -> str:
    try:
        return validate_kk_number(value)
    except NikError as exc:
        raise ValueError(str(exc)) from None


def _sex_is(sex: str, who: str):
    def check(value: str) -> str:
        if parse_nik(value).sex != sex:
            wrong = "a man (day of birth not +40)" if sex == "female" else "a woman (day of birth +40)"
            raise ValueError(f"{who}'s NIK encodes {wrong}")
        return value

    return AfterValidator(check)


Nik = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{16}$"),
                AfterValidator(_check_nik)]
FemaleNik = Annotated[Nik, _sex_is("female", "mother")]
MaleNik = Annotated[Nik, _sex_is("male", "father")]
KkNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{16}$"),
                     AfterValidator(_check_kk)]
# Adults' names as recorded: the child-name rule is not retroactive ("Ma'ruf" stays "Ma'ruf").
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                       SingleLine]
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^(\+62|62|0)8\d{7,12}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]


class Person(PersonData):
    nik: Nik
    name: PersonName


class Mother(Person):
    nik: FemaleNik


class Father(Person):
    nik: MaleNik


class BirthPlace(BirthPlaceData):
    facility_name: PersonName
    kab_kota_code: RegionCode = Field(description="Kemendagri code of the kab/kota where the birth happened")


class MarriageProof(MarriageProofData):
    kind: Literal["buku_nikah", "akta_perkawinan"]
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64), SingleLine]


FormReference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                          SingleLine]


class Consent(ConsentData):
    """A parent's consent to processing the child's data (UU 27/2022 Pasal 25: a child's personal
    data is processed with the consent of a parent or guardian)."""

    given_by: Literal["mother", "father", "guardian"]
    given_at: IsoDateTime = Field(description="When it was given (with a UTC offset)")
    method: Literal["signed_form", "electronic_signature", "verbal_witnessed"]
    form_reference: FormReference | None = Field(
        default=None, description="The hospital's reference for the signed form")

    @field_validator("given_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("given_at needs a UTC offset, e.g. 2026-11-27T08:30:00+07:00")
        return v


class Child(ChildData):
    # Numbers must be JSON numbers ("3000" is refused, not read as 3000): domain/strict.py.
    birth_order: StrictInt = Field(ge=1, le=9, description="1 for a single birth; 1, 2, ... for multiples")
    outcome: Outcome
    sex: Sex
    # Permendagri 73/2022; "Bayi Ny. <mother>" (any intake) means not named yet, i.e. None.
    name: ChildNameAtIntake = Field(default=None, description=(
        "May be missing at discharge (or \"Bayi Ny. <mother>\"); otherwise 1-60 letters A-Z/a-z and "
        "single spaces, no titles (Permendagri 73/2022)"))
    weight_grams: StrictInt = Field(ge=300, le=7000)
    length_cm: StrictFloat = Field(ge=20, le=65)
    gestational_age_weeks: StrictInt | None = Field(default=None, ge=20, le=45)

    @model_validator(mode="after")
    def _stillbirth_rules(self) -> Child:
        if self.outcome is Outcome.STILLBIRTH:
            if self.gestational_age_weeks is None:
                raise ValueError("gestational_age_weeks is required for a stillbirth")
            if self.gestational_age_weeks < 28:
                raise ValueError("a stillbirth is registrable only from 28 weeks of gestation")
        return self


class BirthNotification(BirthNotificationData):
    """One delivery as the hospital reports it (form F-2.01 fields)."""

    record_id: RecordId = Field(description="The hospital's own id for this delivery")
    birth_date: IsoDate
    birth_time: IsoTime
    birth_place: BirthPlace
    attendant: Attendant
    mother: Mother
    father: Father | None = None
    kk_number: KkNumber = Field(description="The family's Kartu Keluarga the children join")
    marriage_proof: MarriageProof | None = None
    sptjm_marriage: StrictBool = Field(
        default=False, description="SPTJM suami-istri given instead of a marriage record"
    )
    witnesses: list[Person] = Field(min_length=2, max_length=2)
    reporter_phone: Phone
    children: list[Child] = Field(min_length=1, max_length=9)
    # Required at intake (see intake_problems); optional here so histories from before it replay.
    consent: Consent | None = Field(default=None, description="The parent's consent; required")

    @field_validator("marriage_proof")
    @classmethod
    def _proof_needs_father(cls, v: MarriageProof | None, info: ValidationInfo) -> MarriageProof | None:
        if v is not None and info.data.get("father") is None and "father" not in _failed(info):
            raise ValueError("a marriage proof needs the father's data (father is missing)")
        return v

    @field_validator("sptjm_marriage")
    @classmethod
    def _sptjm_rules(cls, v: bool, info: ValidationInfo) -> bool:
        if v and info.data.get("marriage_proof") is not None:
            raise ValueError("give either marriage_proof or sptjm_marriage, not both")
        if v and info.data.get("father") is None and "father" not in _failed(info):
            raise ValueError("an SPTJM suami-istri needs the father's data (father is missing)")
        return v

    @field_validator("children")
    @classmethod
    def _numbered(cls, v: list[Child]) -> list[Child]:
        if sorted(c.birth_order for c in v) != list(range(1, len(v) + 1)):
            raise ValueError("children must be numbered 1..n by birth_order")
        return v



def _failed(info: ValidationInfo) -> set[str]:
    # Fields that failed validation are absent from info.data; don't blame them twice.
    return set(BirthNotification.model_fields) - set(info.data) - {info.field_name or ""}


def intake_warnings(n: BirthNotification) -> list[tuple[tuple[str | int, ...], str]]:
    """What is accepted but worth the hospital's look (the 202 body's `warnings`)."""
    return [(("children", i, "name"), warning) for i, c in enumerate(n.children)
            if (warning := name_warning(c.name))]


WIB = timezone(timedelta(hours=7), "WIB")
# A delivery room's clock and ours may differ by a few minutes; more than that is a later time.
CLOCK_TOLERANCE = timedelta(minutes=5)


def intake_problems(n: BirthNotification, today: date,
                    now: datetime | None = None) -> list[tuple[tuple[str | int, ...], str]]:
    """Rules that depend on today's date, checked at intake (never inside the workflow sandbox).

    `now` (aware) also refuses a birth time later today: birth dates and times are WIB wall-clock."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if n.birth_date > today:
        problems.append((("birth_date",), "birth_date is in the future"))
    elif now is not None and _later_today(n, now):
        problems.append((("birth_time",), "birth_time is later than now (WIB, UTC+7): a birth cannot be "
                                          "reported before it happens"))
    elif (today - n.birth_date).days > 18 * 366:
        problems.append((("birth_date",), "birth_date is more than 18 years ago: not a newborn"))
    people = [(("mother", "nik"), n.mother.nik)]
    if n.father:
        people.append((("father", "nik"), n.father.nik))
    people += [(("witnesses", i, "nik"), w.nik) for i, w in enumerate(n.witnesses)]
    for loc, nik in people:
        born = parse_nik(nik, today=today).birth_date
        if born > today:
            problems.append((loc, "NIK encodes a date of birth in the future"))
    mother_born = parse_nik(n.mother.nik, today=today).birth_date
    if (n.birth_date - mother_born).days < 10 * 365:
        problems.append((("mother", "nik"), "mother's NIK date of birth is implausible for this birth"))
    if n.consent is None:
        problems.append((("consent",), "the parent's consent to processing the child's data is required"))
    elif n.consent.given_at.date() > today + timedelta(days=1):
        problems.append((("consent", "given_at"), "given_at is in the future"))
    return problems


def _later_today(n: BirthNotification, now: datetime) -> bool:
    local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(WIB)
    if n.birth_date != local.date():
        return False
    born = datetime.combine(n.birth_date, n.birth_time.replace(tzinfo=None), tzinfo=WIB)
    return born > local + CLOCK_TOLERANCE
