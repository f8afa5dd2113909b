"""A death reported after completion: the bundle's BPJS step shows the membership ended, no bill."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain import after_death
from domain.contracts import (
    BundleState,
    BundleStatus,
    ChildState,
    FollowUpKind,
    FollowUpState,
    Service,
    ServiceState,
    ServiceStatus,
)

UNPAID = {"segmen": "PBPU", "kelas": "3", "status": "MENUNGGU_PEMBAYARAN", "virtual_account": "8888012345",
          "tagihan": "150000", "tunggakan_sejak": "2026-11-01"}


def _state() -> BundleState:
    def child(order: int) -> ChildState:
        return ChildState(birth_order=order, outcome="live", sex="female", name_provided=True, services={
            Service.BPJS: ServiceState(status=ServiceStatus.COMPLETED, facts=dict(UNPAID))})
    return BundleState(bundle_id="b", hospital_id="RS", record_id="R1", content_hash="h",
                       status=BundleStatus.COMPLETED, birth_date=date(2026, 12, 1),
                       received_at=datetime(2026, 12, 1, tzinfo=UTC), children=[child(1), child(2)])


def _follow_up(kind: FollowUpKind, order: int, **documents: str) -> FollowUpState:
    return FollowUpState(workflow_id=f"b-{kind}-{order}", bundle_id="b", kind=kind, birth_order=order,
                         status="completed", documents=documents)


def test_a_death_follow_up_that_ended_the_membership_shows_on_that_child_only():
    state = _state()
    after_death.show_membership_ended(state, [_follow_up(FollowUpKind.DEATH, 2, bpjs_status="NONAKTIF")])
    first, second = (c.services[Service.BPJS].facts for c in state.children)
    assert first == UNPAID
    assert second == {"segmen": "PBPU", "kelas": "3", "status": "NONAKTIF", "berakhir": "MENINGGAL"}


def test_nothing_changes_before_bpjs_answered_or_for_a_correction():
    state = _state()
    after_death.show_membership_ended(state, [
        _follow_up(FollowUpKind.DEATH, 1, akta_kematian="3673-KM-1"),  # BPJS step not reached yet
        _follow_up(FollowUpKind.CORRECTION, 2, bpjs_status="AKTIF")])
    assert all(c.services[Service.BPJS].facts == UNPAID for c in state.children)
