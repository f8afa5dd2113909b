from datetime import UTC, datetime

from domain.bundle_state import (
    bundle_id_for,
    content_hash,
    derive_status,
    new_input,
    open_reasons,
)
from domain.contracts import BundleStatus, Service, ServiceStatus
from domain.notification import BirthNotification
from tests.support import payloads


def _state(children):
    n = BirthNotification.model_validate(payloads.manual(children=children))
    return new_input(bundle_id="b", hospital_id="h", received_at=datetime.now(UTC), notification=n).state


def test_bundle_id_is_stable_and_opaque():
    a = bundle_id_for("RSUD-SERANG", "RM-1")
    assert a == bundle_id_for("RSUD-SERANG", "RM-1") != bundle_id_for("RSUD-CILEGON", "RM-1")
    assert "RM-1" not in a


def test_content_hash_ignores_formatting_but_not_content():
    body = payloads.manual()
    n1 = BirthNotification.model_validate(body)
    n2 = BirthNotification.model_validate({**body, "reporter_phone": body["reporter_phone"]})
    assert content_hash(n1) == content_hash(n2)
    n3 = BirthNotification.model_validate({**body, "reporter_phone": "081299999999"})
    assert content_hash(n1) != content_hash(n3)


def test_status_derivation():
    st = _state([payloads.child(1), payloads.child(2)])
    assert derive_status(st, closed=False) is BundleStatus.IN_PROGRESS
    st.children[1].services[Service.AKTA].status = ServiceStatus.NEEDS_ATTENTION
    st.children[1].services[Service.AKTA].reason = "SPTJM_TIDAK_SAH"
    assert derive_status(st, closed=False) is BundleStatus.NEEDS_ATTENTION
    assert open_reasons(st) == ["SPTJM_TIDAK_SAH"]
    assert derive_status(st, closed=True) is BundleStatus.CLOSED_WITH_ISSUES
    for svc in [st.routing, st.kk, *(s for c in st.children for s in c.services.values())]:
        svc.status = ServiceStatus.COMPLETED
    assert derive_status(st, closed=False) is BundleStatus.COMPLETED


def test_stillbirth_only_bundle():
    st = _state([payloads.stillborn()])
    assert st.kk.status is ServiceStatus.NOT_APPLICABLE
    st.routing.status = ServiceStatus.COMPLETED
    st.children[0].services[Service.STILLBIRTH].status = ServiceStatus.COMPLETED
    assert derive_status(st, closed=False) is BundleStatus.STILLBIRTH_RECORDED
