"""The testers' notifications: generated names pass the name rule; a birth today is never later than now."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.notification import BirthNotification, intake_problems
from domain.person_names import name_problem
from simulators.common.nik import make_nik
from tools.notifications import birth_time_on, notification_from_sample, spelled


def test_spelled_numbers_make_valid_distinct_names_never_a_title():
    names = [f"Bayi Bench {spelled(i)}" for i in range(30_000)]
    assert len(set(names)) == len(names)
    # "Bayi Bench Dr" (a title) was refused with 422 for about one birth in a hundred of the bench
    assert [n for n in names if name_problem(n)] == []


@pytest.mark.parametrize("utc", ["2026-12-07T17:02:00", "2026-12-07T17:00:20", "2026-12-08T00:59:00",
                                 "2026-12-08T01:31:00", "2026-12-08T10:00:00", "2026-12-08T16:59:59"])
def test_a_birth_posted_today_is_never_later_than_now_in_wib(utc):
    # CI once ran just after midnight WIB and the scenarios' 08:30 births "today" met a 422
    now = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    today = (now + timedelta(hours=7)).date()
    body = notification_from_sample(_family(), birth_date=today, now=now)
    n = BirthNotification.model_validate(body)
    assert intake_problems(n, today, now=now) == []
    assert body["birth_time"] <= (now + timedelta(hours=7)).time().isoformat()


def test_a_birth_on_an_earlier_day_keeps_the_usual_time():
    now = datetime(2026, 12, 7, 17, 2, tzinfo=UTC)  # 00:02 WIB on the 8th
    assert birth_time_on(date(2026, 12, 7), now) == time(8, 30)
    assert birth_time_on(date(2026, 12, 8), now) == time(0, 1)


def _family() -> dict:
    nik = make_nik("367305", date(1995, 3, 12), "female", 101)
    return {"no_kk": "3673051203150004", "status_perkawinan": "BELUM_KAWIN",
            "ibu": {"nik": nik, "nama": "Rina Marlina"}, "ayah": None,
            "saksi": [{"nik": make_nik("367301", date(1980, 1, 2), "male", 11), "nama": "Dedi Kurnia"},
                      {"nik": make_nik("367302", date(1985, 5, 6), "female", 12), "nama": "Euis Komalasari"}]}
