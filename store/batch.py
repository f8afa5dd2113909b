"""A batch of bundle writes as one statement per table, over a JSON array of rows.

Why: the worker's writer commits the bundle changes that queued up together (activities/readmodel.py),
and each write touches four tables. One statement per row meant dozens of statements per batch, each
a round trip to PostgreSQL and, on SQLite, a step taken while holding the database's one write lock
(Python's driver lets go of the GIL while SQLite steps a statement and must take it back before the
next). Here each table gets one statement per batch: the rows travel as one JSON document, which the
database expands into a table (`json_each` on SQLite, `jsonb_to_recordset` with the columns' own
types on PostgreSQL), so the work per batch is a handful of statements whatever its size.

Values go through each column's own bind processing on SQLite (timestamps in UTC, as the ORM writes
them) and as ISO 8601 in UTC on PostgreSQL, so a row written here reads back like any other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from store import documents
from store.callback_models import NONE, PENDING, HospitalEvent, HospitalWebhook
from store.models import Bundle, ServiceStatusRow, TimelineRow

B, S, T, E = Bundle.__table__, ServiceStatusRow.__table__, TimelineRow.__table__, HospitalEvent.__table__
DIALECTS = ("sqlite", "postgresql")
_SQLITE = sqlite.dialect()
_EVENT_NAMES = ("id", "type", "occurred_at", "body", "hospital_id", "bundle_id")


class _Rows:
    """The `rows` parameter (a JSON array of objects) as a table named j, with these columns."""

    def __init__(self, dialect: str, columns: dict[str, sa.types.TypeEngine]) -> None:
        self.dialect = dialect
        if dialect == "postgresql":
            self.j = sa.func.jsonb_to_recordset(sa.cast(sa.bindparam("rows"), postgresql.JSONB)).table_valued(
                *(sa.column(name, type_) for name, type_ in columns.items())).render_derived(
                name="j", with_types=True)
        else:
            self.j = sa.func.json_each(sa.bindparam("rows")).table_valued("value").alias("j")

    def __getitem__(self, name: str) -> sa.ColumnElement:
        if self.dialect == "postgresql":
            return self.j.c[name]
        return sa.func.json_extract(self.j.c.value, sa.literal_column(f"'$.{name}'"))  # a constant path

    def select(self, *columns: str) -> sa.Select:
        return sa.select(*(self[c] for c in columns)).select_from(self.j)


def _types(table: sa.Table, columns: Iterable[str]) -> dict[str, sa.types.TypeEngine]:
    return {c: table.c[c].type for c in columns}


@cache
def _processor(table: sa.Table, column: str):
    return table.c[column].type.dialect_impl(_SQLITE).bind_processor(_SQLITE)


def _iso(value: object) -> str:
    """PostgreSQL's form of what JSON lacks: timestamps in UTC (naive ones are UTC, as UtcDateTime has it)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into a batch")


def _encode(conn: Connection, table: sa.Table, rows: Iterable[dict]) -> str:
    if conn.dialect.name == "postgresql":
        return json.dumps(list(rows), default=_iso)
    out = []
    for row in rows:
        values = {}
        for key, value in row.items():
            proc = _processor(table, key)
            values[key] = proc(value) if proc is not None and value is not None else value
        out.append(values)
    return json.dumps(out)


def _insert_for(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@cache
def _insert(dialect: str, table: sa.Table, columns: tuple[str, ...]) -> sa.Insert:
    return table.insert().from_select(list(columns), _Rows(dialect, _types(table, columns)).select(*columns))


def insert(conn: Connection, table: sa.Table, rows: list[dict]) -> None:
    """New rows (all with the same columns) in one statement."""
    if rows:
        conn.execute(_insert(conn.dialect.name, table, tuple(rows[0])), {"rows": _encode(conn, table, rows)})


@cache
def _update_bundles(dialect: str, columns: tuple[str, ...]) -> sa.Update:
    """Each bundle whose stored (history length, version) is below the row's: see newer_than_stored."""
    j = _Rows(dialect, _types(B, ("id", *columns)))
    h, v = j["history_length"], j["version"]
    return (B.update()
            .where(B.c.id == j["id"], B.c.anonymised_at.is_(None),
                   sa.or_(B.c.history_length < h, sa.and_(B.c.history_length == h, B.c.version < v)))
            .values({c: j[c] for c in columns}).returning(B.c.id))


@cache
def _upsert(dialect: str, table: sa.Table, columns: tuple[str, ...], keys: tuple[str, ...]) -> sa.Insert:
    # The WHERE is SQLite's rule for INSERT ... SELECT ... ON CONFLICT (else the parse is ambiguous).
    rows = _Rows(dialect, _types(table, columns)).select(*columns).where(sa.true())
    stmt = _insert_for(dialect)(table).from_select(list(columns), rows)
    return stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={c: stmt.excluded[c] for c in columns if c not in keys})


