"""Every code an operator can meet has words in both languages, and the console says the workflow's
notes from its catalogue (their codes and parameters; for notes stored before codes, derived from the
state): no English note, no raw fact key, money as Rupiah, dates as Indonesian dates."""

from __future__ import annotations

import ast
import re
import typing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from api.auth.roles import Role
from api.console import describe, i18n, notes, view
from domain.contracts import (
    BundleState,
    BundleStatus,
    ChildState,
    FollowUpKind,
    ForwardInfo,
    Note,
    Reason,
    Service,
    ServiceState,
    ServiceStatus,
    TimelineEvent,
)
from domain.contracts.activities import AktaIssued, BpjsMembership, KiaIssued
from domain.contracts.notification import Attendant, Outcome

ROOT = Path(__file__).parents[3]
WORKFLOWS = sorted((ROOT / "workflows").glob("*.py")) + [
    ROOT / "domain" / f for f in ("bundle_state.py", "after_death.py")]
ID, EN = i18n.Translator("id"), i18n.Translator("en")
AT = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)  # 14.05 WIB


def _both(key: str) -> bool:
    pair = i18n.CATALOGUE.get(key)
    return pair is not None and len(pair) == 2 and all(isinstance(w, str) and w.strip() for w in pair)


def _emitted_kinds() -> set[str]:
    """The kinds the workflows' sources put on the timeline (`.event("kind"...)`, either branch of an
    `"a" if x else "b"`, and the deadline stages of f"deadline_{stage}")."""
    kinds: set[str] = set()
    for path in WORKFLOWS:
        text = path.read_text()
        for a, b in re.findall(r'\.(?:event|by)\(\s*"(\w+)"(?:\s+if\s+[^"]+?\s+else\s+"(\w+)")?', text):
            kinds |= {a, b} - {""}
        if 'f"deadline_{stage}"' in text:
            kinds |= {f"deadline_{s}" for s in re.findall(r'\("(\w+)", start_of\(', text)}
        kinds |= set(re.findall(r'kind="(\w+)"', text))
    return kinds


def _fact_keys() -> set[str]:
    """The keys the workflows write into a service's facts."""
    keys: set[str] = set()
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if "facts" in line or line.startswith("ENDED"):
                keys |= set(re.findall(r'"(\w+)":', line)) | set(re.findall(r'facts\["(\w+)"\]', line))
    return keys


@pytest.mark.parametrize("key", sorted(
    [f"st_{s.value}" for s in BundleStatus] + [f"ss_{s.value}" for s in ServiceStatus]
    + [f"svc_{s.value}" for s in Service] + [f"r_{r.value}" for r in Reason]
    + [f"fix_{r.value}" for r in Reason]
    + [f"fu_{k.value}" for k in FollowUpKind] + [f"role_{r.value}" for r in Role]
    + [f"sex_{s}" for s in ("male", "female")] + [f"rem_{k}" for k in describe.REMINDER_KINDS]
    + [f"chg_{c}" for c in notes.FIELDS] + [f"note_{n.value}" for n in Note]
    + list(notes.SYSTEMS.values())
    + [f"fv_attendant_{a.value}" for a in Attendant] + [f"fv_outcome_{o.value}" for o in Outcome]))
def test_every_contract_code_has_indonesian_and_english_words(key):
    assert _both(key), key


def test_every_timeline_event_kind_has_words_and_the_workflows_emit_no_other():
    emitted = _emitted_kinds()
    assert {"received", "handed_over", "deadline_passed", "sptjm_rejected", "reminder_failed"} <= emitted
    assert emitted - set(describe.EVENT_KINDS) == set()
    for kind in [*describe.EVENT_KINDS, *ServiceStatus, *BundleStatus]:
        key = view.event_key(kind)
        assert key != kind and _both(key), kind


