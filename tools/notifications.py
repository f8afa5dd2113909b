"""Build a birth notification for a family drawn from the Dukcapil simulator's sample endpoint."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

Proof = Literal["auto", "marriage", "sptjm", "none"]


def spelled(i: int) -> str:
    """A number as a word of letters ("Aa", "Ab", ... "Aba"): a child's name holds no digits
    (Permendagri 73/2022). The leading "A" keeps it from ever spelling a title the rule refuses
    ("Dr", "Hj", "SH", ...: none starts with an A)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out = chr(ord("a") + r) + out
        if i == 0:
            return "A" + out


def child(order: int = 1, *, sex: str = "female", name: str | None = "Siti Aminah", **kw: Any) -> dict:
    return {"birth_order": order, "outcome": "live", "sex": sex, "name": name,
            "weight_grams": 3100, "length_cm": 49.5, **kw}


def notification_from_sample(fam: dict, *, birth_date: date, children: list[dict] | None = None,
                             proof: Proof = "auto", record_id: str | None = None,
                             now: datetime | None = None) -> dict:
    """The JSON body a hospital would post for this family; `auto` picks the proof the KK supports."""
    if proof == "auto":
        proof = {"KAWIN_TERCATAT": "marriage", "KAWIN_BELUM_TERCATAT": "sptjm"}.get(
            fam["status_perkawinan"], "none")
    father = fam.get("ayah")
    return {
        "record_id": record_id or f"RM-{uuid.uuid4().hex[:12]}",
        "birth_date": birth_date.isoformat(),
        "birth_time": birth_time_on(birth_date, now).isoformat(),
        "birth_place": {"facility_name": "RSUD dr. Drajat Prawiranegara", "kab_kota_code": "3673"},
        "attendant": "midwife",
        "mother": {"nik": fam["ibu"]["nik"], "name": fam["ibu"]["nama"]},
        "father": {"nik": father["nik"], "name": father["nama"]} if father else None,
        "kk_number": fam["no_kk"],
        "marriage_proof": ({"kind": "buku_nikah", "number": fam["no_buku_nikah"]}
                           if proof == "marriage" and fam.get("no_buku_nikah") else None),
        "sptjm_marriage": proof == "sptjm",
        "witnesses": [{"nik": w["nik"], "name": w["nama"]} for w in fam["saksi"]],
        "reporter_phone": "081234567890",
        "children": children or [child()],
        "consent": consent(birth_date),
    }


WIB = timedelta(hours=7)
USUAL_TIME = time(8, 30)


def birth_time_on(birth_date: date, now: datetime | None = None) -> time:
    """08:30 WIB, or for a birth today an earlier time than now: a birth later today is refused
    at intake, so a scenario run just after midnight WIB must not post one (it once failed CI)."""
    local = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None) + WIB
    if birth_date != local.date() or local.time() >= USUAL_TIME:
        return USUAL_TIME
    if local.time() < time(0, 1):
        return time(0, 0)
    return (local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)


def consent(birth_date: date) -> dict:
    """The mother's signed consent, given on the day of the birth (as hospitals collect it)."""
    return {"given_by": "mother", "given_at": f"{birth_date.isoformat()}T09:00:00+07:00",
            "method": "signed_form", "form_reference": "PERSETUJUAN-01"}
