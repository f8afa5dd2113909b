"""The example FHIR bundles (tests/api/fhir/examples/*.json), filled in for a family.

The files hold `{{PLACEHOLDER}}`s for who the family is (NIKs, names, KK, address codes), the birth
date and the record id, so one realistic bundle serves families drawn from the Dukcapil simulator
and the made-up family of the unit tests.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from simulators.common.nik import make_nik

EXAMPLES = Path(__file__).parent.parent / "api" / "fhir" / "examples"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def values_for(fam: dict, *, birth_date: date, record_id: str) -> dict[str, str]:
    """Placeholder values from a family as the Dukcapil simulator's sample endpoint returns it."""
    dom, father, (w1, w2) = fam["domisili"], fam["ayah"] or {}, fam["saksi"][:2]
    return {
        "RECORD_ID": record_id, "BIRTH_DATE": birth_date.isoformat(), "KK": fam["no_kk"],
        "MOTHER_NIK": fam["ibu"]["nik"], "MOTHER_NAME": fam["ibu"]["nama"],
        "MOTHER_BIRTH_DATE": str(fam["ibu"]["tanggal_lahir"]),
        "FATHER_NIK": father.get("nik", ""), "FATHER_NAME": father.get("nama", ""),
        "BUKU_NIKAH": fam.get("no_buku_nikah") or "",
        "W1_NIK": w1["nik"], "W1_NAME": w1["nama"], "W2_NIK": w2["nik"], "W2_NAME": w2["nama"],
        "PROVINCE": dom["kode_provinsi"], "CITY": dom["kode_kab_kota"], "DISTRICT": dom["kode_kecamatan"],
        "VILLAGE": dom["kode_kelurahan"], "ADDRESS": dom["alamat"], "CITY_NAME": dom["nama_kab_kota"],
    }


def example(name: str, fam: dict, *, birth_date: date, record_id: str) -> dict[str, Any]:
    """The example bundle `name` (single_live_birth, twins, stillbirth) for this family."""
    values = values_for(fam, birth_date=birth_date, record_id=record_id)
    return _fill(json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")), values)


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values[m[1]], value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def made_up_family() -> dict:
    """A family in the sample endpoint's shape, with valid made-up NIKs (for tests without the stack)."""
    return {
        "no_kk": "3673051203150004",
        "domisili": {"kode_provinsi": "36", "kode_kab_kota": "3673", "nama_kab_kota": "Kota Serang",
                     "kode_kecamatan": "367305", "nama_kecamatan": "Cipocok Jaya",
                     "kode_kelurahan": "3673051005", "nama_kelurahan": "Banjarsari",
                     "alamat": "Jl. Bhayangkara No. 12"},
        "ibu": {"nik": make_nik("367305", date(1995, 3, 12), "female", 7), "nama": "Rina Marlina",
                "tanggal_lahir": "1995-03-12"},
        "ayah": {"nik": make_nik("367305", date(1992, 7, 1), "male", 3), "nama": "Agus Salim",
                 "tanggal_lahir": "1992-07-01"},
        "no_buku_nikah": "0123/45/VI/2015",
        "status_perkawinan": "KAWIN_TERCATAT",
        "saksi": [{"nik": make_nik("367301", date(1980, 1, 2), "male", 11), "nama": "Dedi Kurnia",
                   "tanggal_lahir": "1980-01-02"},
                  {"nik": make_nik("367302", date(1985, 5, 6), "female", 12), "nama": "Euis Komalasari",
                   "tanggal_lahir": "1985-05-06"}],
    }
