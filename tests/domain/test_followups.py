"""The follow-ups' contracts: one workflow id per bundle, kind and child; the latest date of death."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from domain.contracts import FollowUpKind
from domain.contracts.followups import RetryFollowUpInput, follow_up_workflow_id, latest_date_of_death


def test_one_workflow_id_per_bundle_kind_and_child():
    ids = {follow_up_workflow_id(b, k, o) for b in ("b1", "b2") for k in FollowUpKind for o in (1, 2)}
    assert len(ids) == 8
    # The bundle's own death follow-up (workflows/deaths.py) uses the same id as the API's.
    assert follow_up_workflow_id("b1", FollowUpKind.DEATH, 2) == "b1-kematian-2"


@pytest.mark.parametrize(("now", "latest"), [
    (datetime(2026, 12, 7, 10, 0, tzinfo=UTC), date(2026, 12, 7)),    # 17:00 WIB
    (datetime(2026, 12, 7, 16, 54, tzinfo=UTC), date(2026, 12, 7)),   # 23:54 WIB
    (datetime(2026, 12, 7, 16, 55, tzinfo=UTC), date(2026, 12, 8)),   # 23:55 WIB: tomorrow within 5 min
    (datetime(2026, 12, 6, 17, 30, tzinfo=UTC), date(2026, 12, 7)),   # 00:30 WIB, still the 6th in UTC
])
def test_the_latest_date_of_death_is_today_in_wib_with_five_minutes_tolerance(now, latest):
    assert latest_date_of_death(now) == latest


def test_a_retry_says_why():
    with pytest.raises(ValidationError):
        RetryFollowUpInput(reason="")
    assert RetryFollowUpInput(reason="KK diperiksa").actor == "admin-cli"
