"""A tiny NIK builder for the activity stand-ins: `PPKKCC DDMMYY SSSS`, day + 40 for girls.

The stand-ins' own copy of the published rule (see /work/shared/domain-notes.md), so they depend on
neither the orchestrator's parser nor the simulators' issuing code.
"""

from __future__ import annotations

from datetime import date


def make_nik(kecamatan: str, born: date, sex: str, serial: int) -> str:
    """The NIK of a person first registered in `kecamatan` (6 digits) with this serial (1-9999)."""
    if len(kecamatan) != 6 or not kecamatan.isdigit():
        raise ValueError(f"kecamatan must be 6 digits, got {kecamatan!r}")
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1-9999, got {serial}")
    day = born.day + (40 if sex == "female" else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
