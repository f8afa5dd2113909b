"""The testers' notifications: every generated child name passes the intake's name rule."""

from __future__ import annotations

from domain.person_names import name_problem
from tools.notifications import spelled


def test_spelled_numbers_make_valid_distinct_names_never_a_title():
    names = [f"Bayi Bench {spelled(i)}" for i in range(30_000)]
    assert len(set(names)) == len(names)
    # "Bayi Bench Dr" (a title) was refused with 422 for about one birth in a hundred of the bench
    assert [n for n in names if name_problem(n)] == []
