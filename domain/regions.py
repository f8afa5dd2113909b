"""Kemendagri region codes the project needs, loaded once from refdata/regions.json.

refdata/ sits next to this package, in the repository and in the installed wheel alike.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_REGIONS_JSON = Path(__file__).resolve().parent.parent / "refdata" / "regions.json"


@cache
def _data() -> dict:
    return json.loads(_REGIONS_JSON.read_text("utf-8"))


def province_exists(code: str) -> bool:
    return code in _data()["provinces"]


def kab_kota_name(code: str) -> str | None:
    return _data()["kab_kota"].get(code)


def kecamatan_name(code: str) -> str | None:
    d = _data()
    return d["kecamatan"].get(code) or d["legacy_kecamatan"].get(code)


def is_current_kecamatan(code: str) -> bool:
    return code in _data()["kecamatan"]


@cache
def _kab_kota_with_kecamatan() -> frozenset[str]:
    # Asked for every NIK the intake checks: a set, not a scan of every kecamatan code each time.
    return frozenset(k[:4] for k in _data()["kecamatan"])


def known_kab_kota(code: str) -> bool:
    """True when the kab/kota is one whose kecamatan list we carry (so a NIK can be checked fully)."""
    return code in _data()["kab_kota"] and code in _kab_kota_with_kecamatan()


def kecamatan_of(kab_kota: str) -> list[str]:
    return sorted(k for k in _data()["kecamatan"] if k.startswith(kab_kota))


def villages_of(kecamatan: str) -> list[str]:
    return sorted(v for v in _data()["villages"] if v.startswith(kecamatan))


def village_name(code: str) -> str | None:
    return _data()["villages"].get(code)
