"""Families from the Dukcapil simulator, and the birth notifications a hospital would post for them."""

from __future__ import annotations

import uuid
import zlib
from datetime import date, timedelta
from typing import Any

import httpx

from simulators.common.nik import make_nik
from tools.notifications import child as child_body
from tools.notifications import notification_from_sample
from tools.scenarios.schema import BirthSpec, ChildSpec, FamilySpec

STRANGER = {"nik": make_nik("367301", date(1990, 6, 1), "male", 9871), "name": "Budi Santoso"}


class SetupError(Exception):
    """The stack cannot provide what the scenario asks for (no such family, ...)."""


async def draw(http: httpx.AsyncClient, dukcapil: str, spec: FamilySpec, *, seed_text: str,
               used: set[str], auth: httpx.Auth | None = None) -> dict:
    """One family (as `/v1/sampel/keluarga` describes it) that no earlier draw of this run returned."""
    if spec.traits is not None:
        traits = spec.traits.model_dump(exclude_none=True)
        params = {**traits, "belum_ada_kelahiran": True, "limit": 50,
                  "seed": zlib.crc32(seed_text.encode())}
        r = await http.get(f"{dukcapil}/v1/sampel/keluarga", params=params)
        _ok(r, "sampling families")
        fam = next((f for f in r.json() if f["no_kk"] not in used), None)
        if fam is None:
            raise SetupError(f"no family left with traits {traits} (drawn: {len(r.json())}, all in use)")
    else:
        fam = await _explicit(http, dukcapil, spec, auth)
    used.add(fam["no_kk"])
    return fam


async def _explicit(http: httpx.AsyncClient, dukcapil: str, spec: FamilySpec, auth: httpx.Auth | None
                    ) -> dict:
    kk_number, mother_nik = spec.kk, spec.mother_nik
    if mother_nik:
        r = await http.post(f"{dukcapil}/v1/penduduk/detail", json={"nik": mother_nik}, auth=auth)
        _ok(r, "looking up the mother")
        kk_number = r.json()["no_kk"]
    r = await http.post(f"{dukcapil}/v1/kk/detail", json={"no_kk": kk_number}, auth=auth)
    _ok(r, "looking up the KK")
    kk = r.json()
    people = kk["anggota"]
    mother = next((m for m in people if m["nik"] == mother_nik), None) or next(
        (m for m in people if m["hubungan"] in ("ISTRI", "KEPALA KELUARGA") and m["jenis_kelamin"] == "P"),
        None)
    if mother is None:
        raise SetupError(f"KK {kk_number[:6]}... lists no mother")
    father = next((m for m in people if m["hubungan"] == "KEPALA KELUARGA" and m["jenis_kelamin"] == "L"),
                  None)
    # Witnesses are any two adults of another family: borrow those of a sample.
    r = await http.get(f"{dukcapil}/v1/sampel/keluarga", params={"limit": 1, "seed": 1})
    _ok(r, "sampling witnesses")

    def person(m: dict) -> dict:
        return {"nik": m["nik"], "nama": m["nama"], "tanggal_lahir": m["tanggal_lahir"]}

    return {
        "no_kk": kk["no_kk"], "domisili": {"kode_kab_kota": kk["kode_kab_kota"],
                                          "kode_kecamatan": kk["kode_kecamatan"],
                                          "kode_kelurahan": kk["kode_kelurahan"]},
        "ibu": person(mother), "ayah": person(father) if father else None,
        "no_buku_nikah": spec.buku_nikah, "status_perkawinan": kk["status_perkawinan"],
        "saksi": r.json()[0]["saksi"],
    }


def _ok(r: httpx.Response, what: str) -> None:
    if r.status_code != 200:
        raise SetupError(f"{what}: Dukcapil simulator answered {r.status_code}: {r.text[:200]}")


def birth_body(spec: BirthSpec, fam: dict, *, other: dict | None, today: date, scenario: str,
               alias: str) -> dict[str, Any]:
    """The JSON a hospital posts for this birth, with the scenario's mutations applied."""
    born = spec.birth_date if isinstance(spec.birth_date, date) else today + timedelta(days=spec.birth_date)
    proof = spec.proof
    if proof == "auto":  # the proof a hospital would have: the buku nikah when the family has one
        proof = "marriage" if fam.get("no_buku_nikah") else "none"
    body = notification_from_sample(
        fam, birth_date=born, proof=proof,
        children=[_child(i, c) for i, c in enumerate(spec.children, start=1)],
        record_id=f"SCN-{scenario[:24]}-{alias[:12]}-{uuid.uuid4().hex[:10]}")
    if spec.father == "none":
        body["father"] = None
    elif spec.father == "stranger":
        body["father"] = dict(STRANGER)
    if spec.mother_nik == "unknown":
        # Well formed (region, date, sex) but never issued: the serial is far above the population's.
        mother_born = date.fromisoformat(fam["ibu"]["tanggal_lahir"])
        body["mother"]["nik"] = make_nik(fam["domisili"]["kode_kecamatan"], mother_born, "female", 9931)
    if other is not None:
        body["kk_number"] = other["no_kk"]
    return body


def _child(order: int, c: ChildSpec) -> dict:
    extra: dict[str, Any] = {}
    if c.outcome == "stillbirth":
        extra = {"outcome": "stillbirth", "gestational_age_weeks": c.gestational_age_weeks or 34,
                 "weight_grams": 1900, "length_cm": 41.0}
    elif c.gestational_age_weeks is not None:
        extra["gestational_age_weeks"] = c.gestational_age_weeks
    if c.weight_grams is not None:
        extra["weight_grams"] = c.weight_grams
    if c.length_cm is not None:
        extra["length_cm"] = c.length_cm
    name = None if c.outcome == "stillbirth" else c.name
    return child_body(order, sex=c.sex, name=name, **extra)


def merge(body: dict, change: dict) -> dict:
    """`change` merged into `body` (nested mappings merged, everything else replaced)."""
    out = dict(body)
    for key, value in change.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out
