"""Bundle states as the workflow writes them, holding personal data, for read-model tests."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.bundle_state import bundle_id_for, new_input
from domain.contracts import BundleState, Service, TimelineEvent
from domain.notification import BirthNotification
from tests.support import payloads

CHILD_NIK, KK = "3673054101260001", "3673051203150004"


def received_state(hospital: str) -> BundleState:
    """A fresh bundle's state as the intake makes it, for a manual birth (a new record id each time)."""
    n = BirthNotification.model_validate(payloads.manual())
    return new_input(bundle_id=bundle_id_for(hospital, n.record_id), hospital_id=hospital,
                                        received_at=datetime.now(UTC),
                                        notification=n).state


def personal_state(version: int = 1, hospital: str = "RSUD-C") -> BundleState:
    """The child's NIK, the KK number, a BPJS VA and free text naming the mother, as after issue."""
    st = received_state(hospital)
    st.version = version
    st.children[0].services[Service.NIK].document_number = CHILD_NIK
    st.children[0].services[Service.BPJS].facts["virtual_account"] = "8888801234567890"
    st.kk.document_number = KK
    st.timeline.append(TimelineEvent(at=datetime.now(UTC), kind="completed", service=Service.BPJS,
                                     message="enrolled as Bayi Ny. Rina Marlina"))
    st.closed_reason = "diteruskan: ibu Rina Marlina pindah ke Tangerang"
    return st
