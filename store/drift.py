"""The read model's side of a drift check: what a row holds, how it differs from its workflow's
state, and writing that state over it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.bundle_state import all_services
from domain.contracts import BundleState
from store import bundles
from store.cipher import StateCipher, StateKeyError
from store.models import Bundle, ServiceStatusRow


class DriftKind(StrEnum):
    MISSING = "missing"  # a workflow without a row
    STALE = "stale"  # a row that differs from its workflow's state
    ORPHAN = "orphan"  # a row without a workflow
    UNQUERYABLE = "unqueryable"  # a workflow whose state could not be read


@dataclass(frozen=True)
class Drift:
    bundle_id: str
    kind: DriftKind
    detail: str  # versions, statuses and service names only: never personal data


@dataclass(frozen=True)
class Observed:
    state: BundleState
    closed: bool


@dataclass(frozen=True)
class RowView:
    version: int
    status: str
    services: dict[tuple[int, str], str]
    state: BundleState | None  # None when it does not open with this process's keys (or not read)
    anonymised: bool = False  # retention removed its personal data: never compared, never rewritten


@dataclass(frozen=True)
class DriftReport:
    workflows: int
    rows: int
    drifts: list[Drift]

    def counts(self) -> dict[str, int]:
        return {k.value: sum(d.kind is k for d in self.drifts) for k in DriftKind}


@dataclass(frozen=True)
class RebuildReport:
    workflows: int
    unchanged: int
    actions: list[tuple[str, str, str]]  # (bundle id, created|overwritten|skipped|left|failed, detail)

    def counts(self) -> dict[str, int]:
        kinds = ("created", "overwritten", "skipped", "left", "failed")
        return {k: sum(a[1] == k for a in self.actions) for k in kinds}


def differences(state: BundleState, row: RowView) -> list[str]:
    """What differs, read as 'row -> workflow'."""
    out = []
    if row.version != state.version:
        out.append(f"version {row.version} -> {state.version}")
    if row.status != state.status.value:
        out.append(f"status {row.status} -> {state.status.value}")
    wanted = {(o, s.value): st.status.value for o, s, st in all_services(state)}
    changed = [f"{svc}#{o} {row.services.get((o, svc), 'none')} -> {wanted.get((o, svc), 'none')}"
               for o, svc in sorted(wanted.keys() | row.services.keys())
               if row.services.get((o, svc)) != wanted.get((o, svc))]
    if changed:
        more = f" (+{len(changed) - 3} more)" if len(changed) > 3 else ""
        out.append("services " + ", ".join(changed[:3]) + more)
    if not out:
        if row.state is None:
            out.append("stored state does not decrypt (read-model keys) or is unreadable")
        elif row.state != state:
            out.append("stored state differs")
    return out


def _opened(session: Session, cipher: StateCipher, row: Bundle) -> BundleState | None:
    if row.anonymised_at is not None:
        return None  # never compared
    try:
        return bundles.load_state(session=session, row=row, cipher=cipher)
    except (StateKeyError, ValidationError):
        return None


def load_rows(engine: Engine, ids: list[str], cipher: StateCipher) -> dict[str, RowView]:
    """The given bundles' rows with their service statuses, states read whole."""
    with Session(engine) as session:
        rows = session.exec(select(Bundle).where(col(Bundle.id).in_(ids))).all()
        found = {r.id: (r.version, r.status, _opened(session, cipher, r), r.anonymised_at is not None)
                 for r in rows}
        services: dict[str, dict[tuple[int, str], str]] = {bid: {} for bid in found}
        for bid, order, service, status in session.exec(
                select(ServiceStatusRow.bundle_id, ServiceStatusRow.birth_order, ServiceStatusRow.service,
                       ServiceStatusRow.status).where(col(ServiceStatusRow.bundle_id).in_(ids))):
            services.setdefault(bid, {})[(order, service)] = status
    return {bid: RowView(v, st, services[bid], js, anon) for bid, (v, st, js, anon) in found.items()}


def row_ids(engine: Engine) -> set[str]:
    """Rows to compare: every bundle's but those retention anonymised (their workflows expire)."""
    with Session(engine) as session:
        return set(session.exec(select(Bundle.id).where(col(Bundle.anonymised_at).is_(None))))


def store(engine: Engine, obs: Observed, cipher: StateCipher) -> Literal["created", "overwritten", "skipped"]:
    """Write a workflow's state over its row; a running bundle's newer row, or an anonymised row,
    is never overwritten."""
    state = obs.state
    with Session(engine) as session:
        stored = session.exec(select(Bundle.history_length).where(Bundle.id == state.bundle_id)).first()
        if stored is None:
            created = bundles.insert_received(session=session, state=state, cipher=cipher)
            return "created" if created else "skipped"
        # A running bundle's newer write stands; a closed bundle's final state always wins.
        where = sa.true() if obs.closed else col(Bundle.version) <= state.version
        if not bundles.apply_sync(session=session, sync=bundles.full_sync(state, stored), cipher=cipher,
                                  where=where):
            return "skipped"
    return "overwritten"
