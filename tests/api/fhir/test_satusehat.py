"""SATUSEHAT's administrativeCode extension: each level is a Kemendagri code within its parent's."""

from __future__ import annotations

import pytest

from api.fhir.codes import ADMINISTRATIVE_CODE
from api.fhir.outcome import Problems
from api.fhir.satusehat import administrative_codes

GOOD = {"province": "36", "city": "3673", "district": "367305", "village": "3673051005"}


def address(**levels: str) -> dict:
    return {"extension": [{"url": ADMINISTRATIVE_CODE, "extension": [
        {"url": level, "valueCode": code} for level, code in levels.items()]}]}


def check(**levels: str) -> tuple[dict | None, list[tuple[str, str]]]:
    problems = Problems()
    got = administrative_codes(address(**levels), "A", problems)
    return got, [(i.expression, i.diagnostics) for i in problems.issues]


def test_a_good_address_gives_every_level():
    assert check(**GOOD) == (GOOD, [])
    assert check(province="32", city="3201") == ({"province": "32", "city": "3201"}, [])  # Kab. Bogor


@pytest.mark.parametrize(("level", "code", "why"), [
    ("province", "99", "province code does not exist"),
    ("city", "3600", "city code cannot end in 00"),
    ("city", "3273", "city code does not lie within the province code given"),
    ("district", "36730", "district must be a Kemendagri code of 6 digits"),
    ("district", "367399", "district (kecamatan) code does not exist in this kab/kota"),
    ("village", "3673059999", "village (kelurahan/desa) code does not exist in this kecamatan"),
])
def test_each_wrong_level_is_named(level, code, why):
    position = list(GOOD).index(level)
    got, issues = check(**{**GOOD, level: code})
    assert got is None
    assert issues == [(f"A.extension[0].extension[{position}].valueCode", why)]


def test_province_and_city_are_required_and_the_extension_itself():
    assert check(district="367305")[1] == [("A.extension[0].extension", "administrativeCode needs `province` "
                                            "(valueCode, 2 digits)"),
                                           ("A.extension[0].extension", "administrativeCode needs `city` "
                                            "(valueCode, 4 digits)")]
    problems = Problems()
    assert administrative_codes({"city": "Kota Serang"}, "A", problems) is None
    assert [i.code for i in problems.issues] == ["required"]
