"""A child's documents as rows: each akta kelahiran issued (by the bundle, then by each correction)
and the akta kematian, the replaced ones pointing at what superseded them.

Written by the read-model syncs of the bundle and of its follow-ups alike, so what the bundle shows
is the akta in force, never the number a correction replaced. Numbers and names are personal data:
encrypted like the states. Bundles issued before these rows existed are read from their own state
and their corrections' records instead (`views`), so nothing needs a backfill.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from domain.contracts import BundleState, FollowUpKind, FollowUpState, Service, ServiceStatus
from store.cipher import StateCipher
from store.models import Document

AKTA, KEMATIAN = "akta_kelahiran", "akta_kematian"
BUNDLE = "bundle"  # the source of what the bundle's own workflow issued
D = Document.__table__


@dataclass(frozen=True)
class Issued:
    """One document a sync reports issued."""

    birth_order: int
    kind: str
    source: str
    number: str
    name: str | None = None
    supersedes: str | None = None  # a corrected akta: the number it replaces


@dataclass(frozen=True)
class DocumentView:
    birth_order: int
    kind: str
    source: str
    number: str
    name: str | None
    issued_at: datetime | None
    superseded_by: str | None = None  # the number now in force instead

    @property
    def current(self) -> bool:
        return self.superseded_by is None


def _aad(bundle_id: str, doc: Issued | Document) -> str:
    return f"{bundle_id}/{doc.birth_order}/{doc.kind}/{doc.source}"


def _content(cipher: StateCipher, bundle_id: str, doc: Issued) -> str:
    return cipher.encrypt(D.name, _aad(bundle_id, doc), json.dumps({"number": doc.number, "name": doc.name}))


def _open(cipher: StateCipher, row: Document) -> dict:
    return json.loads(cipher.decrypt(D.name, _aad(row.bundle_id, row), row.content_json))


def write(*, session: Session, cipher: StateCipher, bundle_id: str, issued: list[Issued]) -> None:
    """Write each document once (a sync repeated finds it there) and mark what it supersedes, in the
    caller's transaction (the follow-ups' syncs, `crud.apply_follow_up`)."""
    for doc in issued:
        _record_one(session, cipher, bundle_id, doc)


def _record_one(session: Session, cipher: StateCipher, bundle_id: str, doc: Issued) -> None:
    rows = session.exec(select(Document).where(
        Document.bundle_id == bundle_id, Document.birth_order == doc.birth_order,
        Document.kind == doc.kind)).all()
    row = next((r for r in rows if r.source == doc.source), None)
    if row is None:
        row = Document(bundle_id=bundle_id, birth_order=doc.birth_order, kind=doc.kind, source=doc.source,
                       issued_at=datetime.now(UTC), content_json=_content(cipher, bundle_id, doc))
        session.add(row)
        session.flush()
    if doc.supersedes is None:
        return
    for other in rows:
        if other.id == row.id or other.superseded_by is not None:
            continue
        if _open(cipher, other)["number"] == doc.supersedes:
            other.superseded_by = row.id
            session.add(other)


def bundle_rows(*, cipher: StateCipher, bundle_id: str, changes) -> list[dict]:
    """The rows of the akta a bundle sync reports issued (`from_bundle_services`), for `insert_new`."""
    now = datetime.now(UTC)
    return [{"bundle_id": bundle_id, "birth_order": d.birth_order, "kind": d.kind, "source": d.source,
             "issued_at": now, "superseded_by": None, "content_json": _content(cipher, bundle_id, d)}
            for d in from_bundle_services(changes)]


def insert_new(conn: sa.Connection, rows: list[dict]) -> None:
    """In the caller's transaction, the rows not stored yet (a repeated sync finds its akta there).
    The bundle's own akta supersedes nothing, so there is nothing else to mark."""
    if rows:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(insert(D).on_conflict_do_nothing(
            index_elements=["bundle_id", "birth_order", "kind", "source"]), rows)


