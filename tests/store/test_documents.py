"""Documents as rows on real SQLite and the real PostgreSQL: the akta in force after corrections, the
follow-ups needing attention in the bundle list, and the fall-back for bundles without rows."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from domain.contracts import (
    BundleStatus,
    FollowUpKind,
    FollowUpState,
    Service,
    ServiceChange,
    ServiceState,
    ServiceStatus,
)
from store import bundles, crud, documents
from store.cipher import StateCipher, spec_for_tests
from store.models import Document
from tests.support.states import received_state

CIPHER = StateCipher.from_spec(spec_for_tests())
FIRST, SECOND, THIRD = "3673-LU-01122026-0001", "3673-LU-03122026-0002", "3673-LU-05122026-0003"


def _issued_state(hospital: str = "RSUD-DOC"):
    st = received_state(hospital)
    st.status = BundleStatus.COMPLETED
    akta = st.children[0].services[Service.AKTA]
    akta.status, akta.document_number = ServiceStatus.COMPLETED, FIRST
    akta.facts = {"jenis": "LU", "nama": "Siti Aminh"}
    return st


def _correction(st, n: int, new: str, old: str, status: str = "completed") -> FollowUpState:
    return FollowUpState(workflow_id=f"{st.bundle_id}-koreksi-1-{n:08x}", bundle_id=st.bundle_id,
                         kind=FollowUpKind.CORRECTION, birth_order=1, status=status, version=n,
                         documents={"akta": new, "akta_lama": old}, started_at=datetime.now(UTC),
                         reason="AKTA_TIDAK_SESUAI" if status == "needs_attention" else None)


def _akta(fid: str, number: str, old: str, name: str) -> documents.Issued:
    return documents.Issued(birth_order=1, kind=documents.AKTA, source=fid, number=number, name=name,
                            supersedes=old)


def test_two_corrections_leave_one_akta_in_force(engine):
    st = _issued_state()
    change = ServiceChange(birth_order=1, service=Service.AKTA, state=st.children[0].services[Service.AKTA])
    with Session(engine) as s:
        bundles.insert_received(session=s, state=st, cipher=CIPHER)
        issued = documents.from_bundle_services([change])
        assert [(d.number, d.name) for d in issued] == [(FIRST, "Siti Aminh")]
        for _ in range(2):  # the bundle's sync repeated: one row
            documents.insert_new(s.connection(), documents.bundle_rows(cipher=CIPHER, bundle_id=st.bundle_id,
                                                                       changes=[change]))
            s.commit()
        one, two = _correction(st, 1, SECOND, FIRST), _correction(st, 2, THIRD, SECOND)
        for fu, doc in ((one, _akta(one.workflow_id, SECOND, FIRST, "Siti Aminah")),
                        (two, _akta(two.workflow_id, THIRD, SECOND, "Siti Aminah Putri"))):
            assert crud.apply_follow_up(session=s, state=fu, cipher=CIPHER, issued=[doc])
            # Its sync again (a retried activity): nothing newer, nothing written twice.
            assert not crud.apply_follow_up(session=s, state=fu, cipher=CIPHER, issued=[doc])
        assert s.exec(sa.select(sa.func.count()).select_from(Document)).one()[0] == 3
        follow_ups = crud.follow_ups_of(session=s, bundle_id=st.bundle_id, cipher=CIPHER)
        docs = documents.views(session=s, cipher=CIPHER, state=st, follow_ups=follow_ups)
    assert [(d.number, d.superseded_by) for d in docs] == [(FIRST, SECOND), (SECOND, THIRD), (THIRD, None)]
    current = documents.current_akta(docs, 1)
    assert (current.number, current.name) == (THIRD, "Siti Aminah Putri")
    # Numbers and names are encrypted at rest.
    with engine.connect() as conn:
        stored = " ".join(conn.execute(sa.text("SELECT content_json FROM document")).scalars())
    assert FIRST not in stored and "Siti" not in stored


def test_a_bundle_without_rows_reads_its_state_and_its_corrections(engine):
    """Issued before the rows existed: the state's akta, superseded by the correction's record."""
    st = _issued_state()
    with Session(engine) as s:
        bundles.insert_received(session=s, state=st, cipher=CIPHER)
        docs = documents.views(session=s, cipher=CIPHER, state=st,
                               follow_ups=[_correction(st, 1, SECOND, FIRST)])
    assert [(d.number, d.superseded_by) for d in docs] == [(FIRST, SECOND), (SECOND, None)]
    assert documents.current_akta(docs, 1).number == SECOND
    assert documents.current_akta(docs, 2) is None


def test_a_completed_bundle_with_a_follow_up_needing_attention_is_listed_as_needing_attention(engine):
    done, other = _issued_state("RSUD-DOC-A"), _issued_state("RSUD-DOC-B")
    with Session(engine) as s:
        for st in (done, other):
            bundles.insert_received(session=s, state=st, cipher=CIPHER)
        waiting = _correction(done, 1, SECOND, FIRST, status="needs_attention")
        crud.apply_follow_up(session=s, state=waiting, cipher=CIPHER)
        crud.apply_follow_up(session=s, state=_correction(other, 1, SECOND, FIRST), cipher=CIPHER)
        rows, total = crud.list_bundles(session=s, flt=crud.BundleFilter(status="needs_attention"),
                                        limit=10, offset=0)
        assert (total, [r.id for r in rows]) == (1, [done.bundle_id])
        assert rows[0].status == "completed"  # the bundle's own status does not move
        found = crud.follow_ups_needing_attention(session=s, bundle_ids=[done.bundle_id, other.bundle_id])
        assert [(f.kind, f.birth_order, f.reason) for f in found[done.bundle_id]] == [
            ("correction", 1, "AKTA_TIDAK_SESUAI")]
        assert other.bundle_id not in found
        # Retried and resumed: off the list.
        resumed = waiting.model_copy(update={"status": "in_progress", "reason": None, "version": 2})
        crud.apply_follow_up(session=s, state=resumed, cipher=CIPHER)
        assert crud.list_bundles(session=s, flt=crud.BundleFilter(status="needs_attention"),
                                 limit=10, offset=0)[1] == 0


def test_retention_forgets_the_rows(engine):
    st = _issued_state()
    with Session(engine) as s:
        bundles.insert_received(session=s, state=st, cipher=CIPHER)
        documents.write(session=s, cipher=CIPHER, bundle_id=st.bundle_id,
                        issued=[documents.Issued(1, documents.AKTA, documents.BUNDLE, FIRST, "Siti")])
        assert documents.forget(session=s, bundle_ids=[st.bundle_id]) == 1
        s.commit()
        assert documents.rows_of(session=s, cipher=CIPHER, bundle_id=st.bundle_id) == []


def test_only_completed_akta_changes_are_documents():
    pending = ServiceChange(birth_order=1, service=Service.AKTA, state=ServiceState())
    kia = ServiceChange(birth_order=1, service=Service.KIA,
                        state=ServiceState(status=ServiceStatus.COMPLETED, document_number="3673"))
    assert documents.from_bundle_services([pending, kia]) == []
