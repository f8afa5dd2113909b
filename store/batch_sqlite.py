"""A batch of bundle writes on SQLite as one statement per table, over a JSON array of rows.

Why: SQLite has one write lock per database, held from a transaction's first write to its commit,
and the API's intake waits for it. Python's driver lets go of the GIL while SQLite steps a statement
and must take it back before the next one; in a busy worker each of those waits is spent holding the
lock. One `INSERT ... SELECT FROM json_each(:rows)` (or `UPDATE ... FROM`) per table steps a handful
of times per batch, where one statement per row stepped dozens. PostgreSQL locks rows, not the
database, and keeps the per-row statements (store/bundles.py).

Values go through each column's own bind processing (timestamps in UTC, as the ORM writes them),
so a row written here reads back like any other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from store.callback_models import NONE, PENDING, HospitalEvent, HospitalWebhook
from store.models import Bundle, ServiceStatusRow, TimelineRow

B, S, T, E = Bundle.__table__, ServiceStatusRow.__table__, TimelineRow.__table__, HospitalEvent.__table__
_DIALECT = sqlite.dialect()


def _rows() -> sa.TableValuedAlias:
    return sa.func.json_each(sa.bindparam("rows")).table_valued("value").alias("j")


def _field(j: sa.TableValuedAlias, name: str) -> sa.ColumnElement:
    return sa.func.json_extract(j.c.value, sa.literal_column(f"'$.{name}'"))  # a constant path


@cache
def _processor(table: sa.Table, column: str):
    return table.c[column].type.dialect_impl(_DIALECT).bind_processor(_DIALECT)


def _encode(table: sa.Table, rows: Iterable[dict]) -> str:
    out = []
    for row in rows:
        values = {}
        for key, value in row.items():
            proc = _processor(table, key)
            values[key] = proc(value) if proc is not None and value is not None else value
        out.append(values)
    return json.dumps(out)


@cache
def _insert(table: sa.Table, columns: tuple[str, ...]) -> sa.Insert:
    j = _rows()
    values = sa.select(*(_field(j, c) for c in columns)).select_from(j)
    return table.insert().from_select(list(columns), values)


def insert(conn: Connection, table: sa.Table, rows: list[dict]) -> None:
    """New rows (all with the same columns) in one statement."""
    if rows:
        conn.execute(_insert(table, tuple(rows[0])), {"rows": _encode(table, rows)})


@cache
def _update_bundles(columns: tuple[str, ...]) -> sa.Update:
    """Each bundle whose stored (history length, version) is below the row's: see newer_than_stored."""
    j = _rows()
    h, v = _field(j, "history_length"), _field(j, "version")
    return (B.update()
            .where(B.c.id == _field(j, "id"), B.c.anonymised_at.is_(None),
                   sa.or_(B.c.history_length < h, sa.and_(B.c.history_length == h, B.c.version < v)))
            .values({c: _field(j, c) for c in columns}).returning(B.c.id))


@cache
def _upsert(table: sa.Table, columns: tuple[str, ...], keys: tuple[str, ...]) -> sa.Insert:
    j = _rows()
    # The WHERE is SQLite's rule for INSERT ... SELECT ... ON CONFLICT (else the parse is ambiguous).
    stmt = sqlite.insert(table).from_select(
        list(columns), sa.select(*(_field(j, c) for c in columns)).select_from(j).where(sa.true()))
    return stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={c: stmt.excluded[c] for c in columns if c not in keys})


@cache
def _trim_timelines() -> sa.Delete:
    """Events past each written timeline's length (a dead worker's write may have gone further)."""
    j = _rows()
    beyond = (sa.select(T.c.seq).select_from(j).join(T, sa.and_(
        T.c.bundle_id == _field(j, "bundle_id"), T.c.seq >= _field(j, "length"))))
    return T.delete().where(sa.tuple_(T.c.bundle_id, T.c.seq).in_(
        beyond.with_only_columns(T.c.bundle_id, T.c.seq)))


@cache
def _insert_events() -> sa.Insert:
    """The hospitals' events (store/callback_events.py prepares them), pending where a webhook is set."""
    j = _rows()
    hospital = _field(j, "hospital_id")
    registered = sa.exists().where(HospitalWebhook.__table__.c.hospital_id == hospital)
    names = ("id", "type", "occurred_at", "body", "hospital_id", "bundle_id")
    return E.insert().from_select(
        [*names, "delivery", "attempts", "next_attempt_at", "txid"],
        sa.select(*(_field(j, n) for n in names), sa.case((registered, PENDING), else_=NONE),
                  sa.literal(0), _field(j, "occurred_at"), sa.literal(0)).select_from(j))


# prepare_change's parameters, by column
_EVENT_COLUMNS = {"p_id": "id", "p_type": "type", "p_occurred_at": "occurred_at", "p_body": "body",
                  "p_hospital": "hospital_id", "p_bundle": "bundle_id"}


def insert_changes(conn: Connection, changes: list[dict]) -> None:
    """The hospitals' events of the written bundles (by column, see _EVENT_COLUMNS)."""
    conn.execute(_insert_events(), {"rows": _encode(E, changes)})


def write(conn: Connection, prepared: list) -> list[bool]:
    """Write prepared syncs (store/bundles.py `_Prepared`, one per bundle) in the caller's
    transaction; for each, whether it was newer than the stored bundle and so written."""
    bundles = [dict(p.bundle, id=p.sync.header.bundle_id) for p in prepared]
    columns = tuple(c for c in bundles[0] if c != "id")
    written = {row[0] for row in conn.execute(_update_bundles(columns),
                                              {"rows": _encode(B, bundles)})}
    mine = [p for p in prepared if p.sync.header.bundle_id in written]
    if mine:
        services = [r for p in mine for r in p.services]
        if services:
            conn.execute(_upsert(S, tuple(services[0]), ("bundle_id", "birth_order", "service")),
                         {"rows": _encode(S, services)})
        events = [r for p in mine for r in p.events]
        if events:
            conn.execute(_upsert(T, tuple(events[0]), ("bundle_id", "seq")), {"rows": _encode(T, events)})
        conn.execute(_trim_timelines(), {"rows": json.dumps(
            [{"bundle_id": p.sync.header.bundle_id, "length": p.sync.timeline_length} for p in mine])})
        changes = [{_EVENT_COLUMNS[k]: v for k, v in p.change.items()} for p in mine if p.change]
        if changes:
            insert_changes(conn, changes)
    return [p.sync.header.bundle_id in written for p in prepared]
