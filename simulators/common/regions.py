"""Kemendagri region codes as the simulated agencies know them, read from refdata/regions.json.

The simulators' own reader: they share the data file with the orchestrator, never its code
(domain/regions.py reads the same file for our side). refdata/ sits next to this package's parent
folder, in the repository and in the installed wheel alike.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_REGIONS_JSON = Path(__file__).resolve().parent.parent.parent / "refdata" / "regions.json"


@cache
def _table(name: str) -> dict[str, str]:
    return json.loads(_REGIONS_JSON.read_text("utf-8"))[name]


def province_name(code: str) -> str | None:
    return _table("provinces").get(code)


def kab_kota_name(code: str) -> str | None:
    return _table("kab_kota").get(code)


def kecamatan_name(code: str) -> str | None:
    """Current kecamatan first, then the legacy codes an older NIK may still carry."""
    return _table("kecamatan").get(code) or _table("legacy_kecamatan").get(code)


def is_current_kecamatan(code: str) -> bool:
    return code in _table("kecamatan")


@cache
def kecamatan_of(kab_kota: str) -> tuple[str, ...]:
    """The current kecamatan codes of a kab/kota, sorted."""
    return tuple(sorted(k for k in _table("kecamatan") if k.startswith(kab_kota)))


@cache
def villages_of(kecamatan: str) -> tuple[str, ...]:
    """The kelurahan/desa codes of a kecamatan, sorted."""
    return tuple(sorted(v for v in _table("villages") if v.startswith(kecamatan)))


def village_name(code: str) -> str | None:
    return _table("villages").get(code)
