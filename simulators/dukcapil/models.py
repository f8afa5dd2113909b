"""The simulator's own tables: population (keluarga, penduduk) and the documents it issues.

Follow-ups after issue (death, correction) live in tables of their own, so databases created
before them keep working with `create_all`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself, e.g. which seed populated it."""

    key: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)


class Keluarga(SQLModel, table=True):
    """One Kartu Keluarga plus the population traits testers sample on (BPJS segment etc.)."""

    kk_number: str = Field(primary_key=True, max_length=16)
    kab_kota: str = Field(index=True, max_length=4)
    kecamatan: str = Field(index=True, max_length=6)
    kelurahan: str = Field(max_length=10)
    address: str = Field(max_length=200)
    marital: str = Field(index=True, max_length=30)
    marriage_number: str | None = Field(default=None, max_length=64)
    husband_nik: str | None = Field(default=None, max_length=16)
    wife_nik: str = Field(max_length=16)
    legacy_nik: bool = Field(default=False, index=True)
    bpjs_segment: str = Field(index=True, max_length=10)
    bpjs_class: str = Field(max_length=1)
    ppu_wage: int | None = None
    children_count: int = 0
    issued_on: date
    signature_id: str = Field(max_length=64)
    reissue_count: int = 0


class Penduduk(SQLModel, table=True):
    """A person. Newborns exist here (with a NIK) before they are rows on a KK."""

    nik: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=6)
    birth_date: date
    birth_place: str = Field(max_length=100)
    religion: str = Field(default="ISLAM", max_length=20)
    kk_number: str | None = Field(default=None, index=True, max_length=16)  # member of
    kk_target: str | None = Field(default=None, index=True, max_length=16)  # newborn: will join
    relationship: str | None = Field(default=None, max_length=20)
    relationship_code: int | None = None
    education: str | None = Field(default=None, max_length=40)
    marital_status: str | None = Field(default=None, max_length=30)
    citizenship: str = Field(default="WNI", max_length=3)
    mother_nik: str | None = Field(default=None, max_length=16)
    father_nik: str | None = Field(default=None, max_length=16)
    mother_name: str | None = Field(default=None, max_length=100)
    father_name: str | None = Field(default=None, max_length=100)
    akta_number: str | None = Field(default=None, max_length=40)
    seeded: bool = Field(default=False, index=True)


class Kelahiran(SQLModel, table=True):
    """A live birth as registered (form F-2.01 facts); one per child (mother, birth date, order)."""

    __table_args__ = (UniqueConstraint("mother_nik", "birth_date", "birth_order", name="uq_kelahiran_anak"),)

    id: int | None = Field(default=None, primary_key=True)
    child_nik: str = Field(unique=True, max_length=16)
    kk_number: str = Field(index=True, max_length=16)
    mother_nik: str = Field(max_length=16)
    father_nik: str | None = Field(default=None, max_length=16)
    birth_date: date
    birth_time: str = Field(max_length=8)
    birth_place_kab_kota: str = Field(max_length=4)
    facility_name: str = Field(max_length=100)
    birth_order: int
    multiplicity: int
    weight_grams: int
    length_cm: float
    office: str = Field(max_length=4)
    registered_on: date


class LahirMati(SQLModel, table=True):
    """A surat keterangan lahir mati: the only document a stillbirth gets."""

    __table_args__ = (UniqueConstraint("office", "registered_on", "counter"),)

    number: str = Field(primary_key=True, max_length=40)
    office: str = Field(max_length=4)
    registered_on: date
    counter: int
    kk_number: str = Field(max_length=16)
    mother_nik: str = Field(max_length=16)
    birth_date: date
    birth_order: int
    gestational_age_weeks: int
    facility_name: str = Field(max_length=100)


class Akta(SQLModel, table=True):
    """An akta kelahiran; the counter runs per office per registration date (LU and LT share it)."""

    __table_args__ = (UniqueConstraint("office", "registered_on", "counter"),)

    register_number: str = Field(primary_key=True, max_length=40)
    child_nik: str = Field(unique=True, max_length=16)
    child_name: str = Field(max_length=100)
    office: str = Field(max_length=4)
    registered_on: date
    counter: int
    late: bool
    kadis_decision_number: str | None = Field(default=None, max_length=64)
    parents_wording: str = Field(max_length=30)
    mother_nik: str = Field(max_length=16)
    father_nik: str | None = Field(default=None, max_length=16)
    marriage_proof_number: str | None = Field(default=None, max_length=64)
    witness_1: str = Field(max_length=16)
    witness_2: str = Field(max_length=16)
    attendant: str = Field(max_length=30)
    birth_place_kab_kota: str = Field(max_length=4)
    facility_name: str = Field(max_length=100)
    text: str = Field(max_length=2000)


