"""What the duplicate check (store/identity.py) holds, read back for the store tests."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import identity
from store.cipher import StateCipher
from store.models import MotherIdentity


def holders(engine: Engine, cipher: StateCipher, birth: identity.Birth) -> list[str]:
    """The bundles holding one of this birth's children."""
    with Session(engine) as s:
        return identity.holder(session=s, cipher=cipher, birth=birth)


def mother_keys(engine: Engine) -> set[str]:
    """Every mother's key (an HMAC of her NIK) the check holds."""
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.select(MotherIdentity.__table__.c.mother_key))}
