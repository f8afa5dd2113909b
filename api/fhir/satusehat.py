"""SATUSEHAT's address rule: the Kemendagri administrativeCode extension, level by level."""

from __future__ import annotations

from typing import Any

from api.fhir.codes import ADMINISTRATIVE_CODE
from api.fhir.outcome import Problems
from api.fhir.read import extensions, sub_extension
from domain import regions

# Each level's code extends its parent's: 36 -> 3673 -> 367305 -> 3673051005.
LEVELS = (("province", 2, True), ("city", 4, True), ("district", 6, False), ("village", 10, False))


def administrative_codes(address: dict[str, Any], path: str, problems: Problems) -> dict[str, str] | None:
    """The address's codes by level, or None (and the problems said) when absent or wrong."""
    found = extensions(address, ADMINISTRATIVE_CODE)
    if not found:
        problems.add(f"{path}.extension", "the address needs the administrativeCode extension "
                     f"({ADMINISTRATIVE_CODE}) with Kemendagri codes", "required")
        return None
    k, ext = found[0]
    base = f"{path}.extension[{k}]"
    out: dict[str, str] = {}
    ok, parent = True, ""
    for level, digits, required in LEVELS:
        sub = sub_extension(ext, level, "valueCode")
        if sub is None:
            if required:
                ok = False
                problems.add(f"{base}.extension", f"administrativeCode needs `{level}` "
                             f"(valueCode, {digits} digits)", "required")
            parent = ""
            continue
        j, value = sub
        wrong = _wrong(level, digits, value, parent)
        if wrong:
            ok = False
            problems.add(f"{base}.extension[{j}].valueCode", wrong)
        out[level] = value
        parent = "" if wrong else value  # one wrong level is reported once, not again below it
    return out if ok else None


def _wrong(level: str, digits: int, value: str, parent: str) -> str | None:
    if len(value) != digits or not value.isdigit():
        return f"{level} must be a Kemendagri code of {digits} digits"
    if parent and not value.startswith(parent):
        return f"{level} code does not lie within the {_PARENT[level]} code given"
    if value[-2:] == "00" and level != "village":
        return f"{level} code cannot end in 00"
    if level == "province" and not regions.province_exists(value):
        return "province code does not exist"
    if level == "district" and regions.known_kab_kota(value[:4]) and regions.kecamatan_name(value) is None:
        return "district (kecamatan) code does not exist in this kab/kota"
    if level == "village" and regions.villages_of(value[:6]) and regions.village_name(value) is None:
        return "village (kelurahan/desa) code does not exist in this kecamatan"
    return None


_PARENT = {"city": "province", "district": "city", "village": "district"}
