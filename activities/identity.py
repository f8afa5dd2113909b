"""A corrected mother's NIK moves the bundle's rows in the duplicate check (store/identity.py).

Run by the workflow's `correct_parents` update before it changes anything: the update's answer waits
for it, and once the workflow accepted the update this runs to the end whatever happens to the API
that sent it (a crash of the API, or of a worker, between the re-key and the workflow's change can no
longer leave the two apart). One transaction re-keys the rows and locks the new mother's row like an
intake, so an intake of the same child on another replica sees this bundle, or waits for it.

A new NIK that makes one of the children one another live bundle already holds is not applied
(`collision`): a civil registry does not let a correction turn a bundle into a second record of a
child it already has; if it is the same birth, a supervisor closes this bundle, else the NIK is still
wrong. Another delivery of that mother within the duplicate window is reported, not refused (a twin
reported on its own is corrected like any bundle).
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from domain.contracts import MotherRekeyed, MotherRekeyInput
from domain.contracts import names as act
from store import identity
from store.cipher import StateCipher

log = structlog.get_logger("kelahiran.identity")


class IdentityActivities:
    def __init__(self, engine: Engine, cipher: StateCipher, *, window_days: int) -> None:
        self._engine, self._cipher, self._window = engine, cipher, window_days

    def _rekey(self, inp: MotherRekeyInput) -> MotherRekeyed:
        birth = identity.Birth(mother_nik=inp.mother_nik, birth_date=inp.birth_date,
                               birth_orders=tuple(inp.birth_orders))
        with Session(self._engine) as session:
            try:
                done = identity.rekey(session=session, cipher=self._cipher, bundle_id=inp.bundle_id,
                                      birth=birth, sent_nik=inp.previous_nik, tolerated=inp.tolerated,
                                      window_days=self._window)
            except identity.Collision as exc:
                session.rollback()
                log.info("mother's NIK correction refused: a duplicate", bundle_id=inp.bundle_id,
                         other_bundle_id=exc.bundle_id)
                return MotherRekeyed(changed=False, collision=exc.bundle_id, window_days=self._window)
            session.commit()
        if done is None:
            return MotherRekeyed(changed=False, window_days=self._window)
        log.info("mother's NIK corrected: duplicate check re-keyed", bundle_id=inp.bundle_id)
        return MotherRekeyed(changed=True, nearby=done.nearby.bundle_id if done.nearby else None,
                             window_days=self._window)

    @activity.defn(name=act.REKEY_MOTHER)
    async def rekey_mother(self, inp: MotherRekeyInput) -> MotherRekeyed:
        """Re-key (idempotent: a retry after the commit finds the rows already on the new NIK)."""
        return await asyncio.to_thread(self._rekey, inp)

    def all(self) -> list:
        return [self.rekey_mother]
