"""Birth notification payloads for tests: valid by default, built from a sampled family or by hand."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from simulators.common.nik import make_nik
from tools.notifications import consent, notification_from_sample

_counter = itertools.count(1)
# Each made-up notification has a mother of its own: the intake holds another delivery by the same
# mother within months as a suspected duplicate (store/identity.py), which tests ask for explicitly.
_mothers = itertools.count(100)


def record_id(prefix: str = "RM") -> str:
    return f"{prefix}-{next(_counter):06d}-{id(_counter) % 9973}"


def child(order: int = 1, *, sex: str = "female", name: str | None = "Siti Aminah", **kw: Any) -> dict:
    return {"birth_order": order, "outcome": "live", "sex": sex, "name": name,
            "weight_grams": 3100, "length_cm": 49.5, **kw}


def stillborn(order: int = 1, *, sex: str = "male", weeks: int = 34) -> dict:
    return {"birth_order": order, "outcome": "stillbirth", "sex": sex, "name": None,
            "weight_grams": 1900, "length_cm": 41.0, "gestational_age_weeks": weeks}


def unknown_mother_nik() -> str:
    """A well-formed woman's NIK Dukcapil does not know, never the same twice in a session: tests of
    a mistyped NIK must not look like one mother's second delivery (the duplicate check)."""
    return make_nik("367305", date(1995, 3, 12), "female", next(_mothers) % 9900 + 100)


def manual(*, birth_date: date | None = None, children: list[dict] | None = None, **over: Any) -> dict:
    """A structurally valid notification with made-up (not population) identities."""
    born = birth_date or date.today() - timedelta(days=1)
    body = {
        "record_id": record_id(),
        "birth_date": born.isoformat(),
        "birth_time": "08:30:00",
        "birth_place": {"facility_name": "RSUD dr. Drajat Prawiranegara", "kab_kota_code": "3673"},
        "attendant": "midwife",
        "mother": {"nik": make_nik("367305", date(1995, 3, 12), "female", next(_mothers) % 9900 + 100),
                   "name": "Rina Marlina"},
        "father": {"nik": make_nik("367305", date(1992, 7, 1), "male", 3), "name": "Agus Salim"},
        "kk_number": "3673051203150004",
        "marriage_proof": {"kind": "buku_nikah", "number": "0123/45/VI/2015"},
        "sptjm_marriage": False,
        "witnesses": [
            {"nik": make_nik("367301", date(1980, 1, 2), "male", 11), "name": "Dedi Kurnia"},
            {"nik": make_nik("367302", date(1985, 5, 6), "female", 12), "name": "Euis Komalasari"},
        ],
        "reporter_phone": "081234567890",
        "children": children or [child()],
        "consent": consent(born),
    }
    body.update(over)
    return body


def from_family(fam: dict, *, birth_date: date | None = None, children: list[dict] | None = None,
                proof: str = "auto", **over: Any) -> dict:
    """A notification for a family drawn from the Dukcapil simulator's sample endpoint."""
    if proof == "auto":
        proof = "marriage" if fam.get("no_buku_nikah") else "none"
    body = notification_from_sample(fam, birth_date=birth_date or date.today() - timedelta(days=1),
                                    children=children, proof=proof, record_id=record_id())
    body.update(over)
    return body
