"""Retention on real SQLite and the real PostgreSQL; the namespace's retention on the dev server."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from google.protobuf.duration_pb2 import Duration
from sqlmodel import Session, col, select
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from typer.testing import CliRunner

from cli import app
from domain.contracts import (
    BundleState,
    BundleStatus,
    FollowUpKind,
    FollowUpState,
    Service,
    ServiceStatus,
)
from infra.temporal_namespace import workflow_retention
from store import bundles, crud
from store.auth_models import AuditEvent
from store.cipher import StateCipher, spec_for_tests
from store.drift import Observed, load_rows, row_ids, store
from store.models import Bundle, FollowUp, Reminder
from store.retention import anonymised_state, apply_retention
from tests.support.pii import has_nik_like
from tests.support.readmodel import write_state
from tests.support.states import CHILD_NIK, KK, personal_state

CIPHER = StateCipher.from_spec(spec_for_tests())
NOW = datetime.now(UTC)
CUTOFF = NOW - timedelta(days=365)
OLD, RECENT = NOW - timedelta(days=400), NOW - timedelta(days=10)


def _bundle(engine, status: BundleStatus, *, completed: datetime | None, updated: datetime) -> BundleState:
    st = personal_state()
    st.status, st.completed_at = status, completed
    if status is not BundleStatus.IN_PROGRESS:
        for svc in st.children[0].services.values():
            svc.status = ServiceStatus.COMPLETED
    with Session(engine) as s:
        write_state(s, st, CIPHER)
        s.exec(sa.update(Bundle).where(col(Bundle.id) == st.bundle_id).values(updated_at=updated))
        s.commit()
    return st


def _follow_up(engine, bid: str, *, status: str, updated: datetime) -> FollowUpState:
    fu = FollowUpState(workflow_id=f"{bid}-correction-{uuid.uuid4().hex[:6]}", bundle_id=bid,
                       kind=FollowUpKind.CORRECTION, birth_order=1, status=status, version=2,
                       documents={"akta": "3673-LU-01012025-0009", "kia": CHILD_NIK})
    with Session(engine) as s:
        crud.apply_follow_up(session=s, state=fu, cipher=CIPHER)
        s.exec(sa.update(FollowUp).where(col(FollowUp.workflow_id) == fu.workflow_id)
               .values(updated_at=updated))
        s.commit()
    return fu


def _extras(engine, bid: str) -> None:
    """A reminder, and audit events about the bundle (two with details, one without)."""
    with Session(engine) as s:
        s.add(Reminder(bundle_id=bid, service="bpjs", birth_order=1, kind="payment_due", due=date(2025, 1, 1),
                       created_at=OLD))
        for details in ('{"name": "Rina Marlina"}', '{"birth_order": 1}', None):
            s.add(AuditEvent(at=OLD, actor="op1", actor_role="operator", action="bundle.view", bundle_id=bid,
                             details_json=details, reason="ditutup: Rina pindah" if details else None))
        s.commit()


def _scene(engine) -> dict[str, BundleState]:
    S = BundleStatus
    scene = {
        "old_completed": _bundle(engine, S.COMPLETED, completed=OLD, updated=OLD),
        "old_closed_no_end_time": _bundle(engine, S.CLOSED_WITH_ISSUES, completed=None, updated=OLD),
        "recent_completed": _bundle(engine, S.COMPLETED, completed=RECENT, updated=RECENT),
        "old_still_open": _bundle(engine, S.IN_PROGRESS, completed=None, updated=OLD),
        "old_recent_follow_up": _bundle(engine, S.COMPLETED, completed=OLD, updated=OLD),
        "old_open_follow_up": _bundle(engine, S.COMPLETED, completed=OLD, updated=OLD),
    }
    _follow_up(engine, scene["old_completed"].bundle_id, status="completed", updated=OLD)
    _follow_up(engine, scene["old_recent_follow_up"].bundle_id, status="completed", updated=RECENT)
    _follow_up(engine, scene["old_open_follow_up"].bundle_id, status="needs_attention", updated=OLD)
    for name in ("old_completed", "recent_completed"):
        _extras(engine, scene[name].bundle_id)
    return scene


def _snapshot(engine) -> dict:
    """Every table retention touches, as raw rows."""
    with engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t}")).all()), key=str)  # noqa: S608
                for t in ("bundle", "follow_up", "reminder", "audit_event", "service_status")}


def _state(engine, bid: str) -> tuple[Bundle, BundleState]:
    with Session(engine) as s:
        row = crud.get_bundle(session=s, bundle_id=bid)
        return row, bundles.load_state(session=s, row=row, cipher=CIPHER)


def test_old_ended_bundles_lose_personal_data_others_keep_it(engine):
    scene = _scene(engine)
    before = _snapshot(engine)

    dry = apply_retention(engine, CIPHER, cutoff=CUTOFF, dry_run=True)
    assert (dry.bundles, dry.follow_ups, dry.reminders, dry.audit_events) == (2, 1, 1, 2)
    assert _snapshot(engine) == before  # a dry run changes nothing

    done = apply_retention(engine, CIPHER, cutoff=CUTOFF, now=NOW)
    assert (done.bundles, done.follow_ups, done.reminders, done.audit_events, done.failed) == (2, 1, 1, 2, [])

    for name in ("old_completed", "old_closed_no_end_time"):
        original = scene[name]
        row, kept = _state(engine, original.bundle_id)
        assert row.anonymised_at is not None and row.status == original.status.value
        assert (row.hospital_id, row.record_id, row.birth_date, row.child_count) == (
            original.hospital_id, original.record_id, original.birth_date, 1)
        text = kept.model_dump_json()
        assert CHILD_NIK not in text and KK not in text and "Rina" not in text
        assert not has_nik_like(text)
        assert kept.children[0].services.keys() == original.children[0].services.keys()
        assert all(st.status == ServiceStatus.COMPLETED for st in kept.children[0].services.values())
        assert kept.children[0].sex == original.children[0].sex and kept.closed_reason is None
        assert [e.kind for e in kept.timeline] == [e.kind for e in original.timeline]
    for name in ("recent_completed", "old_still_open", "old_recent_follow_up", "old_open_follow_up"):
        row, kept = _state(engine, scene[name].bundle_id)
        assert row.anonymised_at is None and kept == scene[name], name

    old, recent = scene["old_completed"].bundle_id, scene["recent_completed"].bundle_id
    with Session(engine) as s:
        (fu,) = crud.follow_ups_of(session=s, bundle_id=old, cipher=CIPHER)
        assert fu.documents == {} and fu.status == "completed"
        (kept_fu,) = crud.follow_ups_of(session=s, bundle_id=scene["old_recent_follow_up"].bundle_id,
                                        cipher=CIPHER)
        assert kept_fu.documents
        assert [r.bundle_id for r in s.exec(select(Reminder)).all()] == [recent]
        events = s.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        assert [(e.bundle_id, e.details_json is None, e.reason is None) for e in events] == [
            (old, True, True), (old, True, True), (old, True, True),
            (recent, False, False), (recent, False, False), (recent, True, True)]
        assert all(e.action == "bundle.view" and e.actor == "op1" for e in events)

        # An event recorded after the bundle was anonymised is cleared by the next run; nothing else.
        s.add(AuditEvent(at=NOW, actor="op2", actor_role="auditor", action="bundle.view", bundle_id=old,
                         details_json='{"nik": "x"}'))
        s.commit()
    again = apply_retention(engine, CIPHER, cutoff=CUTOFF)
    assert (again.bundles, again.follow_ups, again.reminders, again.audit_events) == (0, 0, 0, 1)


def test_the_anonymised_state_is_built_from_what_may_stay():
    st = personal_state()
    st.children[0].died_on = st.birth_date
    st.children[0].services[Service.BPJS].detail = "Bayi Ny. Rina Marlina: VA 8888801234567890"
    out = anonymised_state(st)
    kept = {"bundle_id", "hospital_id", "record_id", "content_hash", "status", "birth_date", "received_at",
            "office_code", "domicile_kecamatan", "routing", "kk", "children", "timeline", "deadline_risk",
            "follow_ups", "completed_at", "version"}
    for name, fld in BundleState.model_fields.items():  # a field added later is dropped by default
        if name not in kept:
            assert getattr(out, name) == fld.get_default(call_default_factory=True), name
    child = out.children[0]
    assert (child.died_on, child.sex, child.outcome) == (None, st.children[0].sex, "live")
    assert all(not (sv.document_number or sv.detail or sv.facts) for sv in child.services.values())
    assert out.kk.document_number is None and all(e.message == "" for e in out.timeline)


def test_nothing_writes_personal_data_back_into_an_anonymised_row(engine):
    st = _bundle(engine, BundleStatus.COMPLETED, completed=OLD, updated=OLD)
    assert apply_retention(engine, CIPHER, cutoff=CUTOFF).bundles == 1
    _, kept = _state(engine, st.bundle_id)
    newer = st.model_copy(update={"version": st.version + 5})
    with Session(engine) as s:
        assert write_state(s, newer, CIPHER) is False
    assert store(engine, Observed(newer, closed=True), CIPHER) == "skipped"  # a rebuild leaves it alone
    assert _state(engine, st.bundle_id)[1] == kept
    assert load_rows(engine, [st.bundle_id], CIPHER)[st.bundle_id].anonymised
    assert st.bundle_id not in row_ids(engine)  # drift does not look for its (expired) workflow


def test_an_undecryptable_bundle_is_reported_and_left(engine):
    st = _bundle(engine, BundleStatus.COMPLETED, completed=OLD, updated=OLD)
    other = StateCipher.from_spec("other:" + "A" * 43 + "=")
    report = apply_retention(engine, other, cutoff=CUTOFF)
    assert (report.bundles, report.failed) == (0, [st.bundle_id])
    assert _state(engine, st.bundle_id)[0].anonymised_at is None


# --- the command, with the session's Temporal dev server ----------------------------------------


async def _namespace(temporal_env) -> str:
    name = f"retention-{uuid.uuid4().hex[:8]}"
    await temporal_env.client.workflow_service.register_namespace(RegisterNamespaceRequest(
        namespace=name, workflow_execution_retention_period=Duration(seconds=86400)))
    return name


async def _cli(env: dict, *args: str):
    return await asyncio.to_thread(CliRunner().invoke, app, ["retention", "run", *args], env=env)


@pytest.mark.integration
async def test_the_command_reports_and_sets_the_namespace_retention(temporal_env, db_url, engine):
    st = _bundle(engine, BundleStatus.COMPLETED, completed=OLD, updated=OLD)
    ns = await _namespace(temporal_env)
    env = {"KELAHIRAN_DATABASE_URL": db_url, "KELAHIRAN_READMODEL_KEYS": spec_for_tests(),
           "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
           "TEMPORAL_NAMESPACE": ns, "KELAHIRAN_RETENTION_DAYS": "30"}

    res = await _cli(env, "--dry-run")
    assert res.exit_code == 0, res.output
    assert "dry run: nothing changed" in res.output and "(30 days)" in res.output
    assert re.search(r"bundle\s+1 would be anonymised", res.output), res.output
    assert f"namespace '{ns}': workflow execution retention is 1 day; would be set to 30 days" in res.output
    assert await workflow_retention(temporal_env.client, ns) == timedelta(days=1)
    assert _state(engine, st.bundle_id)[0].anonymised_at is None

    res = await _cli(env)
    assert res.exit_code == 0, res.output
    assert re.search(r"bundle\s+1 anonymised", res.output)
    assert re.search(r"audit_event\s+0 details", res.output)
    assert "retention 1 day -> 30 days as Temporal reports it" in res.output
    assert await workflow_retention(temporal_env.client, ns) == timedelta(days=30)
    assert _state(engine, st.bundle_id)[0].anonymised_at is not None

    res = await _cli(env, "--older-than-days", "400")  # the option wins over the setting
    assert res.exit_code == 0, res.output
    assert "30 days -> 400 days" in res.output and re.search(r"bundle\s+0 anonymised", res.output)


@pytest.mark.integration
async def test_temporal_unreachable_is_said_after_the_database_part(db_url, engine):
    st = _bundle(engine, BundleStatus.COMPLETED, completed=OLD, updated=OLD)
    env = {"KELAHIRAN_DATABASE_URL": db_url, "KELAHIRAN_READMODEL_KEYS": spec_for_tests(),
           "TEMPORAL_ADDRESS": "127.0.0.1:9"}
    res = await _cli(env)
    assert res.exit_code == 1, res.output
    assert re.search(r"bundle\s+1 anonymised", res.output)
    assert "not changed: Temporal at 127.0.0.1:9" in res.output
    assert _state(engine, st.bundle_id)[0].anonymised_at is not None
    res = await _cli(env, "--skip-temporal")
    assert res.exit_code == 0 and "skipped (--skip-temporal)" in res.output
