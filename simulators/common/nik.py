"""NIK numbers as the simulated agencies issue and read them.

The simulators' own implementation of the published rule, deliberately not shared with the
orchestrator's parser (domain/nik.py): a NIK issued here is the ground truth our parser is tested
against. The rule: 16 digits `PPKKCC DDMMYY SSSS`:

- PPKKCC: province, kab/kota and kecamatan of first registration (for a newborn: the kecamatan of the
  KK the child joins);
- DD: day of birth, plus 40 for women; MM: month; YY: the last two digits of the year;
- SSSS: a serial per identical 12-digit prefix, from 0001 (0000 is never issued).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from simulators.common import regions

Sex = Literal["male", "female"]

FEMALE_DAY_OFFSET = 40
MAX_SERIAL = 9999


def nik_prefix(kecamatan: str, birth_date: date, sex: Sex) -> str:
    """The first 12 digits: every person sharing them is told apart by the serial."""
    if len(kecamatan) != 6 or not kecamatan.isdigit():
        raise ValueError(f"kecamatan code must be 6 digits, got {kecamatan!r}")
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    dd = birth_date.day + (FEMALE_DAY_OFFSET if sex == "female" else 0)
    return "".join((kecamatan, f"{dd:02d}", f"{birth_date.month:02d}", f"{birth_date.year % 100:02d}"))


def make_nik(kecamatan: str, birth_date: date, sex: Sex, serial: int) -> str:
    """The NIK with the given serial (1-9999) under `nik_prefix(kecamatan, birth_date, sex)`."""
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"NIK serial must be 1-{MAX_SERIAL}, got {serial}")
    return nik_prefix(kecamatan, birth_date, sex) + str(serial).zfill(4)


@dataclass(frozen=True, slots=True)
class NikFields:
    kecamatan: str
    birth_date: date
    sex: Sex
    serial: int


def read_nik(nik: str, today: date) -> NikFields:
    """What an agency reads off a NIK it is given, raising ValueError (in Indonesian) if it cannot.

    The two-digit year is the latest one not after `today`.
    """
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        raise ValueError("NIK harus 16 digit angka")
    kecamatan = nik[:6]
    if regions.province_name(kecamatan[:2]) is None:
        raise ValueError(f"Kode provinsi NIK {kecamatan[:2]} tidak dikenal")
    if kecamatan[2:4] == "00" or kecamatan[4:] == "00":
        raise ValueError("Kode kab/kota dan kecamatan NIK tidak boleh 00")
    # Kecamatan are checked only where the table lists them (a NIK from Jakarta passes on its province).
    if regions.kecamatan_of(kecamatan[:4]) and regions.kecamatan_name(kecamatan) is None:
        raise ValueError(f"Kode kecamatan NIK {kecamatan} tidak dikenal")
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex: Sex = "female" if dd > FEMALE_DAY_OFFSET else "male"
    year = today.year - (today.year - yy) % 100
    try:
        born = date(year, mm, dd - FEMALE_DAY_OFFSET if sex == "female" else dd)
    except ValueError as exc:
        raise ValueError("NIK tidak memuat tanggal lahir yang sah") from exc
    serial = int(nik[12:])
    if serial == 0:
        raise ValueError("Nomor urut NIK 0000 tidak sah")
    return NikFields(kecamatan=kecamatan, birth_date=born, sex=sex, serial=serial)
