"""The family's personal fields as the hospital sent them, kept for the people who act on a bundle.

The workflow's input holds them too, but it leaves the read model once the workflow has started
(`pending_start`); the bundle's state keeps only what the services produced. A clerk told to
"correct the mother's NIK" or to call the family needs what was sent: the parents' names and NIKs,
the KK number, the children's names and the reporter's phone. They are written in the intake's
transaction, encrypted like the states (`store/cipher.py`, table `submission`, row id the bundle
id), never rewritten (a correction changes the workflow's data, not what was sent), and deleted by
retention with the rest of the bundle's personal data.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from domain.contracts.notification import BirthNotificationData
from store.cipher import StateCipher
from store.models import Submission

S = Submission.__table__
TABLE = Submission.__tablename__


class Parent(BaseModel):
    name: str
    nik: str


class ChildAsSent(BaseModel):
    birth_order: int
    name: str | None = None  # None: discharged without a name (or as "Bayi Ny. <mother>")


class Submitted(BaseModel):
    """What the hospital sent about the family, exactly as the intake accepted it."""

    mother: Parent
    father: Parent | None = None
    kk_number: str
    children: list[ChildAsSent]
    reporter_phone: str


def of_notification(n: BirthNotificationData) -> Submitted:
    return Submitted(
        mother=Parent(name=n.mother.name, nik=n.mother.nik),
        father=Parent(name=n.father.name, nik=n.father.nik) if n.father else None,
        kk_number=n.kk_number,
        children=[ChildAsSent(birth_order=c.birth_order, name=c.name) for c in n.children],
        reporter_phone=n.reporter_phone)


def prepare(*, cipher: StateCipher, bundle_id: str, submitted: Submitted) -> dict:
    """The row, encrypted before the intake's transaction begins (keep writes it)."""
    return {"bundle_id": bundle_id, "created_at": datetime.now(UTC),
            "content_json": cipher.encrypt(TABLE, bundle_id, submitted.model_dump_json())}


def keep(*, session: Session, row: dict) -> None:
    """Write the bundle's row (prepare) in the caller's transaction (the caller commits). A row already
    there (the same record posted twice at once) stands: the bundle's own insert then fails and rolls
    this back with it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.exec(dialect.insert(S).values(**row).on_conflict_do_nothing(index_elements=["bundle_id"]))


def get(*, session: Session, cipher: StateCipher, bundle_id: str) -> Submitted | None:
    """The bundle's fields as sent; None before this table existed or after retention."""
    stored = session.exec(sa.select(S.c.content_json).where(S.c.bundle_id == bundle_id)).scalar_one_or_none()
    if stored is None:
        return None
    return Submitted.model_validate_json(cipher.decrypt(TABLE, bundle_id, stored))


def forget(*, session: Session, bundle_ids: list[str]) -> int:
    """Retention: these bundles' rows go; the caller commits."""
    return session.exec(sa.delete(Submission).where(col(Submission.bundle_id).in_(bundle_ids))).rowcount
