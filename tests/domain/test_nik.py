from datetime import date

import pytest

from domain.nik import NikError, parse_nik, validate_kk_number

# Issuing lives in the simulator (tests/simulators/test_nik.py, which also cross-checks this parser
# against the numbers it issues); these are the parsing rules.


def test_domain_note_examples():
    twin = parse_nik("3673025610250002", today=date(2026, 1, 1))
    assert (twin.kecamatan, twin.birth_date, twin.sex, twin.serial) == (
        "367302", date(2025, 10, 16), "female", 2)
    boy = parse_nik("3673021610250001", today=date(2026, 1, 1))
    assert (boy.birth_date, boy.sex, boy.serial) == (date(2025, 10, 16), "male", 1)


def test_parse_roundtrip_female_plus_40():
    p = parse_nik("3673055610250001", today=date(2026, 1, 1))
    assert (p.kecamatan, p.birth_date, p.sex, p.serial) == ("367305", date(2025, 10, 16), "female", 1)


def test_two_digit_year_uses_most_recent_past_century():
    assert parse_nik("3673051203950007", today=date(2026, 1, 1)).birth_date == date(1995, 3, 12)


def test_legacy_kab_serang_kecamatan_is_valid():
    assert parse_nik("3604104101900001").kab_kota == "3604"


@pytest.mark.parametrize(("nik", "fragment"), [
    ("36730556102500", "16 digits"),
    ("367305561025000X", "16 digits"),
    ("9973055610250001", "province"),
    ("3673995610250001", "kecamatan code does not exist"),
    ("3600005610250001", "cannot be 00"),
    ("3673057210250001", "valid date"),  # day 72 -> 32
    ("3673053102250001", "valid date"),  # 31 February
    ("3673055610250000", "0000"),
])
def test_invalid_niks_name_the_rule(nik, fragment):
    with pytest.raises(NikError, match=fragment):
        parse_nik(nik)


def test_unknown_region_outside_our_tables_only_checks_province():
    # A mother first registered in Jakarta: we do not carry DKI's kecamatan list.
    assert parse_nik("3171014302900005").province == "31"


def test_kk_number():
    assert validate_kk_number("3673051203150004") == "3673051203150004"
    with pytest.raises(NikError):
        validate_kk_number("0073051203150004")


@pytest.mark.parametrize(("check", "value"), [
    (parse_nik, "9973055610250001"), (parse_nik, "3673995610250001"),
    (validate_kk_number, "9973051203150004"),
])
def test_region_errors_do_not_echo_the_sent_digits(check, value):
    with pytest.raises(NikError) as refused:
        check(value)
    assert not any(ch.isdigit() for ch in str(refused.value))  # a 422 must never repeat what was sent
