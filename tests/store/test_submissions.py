"""The family's fields as sent, on real SQLite and the real PostgreSQL: kept by the intake with the
bundle, encrypted at rest, re-encrypted on rotation, deleted by retention with the rest."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from api import intake
from domain.contracts import BundleStatus, ServiceStatus
from domain.notification import BirthNotification
from infra.settings import Settings
from store import submissions
from store.cipher import StateCipher, StateKeyError, spec_for_tests
from store.group_writer import GroupWriter
from store.models import Bundle, Submission
from store.reencrypt import reencrypt
from store.retention import apply_retention
from tests.support import payloads
from tests.support.readmodel import read_state, write_state

CIPHER = StateCipher.from_spec(spec_for_tests())
SETTINGS = Settings(environment="test", readmodel_keys=spec_for_tests())


def _notification(**over) -> BirthNotification:
    return BirthNotification.model_validate(payloads.manual(
        children=[payloads.child(1, name="Siti Aminah"), payloads.child(2, name=None)], **over))


async def _accept(engine, note: BirthNotification) -> str:
    acc = await intake.accept_birth(notification=note, hospital_id="RS-SUB", settings=SETTINGS, engine=engine,
        writer=GroupWriter(engine),
                                    cipher=CIPHER, starter=None)
    return acc.bundle_id


def _raw(engine, bundle_id: str) -> str:
    with Session(engine) as s:
        return s.exec(select(Submission.content_json).where(Submission.bundle_id == bundle_id)).one()


async def test_the_intake_keeps_what_was_sent_encrypted(engine):
    note = _notification()
    bid = await _accept(engine, note)
    raw = _raw(engine, bid)
    assert raw.startswith("enc1:test-only-rm:")
    for secret in (note.mother.nik, note.father.nik, note.kk_number, note.reporter_phone, "Rina Marlina",
                   "Siti Aminah"):
        assert secret not in raw
    with Session(engine) as s:
        got = submissions.get(session=s, cipher=CIPHER, bundle_id=bid)
    assert got == submissions.Submitted(
        mother=submissions.Parent(name="Rina Marlina", nik=note.mother.nik),
        father=submissions.Parent(name="Agus Salim", nik=note.father.nik), kk_number=note.kk_number,
        children=[submissions.ChildAsSent(birth_order=1, name="Siti Aminah"),
                  submissions.ChildAsSent(birth_order=2, name=None)],
        reporter_phone=note.reporter_phone)


async def test_the_same_record_again_leaves_the_first_row_and_a_conflict_writes_nothing(engine):
    note = _notification()
    bid = await _accept(engine, note)
    first = _raw(engine, bid)
    assert await _accept(engine, note) == bid
    other = BirthNotification.model_validate({**payloads.manual(), "record_id": note.record_id})
    with pytest.raises(intake.ConflictingRecord):
        await _accept(engine, other)
    assert _raw(engine, bid) == first  # never rewritten by a re-post
    with Session(engine) as s:
        assert s.exec(select(sa.func.count()).select_from(Submission)).one() == 1


def test_a_row_copied_to_another_bundle_does_not_open(engine):
    with Session(engine) as s:
        sub = submissions.of_notification(_notification())
        submissions.keep(session=s, row=submissions.prepare(cipher=CIPHER, bundle_id="b-1", submitted=sub))
        submissions.keep(session=s, row=submissions.prepare(cipher=CIPHER, bundle_id="b-2", submitted=sub))
        s.commit()
        stolen = s.exec(select(Submission.content_json).where(Submission.bundle_id == "b-1")).one()
        s.exec(sa.update(Submission).where(col(Submission.bundle_id) == "b-2").values(content_json=stolen))
        s.commit()
        assert submissions.get(session=s, cipher=CIPHER, bundle_id="b-1") == sub
        with pytest.raises(StateKeyError, match="copied from another row"):
            submissions.get(session=s, cipher=CIPHER, bundle_id="b-2")


async def test_rotation_reencrypts_them(engine):
    bid = await _accept(engine, _notification())
    rotated = StateCipher.from_spec(f"new:{base64.b64encode(b'n' * 32).decode()},{spec_for_tests()}",
                                    current="new")
    report = reencrypt(engine, rotated)
    assert report.rewritten["submission"] == 1 and report.failed == []
    assert _raw(engine, bid).startswith("enc1:new:")
    with Session(engine) as s:
        assert submissions.get(session=s, cipher=rotated, bundle_id=bid).kk_number


async def test_retention_deletes_them_with_the_rest_and_keeps_a_recent_bundles(engine):
    old, recent = await _accept(engine, _notification()), await _accept(engine, _notification())
    long_ago = datetime.now(UTC) - timedelta(days=800)
    with Session(engine) as s:
        for bid, when in ((old, long_ago), (recent, datetime.now(UTC))):
            st = read_state(s, bid, CIPHER)
            st.status, st.completed_at, st.version = BundleStatus.COMPLETED, when, 5
            st.routing.status = st.kk.status = ServiceStatus.COMPLETED
            for c in st.children:
                for svc in c.services.values():
                    svc.status = ServiceStatus.COMPLETED
            write_state(s, st, CIPHER, history=10)
            s.exec(sa.update(Bundle).where(col(Bundle.id) == bid).values(updated_at=when))
            s.commit()
    dry = apply_retention(engine, CIPHER, cutoff=datetime.now(UTC) - timedelta(days=365), dry_run=True)
    assert dry.bundles == 1
    with Session(engine) as s:  # a dry run deletes nothing
        assert len(s.exec(select(Submission)).all()) == 2
    done = apply_retention(engine, CIPHER, cutoff=datetime.now(UTC) - timedelta(days=365))
    assert done.bundles == 1
    with Session(engine) as s:
        assert submissions.get(session=s, cipher=CIPHER, bundle_id=old) is None
        assert submissions.get(session=s, cipher=CIPHER, bundle_id=recent) is not None
