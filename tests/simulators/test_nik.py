"""The simulator's NIK issuing (simulators/common/nik.py), and our parser checked against it."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

import pytest

from domain.nik import parse_nik
from simulators.common import regions
from simulators.common.nik import NikFields, make_nik, nik_prefix, read_nik


def test_domain_note_examples():
    # Girl born 16-10-2025, KK in Cipocok Jaya; twin girls in Kasemen; a boy shares no prefix with them.
    assert make_nik("367305", date(2025, 10, 16), "female", 1) == "3673055610250001"
    assert make_nik("367302", date(2025, 10, 16), "female", 1) == "3673025610250001"
    assert make_nik("367302", date(2025, 10, 16), "female", 2) == "3673025610250002"
    assert nik_prefix("367302", date(2025, 10, 16), "male") == "367302161025"
    assert make_nik("367302", date(2025, 10, 16), "male", 1) == "3673021610250001"


def test_women_add_40_to_the_day_and_years_keep_two_digits():
    assert nik_prefix("367301", date(1999, 12, 31), "female") == "367301711299"
    assert nik_prefix("367301", date(2001, 1, 1), "male") == "367301010101"
    assert nik_prefix("367301", date(2000, 2, 29), "female") == "367301690200"


@pytest.mark.parametrize("serial", [0, -1, 10000])
def test_serial_outside_0001_9999_is_never_issued(serial):
    with pytest.raises(ValueError, match="serial"):
        make_nik("367305", date(2025, 10, 16), "male", serial)


@pytest.mark.parametrize(("kecamatan", "sex"), [("36730", "male"), ("36730X", "male"), ("367305", "L")])
def test_malformed_inputs_are_refused(kecamatan, sex):
    with pytest.raises(ValueError):
        nik_prefix(kecamatan, date(2025, 10, 16), sex)


def test_read_nik_reads_back_what_was_issued():
    got = read_nik("3673055610250001", date(2026, 1, 1))
    assert (got.kecamatan, got.birth_date, got.sex, got.serial) == ("367305", date(2025, 10, 16), "female", 1)
    assert read_nik("3673051203950007", date(2026, 1, 1)).birth_date == date(1995, 3, 12)


@pytest.mark.parametrize("nik", [
    "36730556102500", "367305561025000X", "9973055610250001", "3673995610250001", "3600005610250001",
    "3673057210250001", "3673053102250001", "3673055610250000",
])
def test_read_nik_refuses_what_is_never_issued(nik):
    with pytest.raises(ValueError):
        read_nik(nik, date(2026, 1, 1))


def _cases() -> list[tuple[str, date, str]]:
    """Both sexes, every kecamatan we list (current and legacy) plus one we do not (Jakarta), dates over
    a century including month ends and 29 February."""
    rng = Random(15)
    kecamatan = [k for kab in ("3604", "3671", "3672", "3673", "3201") for k in regions.kecamatan_of(kab)]
    kecamatan += ["360401", "360402", "360410", "360421", "317101"]  # legacy Kab. Serang; DKI Jakarta
    edges = [date(1926, 1, 2), date(1999, 12, 31), date(2000, 2, 29), date(2024, 2, 29),
             date(2025, 1, 31), date(2025, 10, 16)]
    spread = [date(1926, 1, 1) + timedelta(days=rng.randrange(36500)) for _ in range(300)]
    sexes = ("male", "female")
    return ([(k, d, s) for k in kecamatan for d in edges for s in sexes]
            + [(rng.choice(kecamatan), d, rng.choice(sexes)) for d in spread])


@pytest.mark.parametrize("serial", [1, 2, 37, 9999])
def test_issued_niks_parse_back_with_our_parser(serial):
    """domain.nik must read every number the simulated Dukcapil issues as it was issued."""
    today = date(2025, 12, 31)
    for kecamatan, born, sex in _cases():
        nik = make_nik(kecamatan, born, sex, serial)
        parsed = parse_nik(nik, today=today)
        assert (parsed.kecamatan, parsed.birth_date, parsed.sex, parsed.serial) == (
            kecamatan, born, sex, serial), nik
        assert (parsed.province, parsed.kab_kota) == (kecamatan[:2], kecamatan[:4])
        # ...and so must the simulator's own reader (the BPJS simulator checks babies' NIKs with it).
        assert read_nik(nik, today) == NikFields(kecamatan, born, sex, serial), nik
