"""A child's name by Permendagri 73/2022, the "Bayi Ny." placeholder, and a birth time later today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.notification import BirthNotification, intake_problems, intake_warnings
from domain.person_names import (
    DEFAULT_TITLES,
    MAX_LENGTH,
    ChildName,
    is_placeholder,
    name_problem,
    name_warning,
    placeholder,
)
from tests.support import payloads

NAME = TypeAdapter(ChildName)


@pytest.mark.parametrize(("name", "rule"), [
    ("", "empty"), ("A" * 61, "at most 60"), ("Nur'aini", "no digits or punctuation"),
    ("Budi 2", "no digits"), ("Nur Ṣāliḥah", "U+1E62"), ("Bintang 🌟", "U+1F31F"),
    ("Ahmad-Budi", "'-'"), ("Siti  Aminah", "two spaces"), ("Haji Ahmad", "title 'Haji'"),
    ("Ahmad hj", "title 'hj'"), ("Prof Budi Santoso", "title 'Prof'"),
])
def test_a_name_breaking_the_rule_says_which_rule(name: str, rule: str):
    problem = name_problem(name)
    assert problem is not None and rule in problem and "Permendagri 73/2022" in problem


def test_valid_names_including_sixty_letters_and_titles_inside_words():
    for name in ("Siti Aminah", "A", "A" * MAX_LENGTH, "Hajar Irawan", "Drupadi Setiawati", "Stefani"):
        assert name_problem(name) is None, name
    assert NAME.validate_python("  Siti Aminah ") == "Siti Aminah"  # trimmed, then checked
    with pytest.raises(ValidationError, match="Permendagri"):
        NAME.validate_python("Siti Aminah, S.Pd")


def test_the_title_list_is_a_parameter():
    assert name_problem("Raden Ajeng Kartini") is None
    assert "title 'Raden'" in (name_problem("Raden Ajeng Kartini", titles=(*DEFAULT_TITLES, "Raden")) or "")


def test_one_placeholder_rule():
    assert placeholder("Ayu Maulana") == "Bayi Ny. Ayu Maulana"
    for text in ("Bayi Ny. Ayu", "By. Ny. Ayu", "by ny ayu", "BAYI NYONYA Ayu", " Bayi Ny Ayu"):
        assert is_placeholder(text), text
    for text in ("Bayu Nyoman", "Bayi", "Nyonya Ayu", None, ""):
        assert not is_placeholder(text), text


def test_one_word_is_a_warning_not_a_refusal():
    assert name_warning("Aisyah") and "two words" in (name_warning("Aisyah") or "")
    assert name_warning("Aisyah Putri") is None and name_warning(None) is None


def test_the_notification_applies_the_rule_to_children_only():
    body = payloads.manual(children=[payloads.child(1, name="Bayi Ny. Rina"), payloads.child(2, name="Budi")])
    body["mother"]["name"] = "Siti Ma'rufah"
    n = BirthNotification.model_validate(body)
    assert [c.name for c in n.children] == [None, "Budi"]  # the placeholder: not named yet
    assert intake_warnings(n) == [(("children", 1, "name"), name_warning("Budi"))]
    body["children"][1]["name"] = "Budi 2"
    with pytest.raises(ValidationError) as exc:
        BirthNotification.model_validate(body)
    assert [tuple(e["loc"]) for e in exc.value.errors()] == [("children", 1, "name")]


def _born_at(day: date, at: str) -> BirthNotification:
    body = payloads.manual(birth_date=day, birth_time=at)
    body["consent"]["given_at"] = f"{day.isoformat()}T00:00:00+07:00"
    return BirthNotification.model_validate(body)


def test_a_birth_time_later_today_wib_is_refused_with_five_minutes_tolerance():
    day = date(2026, 12, 7)
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 10:00 WIB
    assert intake_problems(_born_at(day, "10:05:00"), day, now) == []
    assert intake_problems(_born_at(day, "09:59:00"), day, now) == []
    late = intake_problems(_born_at(day, "10:05:01"), day, now)
    assert [loc for loc, _ in late] == [("birth_time",)] and "WIB" in late[0][1]
    # 23:30 yesterday is not later today, whatever the hour now.
    assert intake_problems(_born_at(date(2026, 12, 6), "23:30:00"), day, now) == []
    # 00:30 UTC is 07:30 WIB the same day: the WIB date decides which day "today" is.
    early = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    assert [loc for loc, _ in intake_problems(_born_at(day, "08:00:00"), day, early)] == [("birth_time",)]
    assert intake_problems(_born_at(day, "08:00:00"), day) == []  # without `now`, dates only


def test_the_title_list_is_configurable_and_restored():
    from domain.person_names import configure_titles, name_problem

    try:
        configure_titles(["Raden", "Hj"])
        assert "title 'Raden'" in name_problem("Raden Ayu Lestari")
        assert name_problem("Haji Ahmad Fauzi") is None  # not in the configured list
    finally:
        configure_titles(None)
    assert name_problem("Raden Ayu Lestari") is None and "title" in name_problem("Haji Ahmad Fauzi")


def test_the_setting_reads_a_comma_separated_list():
    from infra.settings import Settings

    assert Settings(child_name_titles=" Raden, Hj ,,").name_titles() == ["Raden", "Hj"]
    assert Settings().name_titles() is None
