"""The documents as a family holds them, in our terms (the adapters map Dukcapil's wire to these)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from domain.notification import Sex


class CollectionPoint(BaseModel):
    """Where a physical card is handed over."""

    office: str  # kab/kota code
    name: str
    address: str
    hours: str


class KiaCard(BaseModel):
    """What the child's KIA shows; it is a card to collect, not a document to print."""

    nik: str
    name: str
    sex: Sex
    birth_place: str
    birth_date: date
    religion: str
    citizenship: str
    kk_number: str | None
    head_of_family: str | None
    address: str | None
    akta_number: str | None
    card_type: str  # "0-5" or "5-17"
    valid_until: date
    issued_on: date
    collect_at: CollectionPoint
