"""What the duplicate check (store/identity.py) holds, read back for the store tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import identity
from store.cipher import StateCipher
from store.models import Bundle, MotherIdentity


def accept(engine: Engine, cipher: StateCipher, birth: identity.Birth,
           status: str = "in_progress") -> tuple[str, identity.Match | None]:
    """What the intake does (api/intake.py): check and claim, the bundle's row, one commit."""
    bid = str(uuid.uuid4())
    with Session(engine) as s:
        match = identity.claim(session=s, cipher=cipher, bundle_id=bid, birth=birth, window_days=150)
        now = datetime.now(UTC)
        s.exec(Bundle.__table__.insert().values(
            id=bid, hospital_id="RS-A", record_id=f"rec-{bid}", content_hash="0" * 64, status=status,
            birth_date=birth.birth_date, received_at=now, updated_at=now, child_count=len(birth.birth_orders),
            reasons="", deadline_risk=False, version=0, state_json="{}"))
        s.commit()
    return bid, match


def holders(engine: Engine, cipher: StateCipher, birth: identity.Birth) -> list[str]:
    """The bundles holding one of this birth's children."""
    with Session(engine) as s:
        return identity.holder(session=s, cipher=cipher, birth=birth)


def mother_keys(engine: Engine) -> set[str]:
    """Every mother's key (an HMAC of her NIK) the check holds."""
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.select(MotherIdentity.__table__.c.mother_key))}
