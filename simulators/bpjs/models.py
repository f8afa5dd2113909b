"""The simulator's own tables: families (payment accounts), members (cards), payments."""

# No `from __future__ import annotations`: SQLModel resolves column types at class creation.

from datetime import UTC, date, datetime

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class BpjsTable(SQLModel, registry=registry()):
    """Base of this simulator's tables: its own metadata, so other simulators' tables with the
    same names (in the same process, in tests) never collide and create_all creates only ours."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Family(BpjsTable, table=True):
    """One BPJS family account; its virtual account collects the family's contributions."""

    id: int | None = Field(default=None, primary_key=True)
    segment: str  # PBI, PPU or PBPU
    kelas: str
    virtual_account: str = Field(unique=True, index=True)
    ppu_wage: int | None = None
    balance: int = 0  # paid money not yet applied to a bill
    seeded: bool = True


class Member(BpjsTable, table=True):
    """A card holder. `nik` is unique: it is what makes newborn enrolment idempotent."""

    no_kartu: str = Field(primary_key=True, max_length=13)
    nik: str = Field(unique=True, index=True, max_length=16)
    name: str
    sex: str  # L / P
    birth_date: date
    family_id: int = Field(foreign_key="family.id", index=True)
    relationship: str  # KEPALA KELUARGA, ISTRI, ANAK
    segment: str
    kelas: str
    status: str  # DIDAFTARKAN, MENUNGGU_PEMBAYARAN, AKTIF, NONAKTIF
    # True when the member's contribution is paid through the family VA: PBPU members and
    # PPU children beyond the three the employer's contribution covers.
    pays_own: bool = False
    amount_due: int = 0
    arrears_from: date | None = None
    newborn: bool = False  # enrolled through /kepesertaan/bayi (what /v1/statistik counts)
    mother_nik: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=_utcnow)


class Payment(BpjsTable, table=True):
    """A bank transfer to a family VA, kept as the audit trail of activations."""

    id: int | None = Field(default=None, primary_key=True)
    virtual_account: str = Field(index=True)
    amount: int
    received_at: datetime = Field(default_factory=_utcnow)


class MemberEnd(BpjsTable, table=True):
    """Why and when a membership ended (death); a table of its own, `member` keeps its columns."""

    __tablename__ = "member_end"

    no_kartu: str = Field(primary_key=True, max_length=13)
    reason: str  # MENINGGAL
    date_of_death: date
    cancelled_amount: int = 0  # the pending bill written off
    status_before: str
    ended_at: datetime = Field(default_factory=_utcnow)


class SeedState(BpjsTable, table=True):
    """Marks the population as loaded, so a restart never seeds twice."""

    __tablename__ = "seed_state"

    key: str = Field(primary_key=True)
    seed: int
    families: int
    seeded_at: datetime = Field(default_factory=_utcnow)
