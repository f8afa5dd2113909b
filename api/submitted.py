"""The family's fields as the hospital sent them, as each role may see them.

The hospital that sent them sees them whole (`GET /v1/births/{id}`). Operators and supervisors of
the bundle's office and auditors see names and the reporter's phone, the NIKs and the KK number
masked; they reveal one of those at a time, with a reason, and each reveal is an audit event (its
details name the field, never the value). Admins never see them: no route of theirs reads a bundle.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session

from api.auth import audit
from api.auth.roles import READING, Principal, Role
from api.bundle_access import visible_bundle
from store import submissions
from store.cipher import StateCipher

MASK = "•"
REVEAL_ACTION = "submitted.reveal"


class RevealField(StrEnum):
    """The fields shown masked, each revealed on its own."""

    mother_nik = "mother_nik"
    father_nik = "father_nik"
    kk_number = "kk_number"


def mask(value: str) -> str:
    """3673••••••••0001: the region (which office) and the last digits (which record), nothing between."""
    if len(value) <= 8:
        return MASK * len(value)
    return value[:4] + MASK * (len(value) - 8) + value[-4:]


class ParentPublic(BaseModel):
    name: str
    nik: str = Field(description="As sent; masked (e.g. 3673••••••••0001) unless `masked` is false")


class ChildSubmittedPublic(BaseModel):
    birth_order: int
    name: str | None = Field(description="As sent; null when the baby was discharged without a name")


class SubmittedPublic(BaseModel):
    """The family as the hospital sent it (the bundle's state shows what the services did with it)."""

    masked: bool = Field(description="True when NIKs and the KK number are masked (operators' views); "
                                     "the sending hospital sees them whole")
    mother: ParentPublic
    father: ParentPublic | None
    kk_number: str
    children: list[ChildSubmittedPublic]
    reporter_phone: str


def value_of(sub: submissions.Submitted, field: RevealField) -> str | None:
    if field is RevealField.mother_nik:
        return sub.mother.nik
    if field is RevealField.father_nik:
        return sub.father.nik if sub.father else None
    return sub.kk_number


def public(sub: submissions.Submitted | None, who: Principal) -> SubmittedPublic | None:
    """What `who` sees of a bundle it may already see: whole for a hospital, masked for staff."""
    if sub is None or who.role not in (Role.hospital, *READING):
        return None
    hide = (lambda v: v) if who.role is Role.hospital else mask
    return SubmittedPublic(
        masked=who.role is not Role.hospital,
        mother=ParentPublic(name=sub.mother.name, nik=hide(sub.mother.nik)),
        father=ParentPublic(name=sub.father.name, nik=hide(sub.father.nik)) if sub.father else None,
        kk_number=hide(sub.kk_number),
        children=[ChildSubmittedPublic(birth_order=c.birth_order, name=c.name) for c in sub.children],
        reporter_phone=sub.reporter_phone)


def load(*, session: Session, cipher: StateCipher, bundle_id: str, who: Principal) -> SubmittedPublic | None:
    return public(submissions.get(session=session, cipher=cipher, bundle_id=bundle_id), who)


Why = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"field": "mother_nik", "reason": "Menelepon keluarga untuk koreksi NIK ibu"}]})
    field: RevealField
    reason: Why = Field(description="Why the value is needed: kept in the audit log")


class RevealedPublic(BaseModel):
    bundle_id: str
    field: RevealField
    value: str


class NotSent(LookupError):
    """The bundle has no such field as sent (no father, fields not kept, or removed by retention)."""


def reveal(*, session: Session, cipher: StateCipher, who: Principal, bundle_id: str, field: RevealField,
           reason: str) -> RevealedPublic:
    """One field in full, recorded in the audit log with the reason (raises HTTPException 404 when the
    bundle is not `who`'s to see, NotSent when the field is not there)."""
    row = visible_bundle(session, bundle_id, who)
    sub = submissions.get(session=session, cipher=cipher, bundle_id=row.id)
    value = value_of(sub, field) if sub is not None else None
    if value is None:
        raise NotSent(field.value)
    audit.record(session=session, who=who, action=REVEAL_ACTION, bundle_id=row.id, reason=reason,
                 details={"field": field.value})
    return RevealedPublic(bundle_id=row.id, field=field, value=value)
