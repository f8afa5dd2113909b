"""Bundles in final (or resting) states as the workflows leave them, for pages rendered from the read model.

Two sources: the final states of the committed workflow histories (tests/workflows/histories, recorded
from real runs before notes had codes: the console derives their words), and states written here the
way the workflows write them today (notes as codes with parameters: workflows/*.py), one per kind of
ending the scenario catalogue (scenarios/*.yaml) expects: the Kadis decision pending and decided, SPTJM
pending and accepted, a duplicate held, a family outside the connected offices (held and forwarded),
twins, a death and a correction follow-up after issue, a stillbirth, refusals, the first BPJS payment
awaited, a name awaited with reminders, a parents' correction, a bundle closed with issues.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload

from domain.bundle_state import bundle_id_for, new_input
from domain.contracts import (
    BundleState,
    BundleStatus,
    FollowUpKind,
    FollowUpLink,
    FollowUpState,
    ForwardInfo,
    Note,
    Service,
    ServiceState,
    TimelineEvent,
)
from domain.contracts import ServiceStatus as S
from domain.notification import BirthNotification
from infra.codec import test_converter
from tests.support import payloads

HISTORIES = Path(__file__).parents[1] / "workflows" / "histories"
HOSPITAL = "RSUD-WORDS"
AT = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)
ACTOR, WHY = "supervisor-serang", "dokumen keluarga sudah diperiksa"
SENT: dict[str, BirthNotification] = {}  # each written bundle's notification: the family as sent


async def recorded() -> dict[str, BundleState]:
    """The final state of each committed history (its completion's result, decoded with the test key)."""
    conv, out = test_converter(), {}
    for path in sorted(HISTORIES.glob("*.json")):
        last = json.loads(path.read_text())["events"][-1]
        result = last["workflowExecutionCompletedEventAttributes"]["result"]["payloads"][0]
        out[f"history-{path.stem}"] = (await conv.decode([json_format.ParseDict(result, Payload())],
                                                         [BundleState]))[0]
    return out


def _new(children: list[dict] | None = None, *, born: date | None = None, **over) -> tuple[BundleState,
                                                                                           BirthNotification]:
    n = BirthNotification.model_validate(payloads.manual(birth_date=born or AT.date() - timedelta(days=3),
                                                         children=children, **over))
    st = new_input(bundle_id=bundle_id_for(HOSPITAL, n.record_id), hospital_id=HOSPITAL,
                   received_at=AT - timedelta(days=2), notification=n).state
    st.office_code, st.domicile_kecamatan, st.version = "3673", "367305", 7
    SENT[st.bundle_id] = n
    return st, n


def _done(st: ServiceState, number: str | None = None, **facts: str) -> None:
    st.status, st.document_number, st.attempts, st.updated_at = S.COMPLETED, number, 1, AT
    st.facts.update(facts)


def _event(st: BundleState, kind: str, note: Note | None = None, service: Service | None = None,
           order: int | None = None, code: str | None = None, /, **params: str) -> None:
    """A timeline event as the workflow writes it (its English message, its note's code and params)."""
    st.timeline.append(TimelineEvent(at=AT, kind=kind, service=service, birth_order=order, reason=code,
                                     message=f"english note for {kind}", note=note, params=params))


def _stuck(st: ServiceState, reason: str, note: Note, **params: str) -> None:
    st.status, st.reason, st.attempts, st.updated_at = S.NEEDS_ATTENTION, reason, 2, AT
    st.detail, st.note, st.params = f"english detail {reason}", note, params


def _issue_all(st: BundleState, *, jenis: str = "LU", orang_tua: str = "kedua_orang_tua") -> None:
    _done(st.routing)
    _done(st.kk, "3673051203150004", tanggal_terbit=AT.date().isoformat())
    for c in st.children:
        s = c.services
        if c.outcome == "stillbirth":
            _done(s[Service.STILLBIRTH], f"3673-SLM-{c.birth_order:04d}")
            continue
        _done(s[Service.NIK], f"36730541012600{c.birth_order:02d}")
        _done(s[Service.AKTA], f"3673-{jenis}-20261207-{c.birth_order:04d}", jenis=jenis, orang_tua=orang_tua,
              nama="Siti Aminah", tanggal_terbit=AT.date().isoformat(), tanda_tangan="TTE-8842-AB")
        _done(s[Service.KIA], f"KIA-3673-{c.birth_order:05d}", jenis="0-5", berlaku_sampai="2031-12-04")
        _done(s[Service.BPJS], f"00012345678{c.birth_order:02d}", segmen="PBI", kelas="3", status="AKTIF")
        _event(st, "completed", None, Service.AKTA, c.birth_order)
    st.status = BundleStatus.COMPLETED


def _kadis(decided: bool) -> BundleState:
    st, _ = _new(born=AT.date() - timedelta(days=75))
    _done(st.routing)
    akta = st.children[0].services[Service.AKTA]
    _done(st.children[0].services[Service.NIK], "3673054101260001")
    akta.deadline, akta.deadline_state = AT.date() - timedelta(days=15), "passed"
    _event(st, "deadline_passed", Note.LEGAL_DEADLINE, Service.AKTA, 1, date=akta.deadline.isoformat())
    bpjs = st.children[0].services[Service.BPJS]
    bpjs.status, bpjs.note, bpjs.updated_at = S.AWAITING_PAYMENT, Note.AWAITING_PAYMENT, AT
    bpjs.facts |= {"segmen": "PBPU", "kelas": "3", "virtual_account": "8888801234567890", "tagihan": "210000",
                   "tunggakan_sejak": "2026-09-01", "status": "MENUNGGU_PEMBAYARAN"}
    if not decided:
        _stuck(akta, "KEPUTUSAN_KADIS_DIPERLUKAN", Note.REFUSED, system="dukcapil",
               code="KEPUTUSAN_KADIS_DIPERLUKAN")
        _event(st, "needs_attention", Note.REFUSED, Service.AKTA, 1, "KEPUTUSAN_KADIS_DIPERLUKAN",
               system="dukcapil", code="KEPUTUSAN_KADIS_DIPERLUKAN")
        st.status = BundleStatus.NEEDS_ATTENTION
        return st
    _event(st, "kadis_decision_recorded", Note.BY_ACTOR_BECAUSE, Service.AKTA, 1, actor=ACTOR,
           reason="470/123/KADIS/2026")
    _issue_all(st, jenis="LT")
    return st


def _sptjm(accepted: bool) -> BundleState:
    st, _ = _new(marriage_proof=None, sptjm_marriage=True)
    if accepted:
        _event(st, "sptjm_accepted", Note.BY_ACTOR_BECAUSE, Service.AKTA, 1, actor=ACTOR, reason=WHY)
        _issue_all(st, orang_tua="perkawinan_belum_tercatat")
        return st
    _done(st.routing)
    _done(st.children[0].services[Service.NIK], "3673054101260001")
    _stuck(st.children[0].services[Service.AKTA], "SPTJM_TIDAK_SAH", Note.REFUSED, system="dukcapil",
           code="SPTJM_TIDAK_SAH")
    st.status = BundleStatus.NEEDS_ATTENTION
    return st


def _duplicate() -> BundleState:
    st, _ = _new()
    st.suspected_duplicate_of = _twins().bundle_id
    _stuck(st.routing, "DUPLIKAT_DICURIGAI", Note.HELD_DUPLICATE)
    _event(st, "needs_attention", Note.HELD_DUPLICATE, Service.ROUTING, None, "DUPLIKAT_DICURIGAI")
    st.status = BundleStatus.NEEDS_ATTENTION
    return st


def _elsewhere(forwarded: bool) -> BundleState:
    st, _ = _new(kk_number="3671051203150004")
    st.office_code, st.domicile_kecamatan = None, "367105"
    _stuck(st.routing, "DOMISILI_LUAR", Note.NO_OFFICE, kab_kota="3671")
    _event(st, "needs_attention", Note.NO_OFFICE, Service.ROUTING, None, "DOMISILI_LUAR", kab_kota="3671")
    st.status = BundleStatus.NEEDS_ATTENTION
    if forwarded:
        st.routing.status = S.CANCELLED
        st.forwarded = ForwardInfo(office="Disdukcapil Kota Tangerang", reference="474/88/DKC-TNG", at=AT,
                                   actor=ACTOR)
        st.closed_reason = "keluarga berdomisili di Kota Tangerang"
        _event(st, "handed_over", Note.HANDED_OVER, actor=ACTOR, office=st.forwarded.office,
               reference=st.forwarded.reference, reason=st.closed_reason)
        st.status = BundleStatus.FORWARDED
    return st


def _twins() -> BundleState:
    st, _ = _new([payloads.child(1, name="Siti Aminah"), payloads.child(2, sex="male", name="Ahmad Fauzi")])
    _issue_all(st)
    return st


def _issued_with(kind: FollowUpKind) -> tuple[BundleState, list[FollowUpState]]:
    st, _ = _new()
    _issue_all(st)
    wid = f"{kind.value}-{st.bundle_id}-1"
    fu = FollowUpState(workflow_id=wid, bundle_id=st.bundle_id, kind=kind, birth_order=1, status="completed",
                       step="done", started_at=AT, completed_at=AT, version=5)
    st.follow_ups.append(FollowUpLink(kind=kind, birth_order=1, workflow_id=wid, started_at=AT))
    if kind is FollowUpKind.DEATH:
        st.children[0].died_on = AT.date() - timedelta(days=1)
        _event(st, "death_reported", Note.BY_ACTOR_BECAUSE, None, 1, actor=ACTOR, reason="laporan keluarga")
        _event(st, "follow_up_started", Note.DEATH_FOLLOW_UP, None, 1, follow_up=wid)
        fu.documents = {"akta_kematian": "3673-KM-20261207-0001", "kk_tanggal_terbit": "2026-12-07",
                        "bpjs_status": "NONAKTIF"}
    else:
        fu.documents = {"akta": "3673-LU-20261207-0009", "akta_lama": "3673-LU-20261207-0001",
                        "kia_berlaku_sampai": "2031-12-04", "kk_tanggal_terbit": "2026-12-07",
                        "bpjs_status": "AKTIF"}
    return st, [fu]


def _refused() -> BundleState:
    st, _ = _new()
    _done(st.routing)
    _stuck(st.children[0].services[Service.NIK], "NIK_IBU_TIDAK_DITEMUKAN", Note.REFUSED, system="dukcapil",
           code="NIK_IBU_TIDAK_DITEMUKAN")
    _event(st, "needs_attention", Note.REFUSED, Service.NIK, 1, "NIK_IBU_TIDAK_DITEMUKAN", system="dukcapil",
           code="NIK_IBU_TIDAK_DITEMUKAN")
    _event(st, "parents_corrected", Note.PARENTS_CHANGED, actor="operator-serang", fields="mother,kk_number",
           reason="NIK ibu salah ketik")
    _event(st, "retry_requested", Note.BY_ACTOR, Service.NIK, 1, actor="operator-serang")
    st.status = BundleStatus.NEEDS_ATTENTION
    return st


def _nameless() -> BundleState:
    st, _ = _new([payloads.child(name=None)])
    _done(st.routing)
    _done(st.children[0].services[Service.NIK], "3673054101260001")
    akta = st.children[0].services[Service.AKTA]
    akta.status, akta.note, akta.updated_at = S.WAITING_INPUT, Note.WAITING_NAME, AT
    akta.reason = "NAMA_BELUM_ADA"
    akta.deadline, akta.deadline_state = AT.date() + timedelta(days=5), "approaching"
    _event(st, "deadline_approaching", Note.LEGAL_DEADLINE, Service.AKTA, 1, date=akta.deadline.isoformat())
    _event(st, "reminder_sent", Note.REMINDER, Service.AKTA, 1, reminder="name_missing")
    _event(st, "reminder_failed", Note.REMINDER, Service.AKTA, 1, "SMS_GATEWAY_TIDAK_TERSEDIA",
           reminder="deadline_approaching")
    st.status = BundleStatus.IN_PROGRESS
    return st


def _closed() -> BundleState:
    st = _elsewhere(False)
    st.routing.status, st.status, st.closed_reason = S.CANCELLED, BundleStatus.CLOSED_WITH_ISSUES, WHY
    _event(st, "closed", Note.BY_ACTOR_BECAUSE, actor=ACTOR, reason=WHY)
    return st


def _stillbirth() -> BundleState:
    st, _ = _new([payloads.stillborn()])
    _issue_all(st)
    st.status = BundleStatus.STILLBIRTH_RECORDED
    return st


def _bpjs_ended() -> BundleState:
    st, _ = _new()
    _issue_all(st)
    bpjs = st.children[0].services[Service.BPJS]
    bpjs.status, bpjs.note = S.NOT_APPLICABLE, Note.BPJS_ENDED
    bpjs.detail = "membership ended: the child died"
    bpjs.facts["berakhir"] = "MENINGGAL"
    return st


BUILT: dict[str, Callable[[], BundleState]] = {
    "kadis-pending": lambda: _kadis(False), "kadis-decided": lambda: _kadis(True),
    "sptjm-pending": lambda: _sptjm(False), "sptjm-accepted": lambda: _sptjm(True),
    "duplicate-held": _duplicate, "domisili-luar": lambda: _elsewhere(False),
    "forwarded": lambda: _elsewhere(True), "twins": _twins, "refused-corrected": _refused,
    "name-awaited": _nameless, "closed-with-issues": _closed, "stillbirth": _stillbirth,
    "bpjs-ended": _bpjs_ended,
}


def written() -> dict[str, tuple[BundleState, list[FollowUpState]]]:
    """Each kind above with its follow-ups (none, but for the death and the correction)."""
    out: dict[str, tuple[BundleState, list[FollowUpState]]] = {k: (f(), []) for k, f in BUILT.items()}
    out["death-follow-up"] = _issued_with(FollowUpKind.DEATH)
    out["correction-follow-up"] = _issued_with(FollowUpKind.CORRECTION)
    return out
