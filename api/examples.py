"""An example for every request body of the API, by the name of its schema in the OpenAPI.

Kept here, in one place, so that every body has one whichever module declares its model; the values
are made up (valid NIK structure, no real person). tests/api/test_openapi_examples.py fails on a
request body without an example, and on an example its own model refuses.
"""

from __future__ import annotations

from typing import Any

REASON = "Keluarga datang ke loket dengan dokumen asli"

BIRTH: dict[str, Any] = {
    "record_id": "RM-2026-00123",
    "birth_date": "2026-11-28",
    "birth_time": "08:30:00",
    "birth_place": {"facility_name": "RSUD dr. Drajat Prawiranegara", "kab_kota_code": "3673"},
    "attendant": "midwife",
    "mother": {"nik": "3673055203950200", "name": "Rina Marlina"},
    "father": {"nik": "3673050107920003", "name": "Agus Salim"},
    "kk_number": "3673051203150004",
    "marriage_proof": {"kind": "buku_nikah", "number": "0123/45/VI/2015"},
    "sptjm_marriage": False,
    "witnesses": [{"nik": "3673010201800011", "name": "Dedi Kurnia"},
                  {"nik": "3673024605850012", "name": "Euis Komalasari"}],
    "reporter_phone": "081234567890",
    "children": [{"birth_order": 1, "outcome": "live", "sex": "female", "name": "Siti Aminah",
                  "weight_grams": 3100, "length_cm": 49.5}],
    "consent": {"given_by": "mother", "given_at": "2026-11-28T09:00:00+07:00", "method": "signed_form",
                "form_reference": "PERSETUJUAN-01"},
}


def _one(summary: str, value: Any) -> dict[str, dict[str, Any]]:
    return {"default": {"summary": summary, "value": value}}


# schema name -> OpenAPI `examples` (name -> {summary, value}); several where a body has real variants.
BY_SCHEMA: dict[str, dict[str, dict[str, Any]]] = {
    "LoginIn": _one("An operator logs in", {"username": "supervisor", "password": "correct horse battery"}),
    "BirthNotification": {
        "single": {"summary": "One live-born child, parents married", "value": BIRTH},
        "twins": {"summary": "Twins, the second not yet named", "value": {
            **BIRTH, "record_id": "RM-2026-00124", "children": [
                BIRTH["children"][0],
                {"birth_order": 2, "outcome": "live", "sex": "male", "weight_grams": 2850,
                 "length_cm": 48}]}},
    },
    "NameIn": _one("The child's name, given after intake", {"name": "Muhammad Rizki"}),
    "DeathIn": _one("A child's death after the akta", {"date_of_death": "2026-12-01",
                                                        "place_of_death": "RSUD Kota Serang"}),
    "CorrectionIn": _one("A corrected child's name", {"child_name": "Siti Aminah Putri",
                                                      "reason": "Salah ketik pada formulir rumah sakit"}),
    "FollowUpRetryIn": _one("Retry a refused follow-up", {"reason": REASON}),
    "RetryIn": {
        "child": {"summary": "Retry a child's service", "value": {
            "service": "akta", "birth_order": 1, "reason": REASON}},
        "bundle": {"summary": "Retry the KK (a bundle-level service)", "value": {
            "service": "kk", "reason": REASON}},
    },
    "DecisionIn": _one("The Kadis decision for a late registration", {
        "decision_number": "474.1/123/DUKCAPIL/2026", "reason": "Keputusan Kepala Dinas terbit"}),
    "CloseIn": _one("Close a bundle that cannot go on", {"reason": "Keluarga pindah ke luar negeri"}),
    "ForwardIn": _one("Forward to the office that serves the family", {
        "office": "Disdukcapil Kabupaten Serang", "reference": "FWD/2026/0042",
        "reason": "Domisili keluarga di Kabupaten Serang"}),
    "SptjmIn": _one("Accept the SPTJM suami-istri", {"accept": True, "reason": "SPTJM ditandatangani"}),
    "DuplicateIn": _one("Not a duplicate: go on", {"duplicate": False,
                                                   "reason": "Kelahiran berbeda, ibu melahirkan lagi"}),
    "ParentsIn": _one("Correct the mother's NIK", {
        "mother": {"nik": "3673055203950218", "name": "Rina Marlina"}, "reason": "NIK ibu salah ketik"}),
    "HospitalCreate": _one("A hospital joins", {"id": "RSUD-SERANG", "name": "RSUD Kota Serang"}),
    "KeyCreate": _one("A key for the hospital's SIMRS", {"label": "SIMRS produksi"}),
    "KeyRotate": _one("A new key; the old one works a day longer", {"grace_hours": 24}),
    "OperatorCreate": _one("A clerk of the Kota Serang office", {
        "username": "petugas.serang", "full_name": "Dewi Lestari", "role": "operator",
        "office_code": "3673", "password": "kata-sandi-yang-panjang"}),
    "OperatorUpdate": _one("Unlock an operator", {"unlock": True}),
    "WebhookIn": _one("The hospital's webhook", {"url": "https://simrs.rs.example/kelahiran/events"}),
    "SecretRotate": _one("A new secret; the old one signs for a day too", {"grace_hours": 24}),
    "PayloadsJson": _one("Temporal payloads in protobuf JSON (the Web UI's codec protocol)", {
        "payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "eyJvayI6IHRydWV9"}]}),
}


def examples_for(schema: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The examples of a request body's schema: a `$ref`, or `anyOf` [a `$ref`, null] (optional body)."""
    refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", [])]
    for ref in filter(None, refs):
        if (found := BY_SCHEMA.get(ref.rsplit("/", 1)[-1])) is not None:
            return found
    return None