@cache
def _trim_timelines(dialect: str) -> sa.Delete:
    """Events past each written timeline's length (a dead worker's write may have gone further)."""
    j = _Rows(dialect, {"bundle_id": T.c.bundle_id.type, "length": sa.Integer()})
    beyond = (sa.select(T.c.bundle_id, T.c.seq).select_from(j.j).join(T, sa.and_(
        T.c.bundle_id == j["bundle_id"], T.c.seq >= j["length"])))
    return T.delete().where(sa.tuple_(T.c.bundle_id, T.c.seq).in_(beyond))


@cache
def _insert_events(dialect: str) -> sa.Insert:
    """The hospitals' events (store/callback_events.py prepares them), pending where a webhook is set;
    on PostgreSQL with the transaction's id, which the hospitals' polling orders by."""
    j = _Rows(dialect, _types(E, _EVENT_NAMES))
    hospital = j["hospital_id"]
    registered = sa.exists().where(HospitalWebhook.__table__.c.hospital_id == hospital)
    txid = (sa.cast(sa.cast(sa.func.pg_current_xact_id(), sa.Text), sa.BigInteger) if dialect == "postgresql"
            else sa.literal(0))
    return E.insert().from_select(
        [*_EVENT_NAMES, "delivery", "attempts", "next_attempt_at", "txid"],
        sa.select(*(j[n] for n in _EVENT_NAMES), sa.case((registered, PENDING), else_=NONE),
                  sa.literal(0), j["occurred_at"], txid).select_from(j.j))


# prepare_change's parameters, by column
_EVENT_COLUMNS = {"p_id": "id", "p_type": "type", "p_occurred_at": "occurred_at", "p_body": "body",
                  "p_hospital": "hospital_id", "p_bundle": "bundle_id"}


def insert_changes(conn: Connection, changes: list[dict]) -> None:
    """The hospitals' events of the written bundles (by column, see _EVENT_COLUMNS)."""
    conn.execute(_insert_events(conn.dialect.name), {"rows": _encode(conn, E, changes)})


def write(conn: Connection, prepared: list) -> list[bool]:
    """Write prepared syncs (store/bundles.py `_Prepared`, one per bundle) in the caller's
    transaction; for each, whether it was newer than the stored bundle and so written."""
    dialect = conn.dialect.name
    bundles = [dict(p.bundle, id=p.sync.header.bundle_id) for p in prepared]
    columns = tuple(c for c in bundles[0] if c != "id")
    written = {row[0] for row in conn.execute(_update_bundles(dialect, columns),
                                              {"rows": _encode(conn, B, bundles)})}
    mine = [p for p in prepared if p.sync.header.bundle_id in written]
    if mine:
        services = [r for p in mine for r in p.services]
        if services:
            conn.execute(_upsert(dialect, S, tuple(services[0]), ("bundle_id", "birth_order", "service")),
                         {"rows": _encode(conn, S, services)})
        events = [r for p in mine for r in p.events]
        if events:
            conn.execute(_upsert(dialect, T, tuple(events[0]), ("bundle_id", "seq")),
                         {"rows": _encode(conn, T, events)})
        conn.execute(_trim_timelines(dialect), {"rows": json.dumps(
            [{"bundle_id": p.sync.header.bundle_id, "length": p.sync.timeline_length} for p in mine])})
        changes = [{_EVENT_COLUMNS[k]: v for k, v in p.change.items()} for p in mine if p.change]
        if changes:
            insert_changes(conn, changes)
    documents.insert_new(conn, [r for p in prepared for r in p.documents])  # written or not: issued is issued
    return [p.sync.header.bundle_id in written for p in prepared]
