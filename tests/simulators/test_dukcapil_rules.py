"""Dukcapil simulator: the pure rules (numbers, the 60-day limit, KIA validity, wording)."""

from __future__ import annotations

from datetime import date

import pytest

from simulators.dukcapil import rules


def test_akta_and_stillbirth_numbers():
    day = date(2025, 10, 16)
    assert rules.akta_number("3673", False, day, 1) == "3673-LU-16102025-0001"
    assert rules.akta_number("3604", True, day, 12) == "3604-LT-16102025-0012"
    assert rules.stillbirth_number("3672", day, 3) == "3672-LM-16102025-0003"


@pytest.mark.parametrize(("days", "late"), [(0, False), (60, False), (61, True), (400, True)])
def test_sixty_day_limit(days: int, late: bool):
    born = date(2025, 1, 31)
    assert rules.is_late(born, date.fromordinal(born.toordinal() + days)) is late


@pytest.mark.parametrize(("born", "today", "expected"), [
    (date(2025, 10, 16), date(2025, 10, 16), ("0-5", date(2030, 10, 16))),
    (date(2020, 10, 16), date(2025, 10, 15), ("0-5", date(2025, 10, 16))),
    (date(2020, 10, 16), date(2025, 10, 16), ("5-17", date(2037, 10, 15))),
    (date(2024, 2, 29), date(2024, 3, 1), ("0-5", date(2029, 3, 1))),
    (date(2012, 2, 29), date(2025, 1, 1), ("5-17", date(2029, 2, 28))),
])
def test_kia_card(born: date, today: date, expected: tuple[str, date]):
    assert rules.kia_card(born, today) == expected


def test_no_kia_from_seventeen():
    with pytest.raises(rules.Refusal) as exc:
        rules.kia_card(date(2008, 10, 16), date(2025, 10, 16))
    assert exc.value.kode == "BUKAN_ANAK"


def test_akta_text_by_wording():
    common = {"child": "Aisyah", "sex": "female", "born": date(2025, 10, 16),
              "place_code": "3673", "facility": "RSUD Banten", "order": 2, "multiplicity": 2,
              "mother": "Siti Aminah", "father": "Budi Santoso"}
    both = rules.akta_text(wording="kedua_orang_tua", **common)
    assert "dari ayah Budi Santoso dan ibu Siti Aminah" in both and "kembar 2 urutan ke-2" in both
    assert "Kota Serang" in both
    unrecorded = rules.akta_text(wording="perkawinan_belum_tercatat", **common)
    assert unrecorded.endswith(rules.UNMARRIED_PHRASE + ".")
    mother = rules.akta_text(wording="anak_seorang_ibu", **common | {"father": None})
    assert "anak seorang ibu bernama Siti Aminah" in mother and "Budi" not in mother
