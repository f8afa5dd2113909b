"""The read-model writer: the workflow hands over what changed in a bundle, this stores it (newest wins)."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from domain.contracts import BundleSync, FollowUpKind
from domain.contracts import names as act
from domain.contracts.followups import FollowUpWrite
from store import bundles, crud, documents
from store.cipher import StateCipher
from store.group_writer import QueuedBatches

log = structlog.get_logger("kelahiran.readmodel")


class SyncWriter(QueuedBatches[BundleSync, bool]):
    """One thread writes every bundle change of this worker; those that queued up meanwhile go in
    one transaction (group commit).

    SQLite takes one writer at a time, and one commit per write made every sync pay a commit.
    Under load the queue grows and the batches with it, so the writer keeps up instead of falling
    behind; `max_batch` keeps each transaction short, so others waiting to write wait briefly.
    """

    def __init__(self, engine: Engine, cipher: StateCipher, *, max_batch: int = 4) -> None:
        super().__init__(max_batch=max_batch, name="readmodel-writer")
        self._engine, self._cipher = engine, cipher

    async def write(self, sync: BundleSync) -> bool:
        return await asyncio.wrap_future(self.submit(sync))

    def _write(self, batch: list[tuple[BundleSync, Future[bool]]]) -> None:
        if len(batch) > 1:
            try:
                with Session(self._engine) as session:
                    results = bundles.apply_syncs(session=session, syncs=[s for s, _ in batch],
                                                  cipher=self._cipher, with_documents=True)
            except Exception:  # noqa: BLE001 - one bad write must not fail the others
                log.warning("read-model batch failed; writing its changes one by one", size=len(batch))
            else:
                for (_, done), ok in zip(batch, results, strict=True):
                    done.set_result(ok)
                return
        for sync, done in batch:
            try:
                with Session(self._engine) as session:
                    done.set_result(bundles.apply_sync(session=session, sync=sync, cipher=self._cipher,
                                                       with_documents=True))
            except Exception as exc:  # noqa: BLE001 - the activity raises it and is retried
                done.set_exception(exc)


class ReadModelActivities:
    def __init__(self, engine: Engine, cipher: StateCipher) -> None:
        self._engine = engine
        self._cipher = cipher  # states are encrypted at rest
        self._writer = SyncWriter(engine, cipher)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readmodel-follow-up")

    @activity.defn(name=act.SYNC_READ_MODEL)
    async def sync_read_model(self, inp: BundleSync) -> bool:
        """Store what changed in a bundle unless a newer write is already there."""
        # The DB driver is blocking: the writer's thread, never the worker's event loop. The akta a
        # sync reports issued get their document rows in the same transaction.
        return await self._writer.write(inp)

    def _write_follow_up(self, inp: FollowUpWrite) -> bool:
        st, issued = inp.state, []
        if inp.akta is not None:
            issued.append(documents.Issued(birth_order=inp.akta.birth_order, kind=documents.AKTA,
                                           source=st.workflow_id, number=inp.akta.number, name=inp.akta.name,
                                           supersedes=inp.akta.supersedes))
        if inp.akta_kematian and st.kind is FollowUpKind.DEATH:
            issued.append(documents.Issued(birth_order=st.birth_order, kind=documents.KEMATIAN,
                                           source=st.workflow_id, number=inp.akta_kematian))
        with Session(self._engine) as session:
            return crud.apply_follow_up(session=session, state=st, cipher=self._cipher, issued=issued)

    @activity.defn(name=act.SYNC_FOLLOW_UP)
    async def sync_follow_up(self, inp: FollowUpWrite) -> bool:
        """Store a follow-up snapshot unless a newer version is already there, and what it issued."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._write_follow_up, inp)

    def all(self) -> list:
        return [self.sync_read_model, self.sync_follow_up]
