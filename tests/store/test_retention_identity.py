"""Retention deletes an anonymised bundle's rows in the duplicate check (store/identity.py), and its
mother's row once no other child refers to it, in the batch's transaction; on real SQLite and the real
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from domain.contracts import BundleState, BundleStatus, ServiceStatus
from store import identity
from store.cipher import StateCipher, spec_for_tests
from store.models import BirthIdentity, Bundle
from store.retention import apply_retention
from tests.support.identity_rows import holders, mother_keys
from tests.support.readmodel import write_state
from tests.support.states import personal_state

CIPHER = StateCipher.from_spec(spec_for_tests())
NOW = datetime.now(UTC)
CUTOFF, OLD, RECENT = NOW - timedelta(days=365), NOW - timedelta(days=400), NOW - timedelta(days=10)
MOTHER, SHARED = "3673055203950047", "3673055203950057"
BI = BirthIdentity.__table__


def _bundle(engine, mother: str, *, ended: datetime,
            days_later: int = 0) -> tuple[BundleState, identity.Birth]:
    """A completed bundle with its rows in the duplicate check, claimed as the intake does."""
    st = personal_state()
    st.status, st.completed_at = BundleStatus.COMPLETED, ended
    st.birth_date += timedelta(days=days_later)
    for svc in st.children[0].services.values():
        svc.status = ServiceStatus.COMPLETED
    birth = identity.Birth(mother_nik=mother, birth_date=st.birth_date,
                           birth_orders=tuple(c.birth_order for c in st.children))
    with Session(engine) as s:
        identity.claim(session=s, cipher=CIPHER, bundle_id=st.bundle_id, birth=birth, window_days=0)
        write_state(s, st, CIPHER)  # commits the claim with the bundle's row
        s.exec(sa.update(Bundle).where(col(Bundle.id) == st.bundle_id).values(updated_at=ended))
        s.commit()
    return st, birth




def test_anonymised_bundles_leave_the_duplicate_check_others_stay(engine):
    old, old_birth = _bundle(engine, MOTHER, ended=OLD)
    # One mother, two deliveries a year apart: the old one goes, her row stays for the recent one.
    shared_old, shared_old_birth = _bundle(engine, SHARED, ended=OLD, days_later=-420)
    shared_new, shared_new_birth = _bundle(engine, SHARED, ended=RECENT)
    assert holders(engine, CIPHER, old_birth) == [old.bundle_id]

    dry = apply_retention(engine, CIPHER, cutoff=CUTOFF, dry_run=True)
    assert (dry.bundles, dry.identities) == (2, 2)
    assert holders(engine, CIPHER, old_birth) == [old.bundle_id]  # a dry run deletes nothing

    done = apply_retention(engine, CIPHER, cutoff=CUTOFF, now=NOW)
    assert (done.bundles, done.identities, done.failed) == (2, 2, [])
    assert holders(engine, CIPHER, old_birth) == [] and holders(engine, CIPHER, shared_old_birth) == []
    assert holders(engine, CIPHER, shared_new_birth) == [shared_new.bundle_id]
    with engine.connect() as conn:
        assert {r[0] for r in conn.execute(sa.select(BI.c.bundle_id))} == {shared_new.bundle_id}
    # The first mother's row went with her last child; the shared one stays, still referred to.
    assert mother_keys(engine) == {identity.mother_digests(CIPHER, SHARED)[0]}

    # The same child posted again now matches nothing here (Dukcapil's own rule still refuses a
    # second NIK), and the anonymised bundle is not named to anyone.
    with Session(engine) as s:
        match = identity.claim(session=s, cipher=CIPHER, bundle_id="00000000-0000-4000-8000-000000000001",
                               birth=old_birth, window_days=150)
        s.rollback()
    assert match is None
    assert apply_retention(engine, CIPHER, cutoff=CUTOFF).identities == 0
