"""The read-model writer: the workflow hands over snapshots, this stores them (newest wins)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from api.readmodel import crud
from api.readmodel.cipher import StateCipher
from domain.contracts import FollowUpSync, ReadModelSync
from workflows import activity_names as act


class ReadModelActivities:
    def __init__(self, engine: Engine, cipher: StateCipher, *, writers: int = 0) -> None:
        self._engine = engine
        self._cipher = cipher  # states are encrypted at rest
        # SQLite takes one writer at a time and makes the others sleep and retry (up to 100 ms a
        # round): one writing thread per worker queues them instead. 0: 1 on SQLite, else 4.
        writers = writers or (1 if engine.dialect.name == "sqlite" else 4)
        self._pool = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="readmodel")

    async def _run(self, fn, inp) -> bool:
        # The DB driver is blocking: keep it off the worker's event loop.
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, inp)

    def _write(self, inp: ReadModelSync) -> bool:
        with Session(self._engine) as session:
            return crud.apply_snapshot(session=session, state=inp.state, cipher=self._cipher)

    @activity.defn(name=act.SYNC_READ_MODEL)
    async def sync_read_model(self, inp: ReadModelSync) -> bool:
        """Store a bundle snapshot unless a newer version is already there."""
        return await self._run(self._write, inp)

    def _write_follow_up(self, inp: FollowUpSync) -> bool:
        with Session(self._engine) as session:
            return crud.apply_follow_up(session=session, state=inp.state, cipher=self._cipher)

    @activity.defn(name=act.SYNC_FOLLOW_UP)
    async def sync_follow_up(self, inp: FollowUpSync) -> bool:
        """Store a follow-up snapshot unless a newer version is already there."""
        return await self._run(self._write_follow_up, inp)

    def all(self) -> list:
        return [self.sync_read_model, self.sync_follow_up]
