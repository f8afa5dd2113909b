"""The read model: one row per bundle for listing and filtering, one per service, one per timeline event.

Written by the API's first insert and then by the workflow's sync activity, each write carrying
only what changed (store/bundles.py); read by the API, so listing and filtering never scan
workflows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class UtcDateTime(sa.TypeDecorator):
    """Timestamps stored in UTC and read back timezone-aware on every backend.

    SQLite keeps no offset: without this, an input in +07:00 would be stored as if it were UTC and
    values would come back naive.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Bundle(SQLModel, table=True):
    __tablename__ = "bundle"
    __table_args__ = (sa.UniqueConstraint("hospital_id", "record_id", name="uq_bundle_hospital_record"),)

    id: str = Field(primary_key=True, max_length=36)
    hospital_id: str = Field(index=True, max_length=64)
    record_id: str = Field(max_length=64)
    content_hash: str = Field(max_length=64)
    status: str = Field(index=True, max_length=32)
    birth_date: date = Field(index=True)
    received_at: datetime = Field(sa_type=UtcDateTime, index=True)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    office_code: str | None = Field(default=None, max_length=4)
    domicile_kecamatan: str | None = Field(default=None, index=True, max_length=6)
    child_count: int
    reasons: str = Field(default="", max_length=500)  # open reason codes, comma-separated
    deadline_risk: bool = Field(default=False, index=True)  # an open service near/past its deadline
    # Writes are ordered by (history_length, version): older ones never overwrite newer ones.
    version: int = 0
    history_length: int = 0
    # The header (BundleHeader: the state without services and timeline), encrypted (store/cipher.py).
    state_json: str = Field(sa_type=sa.Text)
    # Set by retention: the state kept only statuses, dates and reason codes; nothing rewrites it.
    anonymised_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ServiceStatusRow(SQLModel, table=True):
    __tablename__ = "service_status"
    __table_args__ = (sa.Index("ix_service_status_service_status", "service", "status"),)

    bundle_id: str = Field(foreign_key="bundle.id", primary_key=True, max_length=36, ondelete="CASCADE")
    birth_order: int = Field(primary_key=True)  # 0 for bundle-level services (routing, kk)
    service: str = Field(primary_key=True, max_length=32)
    status: str = Field(max_length=32)
    reason: str | None = Field(default=None, max_length=64)
    updated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    state_json: str = Field(sa_type=sa.Text)  # the whole ServiceState, encrypted like the header


class TimelineRow(SQLModel, table=True):
    """One event of a bundle's timeline, keyed by its position: a replayed write overwrites it."""

    __tablename__ = "timeline_event"

    bundle_id: str = Field(foreign_key="bundle.id", primary_key=True, max_length=36, ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime)
    kind: str = Field(max_length=40)
    service: str | None = Field(default=None, max_length=32)
    birth_order: int | None = None
    reason: str | None = Field(default=None, max_length=64)
    # The English note and the note's parameters (names of actors, typed reasons) as one encrypted JSON
    # {"m": message, "p": params}; "" when there is neither.
    message: str = Field(default="", sa_type=sa.Text)
    note: str | None = Field(default=None, max_length=40)  # the note's code (domain Note), plain


class Reminder(SQLModel, table=True):
    """Outbox of reminders to families; a delivery channel (SMS gateway) drains it."""

    __tablename__ = "reminder"
    __table_args__ = (sa.UniqueConstraint("bundle_id", "service", "birth_order", "kind",
                                          name="uq_reminder_once"),)

    id: int | None = Field(default=None, primary_key=True)
    bundle_id: str = Field(foreign_key="bundle.id", index=True, max_length=36, ondelete="CASCADE")
    service: str = Field(max_length=32)
    birth_order: int
    kind: str = Field(max_length=32)
    due: date
    created_at: datetime = Field(sa_type=UtcDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)