class Kia(SQLModel, table=True):
    """A Kartu Identitas Anak; it shows the child's NIK, so the NIK is its key."""

    nik: str = Field(primary_key=True, max_length=16)
    card_type: str = Field(max_length=4)
    valid_until: date
    issued_on: date
    office: str = Field(max_length=4)


class KkTerbit(SQLModel, table=True):
    """One reissue of a KK (same number, new issue date and electronic signature)."""

    id: int | None = Field(default=None, primary_key=True)
    kk_number: str = Field(index=True, max_length=16)
    office: str = Field(max_length=4)
    issued_on: date
    signature_id: str = Field(unique=True, max_length=64)
    added: str = Field(max_length=400)  # comma-separated NIKs of the children added


class AktaKematian(SQLModel, table=True):
    """An akta kematian for a child born alive; its akta kelahiran stands."""

    __table_args__ = (UniqueConstraint("office", "registered_on", "counter"),)

    number: str = Field(primary_key=True, max_length=40)
    child_nik: str = Field(unique=True, max_length=16)
    kk_number: str = Field(max_length=16)
    office: str = Field(max_length=4)
    registered_on: date
    counter: int
    date_of_death: date
    place_of_death: str = Field(max_length=100)


class AktaDiganti(SQLModel, table=True):
    """An akta kelahiran number superseded by a correction (the akta row holds the new one)."""

    __tablename__ = "akta_superseded"

    old_number: str = Field(primary_key=True, max_length=40)
    new_number: str = Field(unique=True, max_length=40)
    child_nik: str = Field(index=True, max_length=16)
    office: str = Field(max_length=4)
    superseded_on: date
    reason: str = Field(max_length=200)


class KkBarisLama(SQLModel, table=True):
    """A KK row as still printed after a correction, until the KK itself is updated."""

    nik: str = Field(primary_key=True, max_length=16)
    kk_number: str = Field(index=True, max_length=16)
    name: str = Field(max_length=100)
    akta_number: str | None = Field(default=None, max_length=40)
    father_name: str | None = Field(default=None, max_length=100)


class KkPerubahan(SQLModel, table=True):
    """One change of a KK member row (deceased removed, or updated after a correction).

    Like an addition it reissues the KK: same number, new issue date and electronic signature.
    """

    id: int | None = Field(default=None, primary_key=True)
    kk_number: str = Field(index=True, max_length=16)
    nik: str = Field(index=True, max_length=16)
    action: str = Field(max_length=20)  # remove_deceased | update
    office: str = Field(max_length=4)
    issued_on: date
    signature_id: str = Field(unique=True, max_length=64)


class KiaTerbitUlang(SQLModel, table=True):
    """One reissue of a KIA after a correction (the kia row holds the current issue date)."""

    id: int | None = Field(default=None, primary_key=True)
    nik: str = Field(index=True, max_length=16)
    office: str = Field(max_length=4)
    issued_on: date
    name: str = Field(max_length=100)
    akta_number: str = Field(max_length=40)


class Idempotensi(SQLModel, table=True):
    """A remembered successful issuing response, replayed for the same key and body."""

    key: str = Field(primary_key=True, max_length=200)
    endpoint: str = Field(max_length=30)
    body_hash: str = Field(max_length=64)
    status_code: int
    response: str
    created_at: datetime


class Dokumen(SQLModel, table=True):
    """A document as printed (akta kelahiran or KK): its data, the PDF and the office's signatures.

    Made once, when the document is first asked for, and never changed: a correction or a KK
    reissue makes a new one and this one reads as superseded.
    """

    __table_args__ = (UniqueConstraint("kind", "number", "version"),)

    id: str = Field(primary_key=True, max_length=24)  # opaque: what the QR code's URL names
    kind: str = Field(max_length=20)  # akta_kelahiran | kk
    number: str = Field(index=True, max_length=40)  # akta register number, or the KK number
    version: str = Field(max_length=64)  # the KK's signature id (TTE); the akta number again
    office: str = Field(max_length=4)
    issued_on: date
    data_json: str = Field(sa_type=sa.Text)  # canonical JSON of everything printed
    tte: str = Field(max_length=100)  # Ed25519 over the data (its short code is in the QR)
    pdf: bytes = Field(sa_type=sa.LargeBinary)
    pdf_sha256: str = Field(max_length=64)
    seal: str = Field(max_length=100)  # Ed25519 over the data and the PDF's hash
    created_at: datetime
