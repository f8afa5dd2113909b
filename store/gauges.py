"""What the read model's gauges count (infra/metrics.py exports them): a few grouped counts, no states.

Every query is a count or a minimum over an indexed column, so a refresh costs the same whatever the
bundles hold; nothing is decrypted and no personal data is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain.contracts.enums import TERMINAL_STATUSES
from store.callback_models import DEAD, PENDING, HospitalEvent
from store.models import Bundle, FollowUp, PendingStart, ServiceStatusRow

NEEDS_ATTENTION = "needs_attention"
B, S, F = Bundle.__table__, ServiceStatusRow.__table__, FollowUp.__table__
P, E = PendingStart.__table__, HospitalEvent.__table__


@dataclass(frozen=True)
class Outbox:
    pending: int
    oldest_age_seconds: float  # 0 when empty


@dataclass(frozen=True)
class Snapshot:
    bundles_by_status: dict[str, int] = field(default_factory=dict)
    needs_attention_by_reason: dict[str, int] = field(default_factory=dict)
    deadlines_at_risk: int = 0
    outboxes: dict[str, Outbox] = field(default_factory=dict)  # "pending_start", "hospital_event"
    dead_letters: int = 0  # hospital events given up and still kept


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


def snapshot(engine: Engine, *, now: datetime | None = None) -> Snapshot:
    """Count everything in one connection (a handful of indexed queries)."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        by_status = dict(conn.execute(sa.select(B.c.status, sa.func.count()).group_by(B.c.status)).all())
        reasons: dict[str, int] = {}
        # Services and follow-ups (corrections, deaths) that wait for a person, by their reason code.
        for table in (S, F):
            rows = conn.execute(sa.select(table.c.reason, sa.func.count())
                                .where(table.c.status == NEEDS_ATTENTION).group_by(table.c.reason)).all()
            for reason, n in rows:
                key = reason or "UNKNOWN"
                reasons[key] = reasons.get(key, 0) + n
        at_risk = conn.execute(sa.select(sa.func.count()).where(
            B.c.deadline_risk.is_(True), B.c.status.not_in([str(s) for s in TERMINAL_STATUSES]))).scalar_one()
        starts, oldest_start = conn.execute(sa.select(sa.func.count(), sa.func.min(P.c.created_at))).one()
        events, oldest_event = conn.execute(sa.select(sa.func.count(), sa.func.min(E.c.occurred_at))
                                            .where(E.c.delivery == PENDING)).one()
        dead = conn.execute(sa.select(sa.func.count()).where(E.c.delivery == DEAD)).scalar_one()
    return Snapshot(
        bundles_by_status=by_status, needs_attention_by_reason=reasons, deadlines_at_risk=at_risk,
        outboxes={"pending_start": Outbox(starts, _age(now, oldest_start)),
                  "hospital_event": Outbox(events, _age(now, oldest_event))},
        dead_letters=dead,
    )
