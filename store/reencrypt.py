"""Rewrite stored states under the current read-model key (after a rotation, or plain JSON rows
written before encryption), in batches, without stopping the writers."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.callback_models import HospitalWebhook
from store.cipher import StateCipher, StateKeyError
from store.family_models import FamilyAccess
from store.models import Bundle, FollowUp, PendingStart, ServiceStatusRow, Submission, TimelineRow
from store.webhooks import reencrypt_secrets

BATCH = 500


@dataclass
class ReencryptReport:
    rewritten: dict[str, int] = field(default_factory=dict)  # per table
    current: dict[str, int] = field(default_factory=dict)  # already under the current key
    moved: dict[str, int] = field(default_factory=dict)  # rewritten by a writer meanwhile: left
    failed: list[tuple[str, str]] = field(default_factory=list)  # (row id, why): ids only


def _table(engine: Engine, cipher: StateCipher, model, pk, report: ReencryptReport, dry_run: bool,
           column=None) -> None:
    name = model.__tablename__
    column = model.state_json if column is None else column
    counts = {"rewritten": 0, "current": 0, "moved": 0}
    last = ""
    while True:
        with Session(engine) as session:
            rows = session.exec(select(pk, column).where(col(pk) > last)
                                .order_by(col(pk)).limit(BATCH)).all()
            if not rows:
                break
            last = rows[-1][0]
            for rid, stored in rows:
                try:
                    if cipher.is_current(stored):
                        counts["current"] += 1
                        continue
                    fresh = cipher.encrypt(name, rid, cipher.decrypt(name, rid, stored))
                except StateKeyError as exc:
                    report.failed.append((f"{name} {rid}", str(exc)))
                    continue
                if dry_run:
                    counts["rewritten"] += 1
                    continue
                # Only if unchanged: a concurrent writer's newer state stands (under its own key).
                done = session.exec(sa.update(model).where(col(pk) == rid, col(column) == stored)
                                    .values({column.key: fresh})).rowcount
                counts["rewritten" if done else "moved"] += 1
            session.commit()
    report.rewritten[name], report.current[name], report.moved[name] = (
        counts["rewritten"], counts["current"], counts["moved"])


def _per_bundle(engine: Engine, cipher: StateCipher, table: sa.Table, column: str, keys: tuple[str, ...],
                report: ReencryptReport, dry_run: bool) -> None:
    """Rows keyed by (bundle, ...) (services, timeline events), a batch of bundles at a time; each
    row's id for the cipher is its key joined by '/', as store/bundles.py writes them."""
    counts = {"rewritten": 0, "current": 0, "moved": 0}
    last = ""
    while True:
        with Session(engine) as session:
            bid = Bundle.__table__.c.id
            ids = [r[0] for r in session.exec(sa.select(bid).where(bid > last).order_by(bid).limit(BATCH))]
            if not ids:
                break
            last = ids[-1]
            rows = session.exec(sa.select(*(table.c[k] for k in keys), table.c[column])
                                .where(table.c.bundle_id.in_(ids))).all()
            for *key, stored in rows:
                rid = "/".join(str(k) for k in key)
                try:
                    if not stored or cipher.is_current(stored):
                        counts["current"] += 1
                        continue
                    fresh = cipher.encrypt(table.name, rid, cipher.decrypt(table.name, rid, stored))
                except StateKeyError as exc:
                    report.failed.append((f"{table.name} {rid}", str(exc)))
                    continue
                if dry_run:
                    counts["rewritten"] += 1
                    continue
                same = [table.c[k] == v for k, v in zip(keys, key, strict=True)]
                done = session.exec(table.update().where(*same, table.c[column] == stored)
                                    .values({column: fresh})).rowcount
                counts["rewritten" if done else "moved"] += 1
            session.commit()
    report.rewritten[table.name], report.current[table.name], report.moved[table.name] = (
        counts["rewritten"], counts["current"], counts["moved"])


def reencrypt(engine: Engine, cipher: StateCipher, *, dry_run: bool = False) -> ReencryptReport:
    """Rewrite every bundle and follow-up state, pending start, family phone number (and webhook
    secret) not under the current key; dry-run only counts. (A family's PIN digest names its key and
    cannot be re-keyed without the PIN: it works while that key is configured, and a new PIN is one
    request away.)"""
    if cipher.current is None:
        raise StateKeyError("no read-model keys (KELAHIRAN_READMODEL_KEYS): nothing to encrypt with")
    report = ReencryptReport()
    _table(engine, cipher, Bundle, Bundle.id, report, dry_run)  # the bundles' headers
    _per_bundle(engine, cipher, ServiceStatusRow.__table__, "state_json",
                ("bundle_id", "birth_order", "service"), report, dry_run)
    _per_bundle(engine, cipher, TimelineRow.__table__, "message", ("bundle_id", "seq"), report, dry_run)
    _table(engine, cipher, FollowUp, FollowUp.workflow_id, report, dry_run)
    # Births accepted but not started yet (their workflow's input) and the families' phone numbers.
    _table(engine, cipher, PendingStart, PendingStart.bundle_id, report, dry_run, PendingStart.input_json)
    _table(engine, cipher, FamilyAccess, FamilyAccess.bundle_id, report, dry_run, FamilyAccess.phone)
    _table(engine, cipher, Submission, Submission.bundle_id, report, dry_run, Submission.content_json)
    with Session(engine) as session:  # hospitals' webhook signing secrets (api/callbacks)
        done, current, failed = reencrypt_secrets(session=session, cipher=cipher, dry_run=dry_run)
    name = HospitalWebhook.__tablename__
    report.rewritten[name], report.current[name], report.moved[name] = done, current, 0
    report.failed += failed
    return report
