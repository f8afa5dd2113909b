"""NIK and KK number rules (PPKKCC DDMMYY SSSS; day + 40 for women): reading and validating them.

Issuing NIKs is Dukcapil's job, so it lives in the simulator (simulators/common/nik.py), written
separately: its issued numbers are what this parser is tested against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from domain import regions

Sex = Literal["male", "female"]
_DIGITS16 = re.compile(r"^\d{16}$")


class NikError(ValueError):
    """A NIK that breaks the structure rules; the message says which one."""


@dataclass(frozen=True, slots=True)
class ParsedNik:
    kecamatan: str
    birth_date: date
    sex: Sex
    serial: int

    @property
    def kab_kota(self) -> str:
        return self.kecamatan[:4]

    @property
    def province(self) -> str:
        return self.kecamatan[:2]


def _century_year(yy: int, today: date | None) -> int:
    # Two-digit years: the most recent year not after `today`. Without a date (e.g. inside the
    # Temporal sandbox, where reading the clock is forbidden) a fixed pivot keeps it deterministic.
    ref = today.year if today is not None else 2069
    year = 2000 + yy
    return year if year <= ref else year - 100


def parse_nik(value: str, *, today: date | None = None) -> ParsedNik:
    """Parse and validate a NIK, raising NikError naming the broken rule."""
    if not _DIGITS16.match(value):
        raise NikError("NIK must be exactly 16 digits")
    kec = value[:6]
    if not regions.province_exists(kec[:2]):
        raise NikError("NIK's province code does not exist")
    if kec[2:4] == "00" or kec[4:6] == "00":
        raise NikError("NIK kab/kota and kecamatan codes cannot be 00")
    if regions.known_kab_kota(kec[:4]) and regions.kecamatan_name(kec) is None:
        raise NikError("NIK's kecamatan code does not exist in its kab/kota")
    day_code, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex: Sex = "female" if day_code > 40 else "male"
    day = day_code - 40 if day_code > 40 else day_code
    try:
        born = date(_century_year(yy, today), month, day)
    except ValueError as exc:
        raise NikError("NIK does not encode a valid date of birth") from exc
    serial = int(value[12:])
    if serial == 0:
        raise NikError("NIK serial 0000 is invalid")
    return ParsedNik(kecamatan=kec, birth_date=born, sex=sex, serial=serial)


def validate_kk_number(value: str) -> str:
    """KK numbers: 16 digits starting with an existing province code."""
    if not _DIGITS16.match(value):
        raise NikError("KK number must be exactly 16 digits")
    if not regions.province_exists(value[:2]):
        raise NikError("KK number's province code does not exist")
    return value
