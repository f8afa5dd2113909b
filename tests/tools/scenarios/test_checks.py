"""Judging a bundle against its expected outcome, one check per expectation written."""

from __future__ import annotations

from datetime import date

from simulators.common.nik import make_nik
from tools.scenarios.checks import bundle_checks, issued_checks
from tools.scenarios.context import Context
from tools.scenarios.expect import BundleExpect, IssuedExpect

BORN = date(2026, 10, 16)
NIK = make_nik("367305", BORN, "female", 1)


def _ctx() -> Context:
    ctx = Context(today=BORN)
    ctx.add_family("fam", {"no_kk": "3673051203150004", "domisili": {"kode_kecamatan": "367305"}})
    ctx.add_birth("b1", {"record_id": "RM-1", "birth_date": BORN.isoformat(), "kk_number": "3673051203150004",
                         "mother": {"nik": "3673055203950007"}}, "fam")
    return ctx


def _bundle(**akta) -> dict:
    svc = {"status": "completed", "reason": None, "document_number": None, "facts": {}, "attempts": 1,
           "deadline": None, "deadline_state": None}
    return {
        "status": "completed", "birth_date": BORN.isoformat(), "office_code": "3673", "deadline_risk": False,
        "routing": {**svc, "document_number": "3673"}, "kk": {**svc, "document_number": "3673051203150004"},
        "timeline": [{"kind": "received"}, {"kind": "completed"}],
        "children": [{"birth_order": 1, "outcome": "live", "sex": "female", "name_provided": True,
                      "services": {
            "nik": {**svc, "document_number": NIK},
            "akta": {**svc, "document_number": "3673-LU-16102025-0001",
                     "facts": {"jenis": "LU", "orang_tua": "kedua_orang_tua"}, **akta},
            "kia": {**svc, "facts": {"jenis": "0-5", "berlaku_sampai": "2031-10-16"}},
            "bpjs": {**svc, "deadline": "2026-11-13", "deadline_state": "ok",
                     "facts": {"segmen": "PBI", "status": "AKTIF"}},
        }}],
    }


def _judge(exp: dict, bundle: dict | None = None, kk: dict | None = None):
    return bundle_checks(BundleExpect.model_validate(exp), bundle or _bundle(), ctx=_ctx(), birth="b1", kk=kk)


def test_only_written_fields_are_checked_and_placeholders_are_filled():
    checks = _judge({"status": "completed", "kk": {"document_number": "^${fam.no_kk}$"}, "children": {1: {
        "nik": {"document_number": r"^${family.kecamatan}\d{10}$", "encodes_child": True},
        "kia": {"facts": {"berlaku_sampai": "${b1.fifth_birthday}"}},
        "bpjs": {"deadline_days": 28, "facts": {"virtual_account": None, "segmen": {"match": "^PB"}}}}}})
    assert [c.label for c in checks] == [
        "b1 status", "b1 kk.document_number", "b1 child 1 nik.document_number",
        "b1 child 1 nik.encodes_child",
        "b1 child 1 kia.facts.berlaku_sampai", "b1 child 1 bpjs.facts.virtual_account",
        "b1 child 1 bpjs.facts.segmen", "b1 child 1 bpjs.deadline"]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_a_failed_expectation_says_what_was_expected_and_seen():
    [check] = _judge({"children": {1: {"akta": {"document_number": "^3673-LT-"}}}})
    assert not check.ok
    assert (check.expected, check.seen) == ("~ ^3673-LT-", "3673-LU-16102025-0001")
    either = ["needs_attention", "pending"]
    status, reason = _judge({"children": {1: {"akta": {"reason": None, "status": either}}}})
    assert not status.ok and status.expected == "one of needs_attention, pending"
    assert reason.ok and reason.expected == "absent"


def test_absence_missing_children_and_unknown_placeholders_fail_clearly():
    checks = _judge({"children": {1: {"akta": {"document_number": None}},
                                  2: {"nik": {"status": "completed"}}},
                     "closed_reason": "${nobody.reason}"})
    by_label = {c.label: c for c in checks}
    assert by_label["b1 child 1 akta.document_number"].expected == "absent"
    assert by_label["b1 child 2"].seen == "no such child"
    assert "nothing called 'nobody'" in by_label["b1 closed_reason"].seen
    assert not any(c.ok for c in checks)


def test_kk_listing_and_twin_serials():
    kk = {"jumlah_terbit_ulang": 1, "anggota": [
        {"nik": NIK, "kode_hubungan": 4, "no_akta": "3673-LU-16102025-0001"}]}
    checks = _judge({"kk": {"lists_children": True, "reissued": 1}, "nik_serials_consecutive": True}, kk=kk)
    assert all(c.ok for c in checks), checks
    kk["anggota"][0]["no_akta"] = "3673-LU-16102025-0002"
    listed = _judge({"kk": {"lists_children": True}}, kk=kk)
    assert [(c.ok, c.seen) for c in listed] == [(False, "0/1")]


def test_issued_counts_are_deltas():
    exp = IssuedExpect.model_validate({"dukcapil": {"akta": 2, "nik_bayi": 2}, "bpjs": {"newborn_total": 1}})
    before = {"dukcapil": {"akta": 5, "nik_bayi": 7}, "bpjs": {"newborn_total": 3}}
    after = {"dukcapil": {"akta": 7, "nik_bayi": 10}, "bpjs": {"newborn_total": 4}}
    checks = issued_checks(exp, before, after)
    assert [(c.label, c.ok, c.seen) for c in checks] == [
        ("issued dukcapil.nik_bayi", False, "+3"), ("issued dukcapil.akta", True, "+2"),
        ("issued bpjs.newborn_total", True, "+1")]


def test_the_family_as_sent_is_checked_field_by_field():
    sent = {"masked": False, "mother": {"name": "Rina", "nik": "3673055203950007"}, "father": None,
            "kk_number": "3673051203150004", "children": [], "reporter_phone": "081234567890"}
    exp = {"submitted": {"mother_nik": "^${b1.mother_nik}$", "kk_number": "^${fam.no_kk}$",
                         "father_nik": None, "reporter_phone": "^(?!081311112222$)08"}}
    checks = _judge(exp, {**_bundle(), "submitted": sent})
    assert [(c.label, c.ok) for c in checks] == [
        ("b1 submitted father_nik", True), ("b1 submitted kk_number", True),
        ("b1 submitted mother_nik", True), ("b1 submitted reporter_phone", True)]
    changed = _judge(exp, {**_bundle(), "submitted": {**sent, "reporter_phone": "081311112222"}})
    assert [c.label for c in changed if not c.ok] == ["b1 submitted reporter_phone"]
    assert not any(c.ok for c in _judge(exp, _bundle()) if c.label != "b1 submitted father_nik")
