"""The login-storm bench phase, run tiny against the test stack: it reports both phases (the numbers
themselves are the bench's to print, never asserted)."""

from __future__ import annotations

import os

import pytest

from tools.bench.login_storm import p99, run_login_storm
from tools.bench.stack import Target

pytestmark = pytest.mark.integration


def test_p99_is_the_ninety_ninth_percentile():
    assert p99([]) is None
    assert p99([float(i) for i in range(1, 101)]) == 100.0
    assert p99([0.2, 0.1]) == 0.2


async def test_a_tiny_storm_reports_both_phases(stack):
    lines: list[str] = []
    target = Target(api=stack.api_url, dukcapil=stack.dukcapil_url, bpjs=stack.bpjs_url,
                    hospital_keys=[stack.hospital("RSUD-STORM")["X-API-Key"]], pids={"api": os.getpid()})
    out = await run_login_storm(target, logins=3, seconds=1.0, rate=2.0, say=lines.append)
    assert out["ok"], out
    assert [line.split(":")[0].strip() for line in lines] == [
        "login storm", "quiet", "storm", "with 3 parallel logins"]
    assert lines[1].endswith("; no logins") and "logins answered (401: " in lines[2]
    assert out["quiet"]["login_answers"] == {} and out["storm"]["login_answers"].get("401", 0) >= 3
    assert out["quiet"]["posted"] == out["storm"]["posted"] == 2
    assert out["storm"]["api_peak_rss_mib"] > 0
