"""GET /v1/births/{id} says each service's and timeline event's note as the console's English does:
`reason`, `note` and `params` as codes, `message` from the catalogue, `detail` kept as written."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.console import describe, i18n
from api.routes.births import _in_english
from api.schemas import BundlePublic
from domain.contracts import (
    BundleState,
    BundleStatus,
    ChildState,
    Note,
    Service,
    ServiceState,
    ServiceStatus,
    TimelineEvent,
)

AT = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)
EN = i18n.Translator("en")


def _state() -> BundleState:
    refused = ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason="NIK_IBU_TIDAK_DITEMUKAN",
                           detail="NIK ibu tidak ditemukan (simulator)", note=Note.REFUSED,
                           params={"system": "dukcapil", "code": "NIK_IBU_TIDAK_DITEMUKAN"})
    old = ServiceState(status=ServiceStatus.AWAITING_PAYMENT,
                       detail="waiting for the family's first payment to the virtual account")
    child = ChildState(birth_order=1, outcome="live", sex="male", name_provided=True,
                       services={Service.NIK: refused, Service.BPJS: old, Service.AKTA: ServiceState()})
    timeline = [
        TimelineEvent(at=AT, kind="received", message="1 child(ren) reported", note=Note.CHILDREN_REPORTED,
                      params={"count": "1"}),
        TimelineEvent(at=AT, kind="needs_attention", service=Service.NIK, birth_order=1,
                      reason="NIK_IBU_TIDAK_DITEMUKAN", message=refused.detail, note=Note.REFUSED,
                      params=refused.params),
        TimelineEvent(at=AT, kind="deadline_approaching", service=Service.AKTA, birth_order=1,
                      message="legal deadline 2026-12-31", note=Note.LEGAL_DEADLINE,
                      params={"date": "2026-12-31"}),
        TimelineEvent(at=AT, kind="closed", message="by spv-1: keluarga pindah"),  # stored before codes
    ]
    return BundleState(bundle_id="b", hospital_id="RS", record_id="R1", content_hash="h",
                       status=BundleStatus.NEEDS_ATTENTION, birth_date=date(2026, 12, 1), received_at=AT,
                       children=[child], timeline=timeline)


def test_messages_are_the_consoles_english_for_each_code():
    state = _state()
    public = BundlePublic.model_validate(state.model_dump())
    _in_english(public)
    nik = public.children[0].services[Service.NIK]
    assert (nik.reason, nik.note, nik.params["code"]) == (
        "NIK_IBU_TIDAK_DITEMUKAN", Note.REFUSED, "NIK_IBU_TIDAK_DITEMUKAN")
    assert nik.message == "Refused by Dukcapil (NIK_IBU_TIDAK_DITEMUKAN)."
    assert nik.detail == "NIK ibu tidak ditemukan (simulator)"  # kept for compatibility
    assert nik.message == describe.step_note(EN, state, "nik", state.children[0].services[Service.NIK])
    bpjs = public.children[0].services[Service.BPJS]
    assert bpjs.note is None and bpjs.message == bpjs.detail  # written before notes had codes
    assert public.children[0].services[Service.AKTA].message is None  # no note at all
    assert [e.message for e in public.timeline] == [
        "1 child(ren) reported", "Refused by Dukcapil (NIK_IBU_TIDAK_DITEMUKAN).",
        "legal deadline 31 December 2026", "by spv-1: keluarga pindah"]
    assert [e.message for e in public.timeline[:3]] == [describe.event_note(EN, state, e)
                                                        for e in state.timeline[:3]]
    body = public.model_dump(mode="json")
    assert body["timeline"][2]["note"] == "legal_deadline" and body["timeline"][2]["params"] == {
        "date": "2026-12-31"}
    assert body["children"][0]["services"]["nik"]["message"].startswith("Refused by Dukcapil")