def from_bundle_services(changes) -> list[Issued]:
    """The akta a bundle sync reports completed (ServiceChange rows), with the name printed on it."""
    return [Issued(birth_order=c.birth_order, kind=AKTA, source=BUNDLE, number=c.state.document_number,
                   name=c.state.facts.get("nama"))
            for c in changes if c.service is Service.AKTA and c.state.status is ServiceStatus.COMPLETED
            and c.state.document_number]


def rows_of(*, session: Session, cipher: StateCipher, bundle_id: str) -> list[DocumentView]:
    rows = session.exec(select(Document).where(Document.bundle_id == bundle_id)
                        .order_by(col(Document.issued_at), col(Document.id))).all()
    opened = {r.id: _open(cipher, r) for r in rows}
    by = {r.id: opened[r.superseded_by]["number"] for r in rows if r.superseded_by in opened}
    return [DocumentView(birth_order=r.birth_order, kind=r.kind, source=r.source,
                         number=opened[r.id]["number"], name=opened[r.id].get("name"), issued_at=r.issued_at,
                         superseded_by=by.get(r.id)) for r in rows]


def views(*, session: Session, cipher: StateCipher, state: BundleState,
          follow_ups: list[FollowUpState]) -> list[DocumentView]:
    """Every akta issued to the bundle's children, oldest first, and its akta kematian.

    The rows, completed by what the bundle's state and its corrections' records hold but no row does
    (bundles issued before the rows existed, or a row still being written)."""
    found = rows_of(session=session, cipher=cipher, bundle_id=state.bundle_id)
    known = {(d.kind, d.number) for d in found}
    extra: list[DocumentView] = []
    for c in state.children:
        akta = c.services.get(Service.AKTA)
        if akta and akta.status is ServiceStatus.COMPLETED and akta.document_number \
                and (AKTA, akta.document_number) not in known:
            extra.append(DocumentView(c.birth_order, AKTA, BUNDLE, akta.document_number,
                                      akta.facts.get("nama"), akta.updated_at))
    for f in sorted(follow_ups, key=lambda f: f.started_at or datetime.min.replace(tzinfo=UTC)):
        number = f.documents.get("akta") if f.kind is FollowUpKind.CORRECTION else f.documents.get(KEMATIAN)
        kind = AKTA if f.kind is FollowUpKind.CORRECTION else KEMATIAN
        if number and (kind, number) not in known:
            extra.append(DocumentView(f.birth_order, kind, f.workflow_id, number, None, f.completed_at))
    merged = found + extra
    # A correction's record names the akta it replaced: mark it, if nothing did.
    replaced = {f.documents["akta_lama"]: f.documents["akta"] for f in follow_ups
                if f.kind is FollowUpKind.CORRECTION and f.documents.get("akta")
                and f.documents.get("akta_lama")}
    return [replace(d, superseded_by=replaced[d.number])
            if d.kind == AKTA and d.current and d.number in replaced else d for d in merged]


def current_akta(docs: list[DocumentView], birth_order: int) -> DocumentView | None:
    """The akta kelahiran in force for this child: the latest one nothing superseded."""
    live = [d for d in docs if d.kind == AKTA and d.birth_order == birth_order and d.current]
    return live[-1] if live else None


def show_in_force(state: BundleState, docs: list[DocumentView]) -> None:
    """The akta step of each child shows the akta in force, not the number a correction replaced."""
    for c in state.children:
        akta = current_akta(docs, c.birth_order)
        if akta is not None and Service.AKTA in c.services:
            c.services[Service.AKTA].document_number = akta.number


def forget(*, session: Session, bundle_ids: list[str]) -> int:
    """Retention: the document rows of these bundles go (numbers and names); the caller commits."""
    return session.exec(sa.delete(Document).where(col(Document.bundle_id).in_(bundle_ids))).rowcount
