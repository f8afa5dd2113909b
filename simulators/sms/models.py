"""The simulator's one table: every message it accepted, as a handset would receive it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Pesan(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    referensi: str = Field(unique=True, max_length=120)  # the client's id: a resend is the same message
    tujuan: str = Field(index=True, max_length=16)  # E.164, e.g. +6281234567890
    pengirim: str = Field(max_length=11)
    isi: str = Field(sa_type=sa.Text)
    segmen: int
    diterima_pada: datetime