class FollowUp(SQLModel, table=True):
    """A follow-up after issue (death, correction), written by its own workflow."""

    __tablename__ = "follow_up"

    workflow_id: str = Field(primary_key=True, max_length=120)
    bundle_id: str = Field(foreign_key="bundle.id", index=True, max_length=36, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    birth_order: int
    status: str = Field(index=True, max_length=32)
    reason: str | None = Field(default=None, max_length=64)  # the open reason code, for lists
    version: int = 0
    updated_at: datetime = Field(sa_type=UtcDateTime)
    state_json: str = Field(sa_type=sa.Text)  # encrypted like the bundle's


class Document(SQLModel, table=True):
    """A document issued to a child (an akta kelahiran, an akta kematian), one row per issue.

    Written by the syncs of the bundle and of its follow-ups (store/documents.py); a correction's
    akta points the row it replaces at itself (`superseded_by`), so the one in force is the row
    nothing supersedes.
    """

    __tablename__ = "document"
    __table_args__ = (sa.UniqueConstraint("bundle_id", "birth_order", "kind", "source",
                                          name="uq_document_issue"),)

    id: int | None = Field(default=None, primary_key=True)
    bundle_id: str = Field(foreign_key="bundle.id", index=True, max_length=36, ondelete="CASCADE")
    birth_order: int
    kind: str = Field(max_length=20)  # akta_kelahiran, akta_kematian
    source: str = Field(max_length=120)  # "bundle", or the follow-up that issued it
    issued_at: datetime = Field(sa_type=UtcDateTime)
    superseded_by: int | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    content_json: str = Field(sa_type=sa.Text)  # the number and the printed name, encrypted


class PendingStart(SQLModel, table=True):
    """An accepted birth whose workflow is not known to be started yet (the intake's outbox).

    Written in the intake's transaction with the bundle row, deleted once Temporal has the workflow;
    every API process's `api/starter.py` drains it, each claiming rows with a lease first
    (`store/pending.py`). The workflow's input is kept exactly as the intake built it.
    """

    __tablename__ = "pending_start"

    bundle_id: str = Field(foreign_key="bundle.id", primary_key=True, max_length=36, ondelete="CASCADE")
    input_json: str = Field(sa_type=sa.Text)  # KelahiranInput, encrypted like the bundle's state
    created_at: datetime = Field(sa_type=UtcDateTime, index=True)
    attempts: int = 0
    next_try_at: datetime = Field(sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, max_length=80)  # an error type, never a message
    # Set by the pass that claimed the row, for as long as it may take to start it; cleared when it
    # records a failure (a started row is deleted). Another process takes the row once it runs out.
    lease_owner: str | None = Field(default=None, max_length=64)  # "<pid>-<random>", one per pass
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class MotherIdentity(SQLModel, table=True):
    """One row per mother (a keyed digest of her NIK): the intake's duplicate check locks it first,
    so two intakes of the same mother's births, on any API replica, check one after the other."""

    __tablename__ = "mother_identity"

    mother_key: str = Field(primary_key=True, max_length=64)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)


class BirthIdentity(SQLModel, table=True):
    """One child as reported: a keyed digest of the mother's NIK, the birth date and the birth order
    (store/identity.py), unique, so one child is claimed by one bundle. No NIK is stored."""

    __tablename__ = "birth_identity"

    key: str = Field(primary_key=True, max_length=64)
    key_id: str = Field(max_length=64)  # the read-model key the digests were made with
    mother_key: str = Field(index=True, max_length=64)
    birth_date: date
    birth_order: int
    # No foreign key: the rows are written before the bundle's, in the same transaction, so the
    # check and the claim are one step (store/identity.py); the check joins the bundle it names.
    bundle_id: str = Field(index=True, max_length=36)
    created_at: datetime = Field(sa_type=UtcDateTime)


class Submission(SQLModel, table=True):
    """The family's personal fields as the hospital sent them (parents' names and NIKs, the KK
    number, the children's names, the reporter's phone), for the operators who call or correct the
    family; encrypted like the states (store/submissions.py) and deleted by retention."""

    __tablename__ = "submission"

    # No foreign key: written just before the bundle's row, in the intake's transaction (like
    # birth_identity), so the one commit keeps both or neither.
    bundle_id: str = Field(primary_key=True, max_length=36)
    created_at: datetime = Field(sa_type=UtcDateTime)
    content_json: str = Field(sa_type=sa.Text)  # store.submissions.Submitted, encrypted


def read_model_metadata() -> sa.MetaData:
    """Only the read model's tables: other SQLModel tables (e.g. a simulator's, imported in the same
    process) must never leak into this database's migrations."""
    from store.auth_models import AUTH_TABLES  # auth imports this module's column type
    from store.callback_models import CALLBACK_TABLES
    from store.family_models import FAMILY_TABLES

    md = sa.MetaData()
    for model in (Bundle, ServiceStatusRow, TimelineRow, Reminder, FollowUp, Document, PendingStart,
                  MotherIdentity, BirthIdentity, Submission, *AUTH_TABLES,
                  *CALLBACK_TABLES, *FAMILY_TABLES):
        model.__table__.to_metadata(md)
    return md