def test_every_fact_key_and_coded_value_has_words():
    keys = _fact_keys()
    assert {"tagihan", "virtual_account", "tanggal_terbit", "orang_tua", "berakhir"} <= keys
    assert [k for k in sorted(keys) if not _both(f"fact_{k}")] == []
    coded = {"orang_tua": AktaIssued.model_fields["parents_wording"].annotation,
             "status": BpjsMembership.model_fields["status"].annotation,
             "jenis": KiaIssued.model_fields["card_type"].annotation}
    for key, literal in coded.items():
        assert [v for v in typing.get_args(literal) if not _both(f"fv_{key}_{v}")] == [], key
    assert _both("fv_jenis_LT") and _both("fv_jenis_LU") and _both("fv_berakhir_MENINGGAL")


def _state(**over) -> BundleState:
    child = ChildState(birth_order=1, outcome="live", sex="female", name_provided=True, services={
        Service.NIK: ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason="NIK_IBU_TIDAK_DITEMUKAN",
                                  detail="dukcapil refused: NIK_IBU_TIDAK_DITEMUKAN"),
        Service.AKTA: ServiceState(status=ServiceStatus.WAITING_INPUT, reason="NAMA_BELUM_ADA",
                                   detail="waiting for the baby's name", deadline=date(2026, 12, 30)),
        Service.BPJS: ServiceState(status=ServiceStatus.AWAITING_PAYMENT,
                                   detail="waiting for the family's first payment to the virtual account",
                                   facts={"segmen": "PBPU", "kelas": "3", "status": "MENUNGGU_PEMBAYARAN",
                                          "virtual_account": "8888012345", "tagihan": "150000",
                                          "tunggakan_sejak": "2026-11-01"})})
    base = dict(bundle_id="b", hospital_id="RS", record_id="R1", content_hash="h",
                status=BundleStatus.NEEDS_ATTENTION, birth_date=date(2026, 12, 1), received_at=AT,
                children=[child], domicile_kecamatan="367101",
                routing=ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason="DOMISILI_LUAR",
                                     detail="no connected Dukcapil office for kab/kota 3671"),
                kk=ServiceState(status=ServiceStatus.COMPLETED,
                                facts={"tanggal_terbit": "2026-12-07", "tanda_tangan": "TTE-1"}))
    return BundleState(**{**base, **over})


def test_facts_have_labels_rupiah_and_indonesian_dates():
    s = _state()
    bpjs = {f.key: f for f in describe.facts(ID, s.children[0].services[Service.BPJS])}
    assert (bpjs["tagihan"].label, bpjs["tagihan"].value) == ("Tagihan", "Rp150.000")
    assert bpjs["status"].value == "menunggu pembayaran" and not bpjs["status"].code
    assert bpjs["virtual_account"].value == "8888012345" and bpjs["virtual_account"].code
    assert bpjs["tunggakan_sejak"].value == "1 November 2026"
    kk = {f.key: f for f in describe.facts(EN, s.kk)}
    assert (kk["tanggal_terbit"].label, kk["tanggal_terbit"].value) == ("Issued on", "7 December 2026")
    akta = ServiceState(facts={"jenis": "LT", "orang_tua": "kedua_orang_tua", "nama": "Siti"})
    assert [(f.label, f.value) for f in describe.facts(ID, akta)] == [
        ("Jenis", "terlambat (LT)"), ("Orang tua pada akta", "kedua orang tua"), ("Nama tercetak", "Siti")]


def test_notes_come_from_the_catalogue_not_from_the_workflow():
    s = _state()
    c = s.children[0].services
    assert describe.step_note(ID, s, "routing", s.routing).startswith(
        "Tidak ada kantor Dukcapil terhubung untuk kab/kota 3671")
    assert describe.step_note(ID, s, "nik", c[Service.NIK]) == (
        "Ditolak oleh Dukcapil (NIK_IBU_TIDAK_DITEMUKAN).")
    assert describe.step_note(ID, s, "akta", c[Service.AKTA]) == "Menunggu nama bayi."
    assert describe.step_note(EN, s, "bpjs", c[Service.BPJS]).startswith("Waiting for the family's first")
    assert describe.step_note(ID, s, "kk", s.kk) == ""  # no note written: none shown
    closed = ServiceState(status=ServiceStatus.CANCELLED, reason="KK_TIDAK_DITEMUKAN",
                          detail="dukcapil refused: KK_TIDAK_DITEMUKAN")
    assert describe.step_note(ID, s, "nik", closed) == "Ditolak oleh Dukcapil (KK_TIDAK_DITEMUKAN)."
    unpaid = ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason="PESERTA_TIDAK_AKTIF", detail="x")
    assert describe.step_note(EN, s, "bpjs", unpaid) == "Refused by BPJS Kesehatan (PESERTA_TIDAK_AKTIF)."
    ended = ServiceState(status=ServiceStatus.NOT_APPLICABLE, detail="membership ended: the child died")
    assert describe.step_note(ID, s, "bpjs", ended) == "Kepesertaan berakhir: anak meninggal."


