"""Drift between the read model and the workflows is found, reported and repaired from the workflows."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col
from typer.testing import CliRunner

from cli import app
from domain.contracts import BundleState
from store.db import make_engine
from store.drift import load_rows
from store.models import Bundle, ServiceStatusRow
from store.rebuild import check_drift
from tests.support import payloads
from tests.support.pii import has_nik_like

pytestmark = pytest.mark.integration
runner = CliRunner()


async def _cli(stack, *args: str):
    env = {"TEMPORAL_ADDRESS": stack.settings.temporal_address,
           "KELAHIRAN_DATABASE_URL": stack.settings.database_url,
           "KELAHIRAN_PAYLOAD_KEYS": stack.settings.payload_keys,
           "KELAHIRAN_PAYLOAD_KEY_ID": stack.settings.payload_key_id or "",
           "KELAHIRAN_READMODEL_KEYS": stack.settings.readmodel_keys,
           "KELAHIRAN_READMODEL_KEY_ID": stack.settings.readmodel_key_id or ""}
    argv = ["readmodel", *args, "--task-queue", stack.settings.task_queue]
    return await asyncio.to_thread(runner.invoke, app, argv, env=env)


def _lines(output: str, ids: list[str]) -> dict[str, str]:
    return {bid: next((ln for ln in output.splitlines() if bid in ln), "") for bid in ids}


def _corrupt(engine, missing: str, old: str, wrong_status: str, wrong_service: str) -> str:
    """Delete a row, age one, change a status and a service status, add a row without a workflow."""
    now, orphan = datetime.now(UTC), str(uuid.uuid4())
    with Session(engine) as s:
        s.exec(sa.delete(Bundle).where(col(Bundle.id) == missing))
        s.exec(sa.update(Bundle).where(col(Bundle.id) == old).values(version=1, status="in_progress"))
        s.exec(sa.update(Bundle).where(col(Bundle.id) == wrong_status).values(status="needs_attention"))
        s.exec(sa.update(ServiceStatusRow).where(col(ServiceStatusRow.bundle_id) == wrong_service,
                                                 col(ServiceStatusRow.service) == "kia")
               .values(status="pending"))
        s.add(Bundle(id=orphan, hospital_id="RSUD-DRIFT", record_id=f"RM-{orphan[:8]}", content_hash="0" * 64,
                     status="in_progress", birth_date=date.today(), received_at=now, updated_at=now,
                     child_count=1, version=3, state_json="{}"))
        s.commit()
    return orphan


async def test_drift_is_reported_and_rebuild_repairs_it(stack):
    fams = [await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT") for _ in range(4)]
    ids = [await stack.accepted(payloads.from_family(f)) for f in fams]
    for bid in ids:
        assert (await stack.wait(bid))["status"] == "completed"
    truth = {bid: await stack.client.get_workflow_handle(bid).query("status", result_type=BundleState)
             for bid in ids}
    engine = make_engine(stack.settings.database_url)
    try:
        before = await check_drift(stack.client, engine, cipher=stack.settings.readmodel_cipher(),
                                   task_queue=stack.settings.task_queue, settle_seconds=0.5)
        assert not {d.bundle_id for d in before.drifts} & set(ids)
        missing, old, wrong_status, wrong_service = ids
        orphan = _corrupt(engine, *ids)

        res = await _cli(stack, "drift", "--settle", "0.5")
        assert res.exit_code == 1, res.output
        lines = _lines(res.output, [*ids, orphan])
        assert "missing" in lines[missing] and "version" in lines[missing]
        assert "stale" in lines[old] and f"version 1 -> {truth[old].version}" in lines[old]
        assert "status in_progress -> completed" in lines[old]
        assert "status needs_attention -> completed" in lines[wrong_status]
        assert "kia#1 pending -> completed" in lines[wrong_service]
        assert "orphan" in lines[orphan]
        assert re.search(r"drift: 1 missing, 3 stale, 1 orphan", res.output), res.output
        assert not has_nik_like(res.output)  # bundle ids and statuses only: no NIK, no KK

        res = await _cli(stack, "rebuild")
        assert res.exit_code == 0, res.output
        lines = _lines(res.output, [*ids, orphan])
        assert "created" in lines[missing]
        assert all("overwritten" in lines[b] for b in (old, wrong_status, wrong_service))
        assert "left" in lines[orphan]
        assert "1 created, 3 overwritten" in res.output and "1 orphan rows left" in res.output
        rows = load_rows(engine, [*ids, orphan], stack.settings.readmodel_cipher())
        for bid in ids:
            assert (rows[bid].version, rows[bid].status) == (truth[bid].version, "completed")
            assert rows[bid].state == truth[bid]
            assert all(status == "completed" for status in rows[bid].services.values())
        assert (await stack.get(missing))["status"] == "completed"
        assert orphan in rows  # rebuild never deletes: a person decides what an orphan row means

        with Session(engine) as s:
            s.exec(sa.delete(Bundle).where(col(Bundle.id) == orphan))
            s.commit()
        res = await _cli(stack, "drift", "--settle", "1")
        assert res.exit_code == 0, res.output
        assert "no drift" in res.output
    finally:
        engine.dispose()


async def test_a_bundle_held_as_a_suspected_duplicate_is_no_drift(stack):
    first = payloads.manual()
    again = payloads.manual(mother=first["mother"])  # the same mother, another record: held
    ids = [await stack.accepted(first), await stack.accepted(again)]
    held = await stack.wait(ids[1], lambda b: b["routing"]["reason"] == "DUPLIKAT_DICURIGAI")
    assert held["status"] == "needs_attention"
    engine = make_engine(stack.settings.database_url)
    try:
        report = await check_drift(stack.client, engine, cipher=stack.settings.readmodel_cipher(),
                                   task_queue=stack.settings.task_queue, settle_seconds=0.5)
    finally:
        engine.dispose()
    assert [(d.bundle_id, d.kind, d.detail) for d in report.drifts if d.bundle_id in ids] == []