@pytest.mark.parametrize(("event", "said"), [
    (TimelineEvent(at=AT, kind="received", message="1 child(ren) reported"), "1 anak dilaporkan"),
    (TimelineEvent(at=AT, kind="deadline_approaching", service=Service.AKTA, birth_order=1,
                   message="legal deadline 2026-12-30"), "tenggat hukum 30 Desember 2026"),
    (TimelineEvent(at=AT, kind="needs_attention", service=Service.NIK, birth_order=1,
                   reason="NIK_IBU_TIDAK_DITEMUKAN", message="dukcapil refused: NIK_IBU_TIDAK_DITEMUKAN"),
     "Ditolak oleh Dukcapil (NIK_IBU_TIDAK_DITEMUKAN)."),
    (TimelineEvent(at=AT, kind="kadis_decision_recorded", message="by supervisor"), "oleh supervisor"),
    (TimelineEvent(at=AT, kind="closed", message="by spv-1: keluarga pindah: ke Bandung"),
     "oleh spv-1: keluarga pindah: ke Bandung"),
    (TimelineEvent(at=AT, kind="parents_corrected", message="by op-2: mother, kk_number: salah ketik"),
     "oleh op-2 (ibu, nomor KK): salah ketik"),
    (TimelineEvent(at=AT, kind="handed_over", message="by op-3 to Disdukcapil Lebak (470/1): pindah"),
     "ke Disdukcapil Lebak (rujukan 470/1) oleh op-3: pindah"),
    (TimelineEvent(at=AT, kind="reminder_sent", service=Service.BPJS, birth_order=1, message="payment_due"),
     "pembayaran BPJS pertama"),
    (TimelineEvent(at=AT, kind="follow_up_started", birth_order=1, message="death follow-up b-kematian-1"),
     "tindak lanjut kematian"),
    (TimelineEvent(at=AT, kind="completed", message="something new in English"), ""),
])
def test_timeline_notes_stored_before_codes_are_said_from_the_state(event, said):
    s = _state(forwarded=ForwardInfo(office="Disdukcapil Lebak", reference="470/1", at=AT, actor="op-3"),
               closed_reason="pindah")
    assert event.note is None and describe.event_note(ID, s, event) == said


def _writes_a_note(call: ast.Call) -> bool:
    """A call that writes an English note: a non-empty `detail=`/`message=` keyword."""
    written = [k.value for k in call.keywords if k.arg in ("detail", "message")]
    return any(not (isinstance(v, ast.Constant) and not v.value) for v in written)


def test_every_english_note_the_workflows_write_has_its_code():
    seen = 0
    for path in WORKFLOWS:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not _writes_a_note(node):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "UpdateAccepted":  # the answer to an update, not a note on the bundle
                continue
            seen += 1
            keywords = {k.arg for k in node.keywords}
            assert "note" in keywords, f"{path.name}:{node.lineno} writes an English note without its code"
    assert seen >= 12  # set/event calls in bpjs, bundle, services, deadlines, deaths, reminders, tracker...


CODED = [  # (a note as the workflow writes it, what the console says in Indonesian)
    (TimelineEvent(at=AT, kind="received", message="2 child(ren) reported", note=Note.CHILDREN_REPORTED,
                   params={"count": "2"}), "2 anak dilaporkan"),
    (TimelineEvent(at=AT, kind="deadline_passed", service=Service.KIA, birth_order=1, message="x",
                   note=Note.LEGAL_DEADLINE, params={"date": "2027-01-05"}), "tenggat hukum 5 Januari 2027"),
    (TimelineEvent(at=AT, kind="closed", message="by anyone: anything", note=Note.BY_ACTOR_BECAUSE,
                   params={"actor": "spv-2", "reason": "by op: mother, father: pindah"}),
     "oleh spv-2: by op: mother, father: pindah"),  # typed text is never parsed
    (TimelineEvent(at=AT, kind="parents_corrected", message="x", note=Note.PARENTS_CHANGED,
                   params={"actor": "op-2", "fields": "father,kk_number", "reason": "salah ketik"}),
     "oleh op-2 (ayah, nomor KK): salah ketik"),
    (TimelineEvent(at=AT, kind="handed_over", message="x", note=Note.HANDED_OVER,
                   params={"actor": "op-4", "office": "Disdukcapil Pandeglang", "reference": "9/2",
                           "reason": "domisili"}),
     "ke Disdukcapil Pandeglang (rujukan 9/2) oleh op-4: domisili"),
    (TimelineEvent(at=AT, kind="needs_attention", service=Service.BPJS, birth_order=1,
                   reason="PESERTA_TIDAK_AKTIF", message="bpjs: peserta tidak aktif", note=Note.REFUSED,
                   params={"system": "bpjs", "code": "PESERTA_TIDAK_AKTIF"}),
     "Ditolak oleh BPJS Kesehatan (PESERTA_TIDAK_AKTIF)."),
    (TimelineEvent(at=AT, kind="needs_attention", service=Service.ROUTING, reason="DOMISILI_LUAR",
                   message="x", note=Note.NO_OFFICE, params={"kab_kota": "3601"}),
     "Tidak ada kantor Dukcapil terhubung untuk kab/kota 3601 Kab. Pandeglang."),
    (TimelineEvent(at=AT, kind="reminder_failed", service=Service.AKTA, birth_order=1, message="name_missing",
                   note=Note.REMINDER, params={"reminder": "name_missing"}), "nama bayi belum ada"),
    (TimelineEvent(at=AT, kind="needs_attention", service=Service.ROUTING, reason="DUPLIKAT_DICURIGAI",
                   message="held", note=Note.HELD_DUPLICATE), "Ditahan sebelum apa pun diterbitkan: mungkin "
     "kelahiran yang sudah dilaporkan; supervisor yang memutuskan."),
    (TimelineEvent(at=AT, kind="closed", message="x", note=Note.BY_ACTOR_BECAUSE, params={"actor": "op-9"}),
     "oleh op-9: –"),  # a parameter missing: a dash, never an error
]


@pytest.mark.parametrize(("event", "said"), CODED)
def test_coded_notes_are_said_from_their_code_and_parameters(event, said):
    # The state says otherwise (another deadline, no forwarding record, three children): the code wins.
    s = _state()
    assert describe.event_note(ID, s, event) == said


def test_a_services_coded_note_is_said_from_its_code():
    s = _state()
    akta = ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason="NAMA_TIDAK_SESUAI", detail="anything",
                        note=Note.REFUSED, params={"system": "dukcapil", "code": "NAMA_TIDAK_SESUAI"})
    assert describe.step_note(EN, s, "akta", akta) == "Refused by Dukcapil (NAMA_TIDAK_SESUAI)."
    paid = ServiceState(status=ServiceStatus.AWAITING_PAYMENT, detail="x", note=Note.AWAITING_PAYMENT)
    assert describe.step_note(ID, s, "bpjs", paid) == (
        "Menunggu pembayaran pertama keluarga ke virtual account.")
    assert describe.step_note(ID, s, "kk", ServiceState(note=Note.REROUTING)) == (
        "Nomor KK dikoreksi: kantor ditentukan lagi.")
    assert notes.say(ID, "a_new_note", {}) == "a_new_note"  # a code the catalogue lacks shows as itself


def test_follow_up_documents_and_steps_in_words():
    assert describe.follow_up_step(ID, "akta_kematian") == "akta kematian"
    d = describe.follow_up_document(ID, "kk_tanggal_terbit", "2026-12-07")
    assert (d.label, d.value, d.code) == ("Kartu Keluarga terbit", "7 Desember 2026", False)
    assert describe.follow_up_document(EN, "bpjs_status", "NONAKTIF").value == "inactive"
