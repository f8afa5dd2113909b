"""`kelahiran bench --login-storm N`: the intake's p99 and the API's memory, quiet and under N
parallel logins (issue 19, finding 3: 80 parallel logins for unknown users took the API from 195 MiB
to 2.45 GiB and hospitals' POSTs to 3.1 s before logins were throttled and their hashing bounded).

Two phases of the same length and birth rate: quiet, then with N login loops running, each as its own
address (X-Forwarded-For, believed from loopback by default: KELAHIRAN_FORWARDED_ALLOW_IPS), so the
per-address limit does not simply turn them all away and the hashing bound is what is measured.
Printed, not asserted: speed depends on the machine (tests assert the mechanisms instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta

import httpx
import psutil

from tools.bench.births import draw_families
from tools.bench.hospitals import issue_bench_keys
from tools.bench.stack import Target
from tools.notifications import child, notification_from_sample, spelled


class PeakRss:
    """The highest RSS of a process and its children, sampled every 0.2 s in a thread."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(self.pid)
            rss = sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
            self.peak = max(self.peak, rss)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> PeakRss:
        if self.pid:
            self._sample()
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def p99(values: list[float]) -> float | None:
    return percentile(values, 0.99)


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 1) if seconds is not None else None


async def _births(http: httpx.AsyncClient, api: str, keys: list[str], families: list[dict], *,
                  rate: float, seconds: float, counter: itertools.count) -> tuple[list[float], int]:
    """POST births at `rate`/s for `seconds`: each POST's time to its answer, and the failures."""
    times: list[float] = []
    failed = 0

    async def one(i: int) -> None:
        nonlocal failed
        body = notification_from_sample(families.pop(), birth_date=date.today() - timedelta(days=1),
                                        children=[child(1, name=f"Bayi Storm {spelled(i)}")])
        t0 = time.perf_counter()
        try:
            r = await http.post(f"{api}/v1/births", json=body, headers={"X-API-Key": keys[i % len(keys)]})
            ok = r.status_code == 202
        except httpx.HTTPError:
            ok = False
        if ok:
            times.append(time.perf_counter() - t0)
        failed += not ok

    tasks, start = [], time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        if not families:
            break
        tasks.append(asyncio.create_task(one(next(counter))))
    await asyncio.gather(*tasks)
    return times, failed


async def _storm(http: httpx.AsyncClient, api: str, logins: int, stop: asyncio.Event) -> dict[str, int]:
    """`logins` loops of wrong logins for unknown users, each loop from its own address: how many
    were answered with each status ("no answer": the request failed)."""
    answers: dict[str, int] = {}

    async def loop(i: int) -> None:
        address = f"198.18.{i // 250}.{i % 250 + 1}"  # RFC 2544 benchmarking addresses
        while not stop.is_set():
            try:
                r = await http.post(f"{api}/v1/auth/login", headers={"X-Forwarded-For": address},
                                    json={"username": f"storm-{i}", "password": "not the password"})
                answer = str(r.status_code)
            except httpx.HTTPError:
                answer = "no answer"
                await asyncio.sleep(0.1)  # a refused connection must not spin the loop
            answers[answer] = answers.get(answer, 0) + 1

    await asyncio.gather(*(loop(i) for i in range(logins)))
    return answers


async def run_login_storm(t: Target, *, logins: int, seconds: float, rate: float,
                          say: Callable[[str], None] = print) -> dict:
    api_pid = next((pid for name, pid in t.pids.items() if name.startswith("api")), None)
    limits = httpx.Limits(max_connections=logins + 50, max_keepalive_connections=logins + 50)
    say(f"login storm: births posted at {rate:g}/s for {seconds:g} s, first quiet, then with {logins} "
        "parallel login loops (unknown users, wrong passwords, each loop from its own address)")
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        keys = t.hospital_keys or await asyncio.to_thread(issue_bench_keys, t.database_url or "", 4)
        families = await draw_families(http, t.dukcapil, int(rate * seconds * 2) + 10)
        counter = itertools.count()
        out: dict = {"logins": logins, "seconds": seconds, "rate": rate}
        for phase in ("quiet", "storm"):
            stop = asyncio.Event()
            with PeakRss(api_pid) as rss:
                storm = asyncio.create_task(_storm(http, t.api, logins if phase == "storm" else 0, stop))
                times, failed = await _births(http, t.api, keys, families, rate=rate, seconds=seconds,
                                              counter=counter)
                stop.set()
                answers = await storm
            m = out[phase] = {"intake_p50_ms": _ms(percentile(times, 0.5)), "intake_p99_ms": _ms(p99(times)),
                              "posted": len(times), "failed": failed,
                              "api_peak_rss_mib": round(rss.peak / 2**20) if rss.peak else None,
                              "login_answers": answers}
            say(f"{phase:>5}: intake p50 {_shown(m['intake_p50_ms'])} ms, "
                f"p99 {_shown(m['intake_p99_ms'])} ms over {len(times)} accepted POSTs ({failed} failed); "
                f"API peak RSS {_shown(m['api_peak_rss_mib'])} MiB; {_logins(answers)}")
    calm, busy = out["quiet"], out["storm"]
    say(f"with {logins} parallel logins: intake p99 {_shown(calm['intake_p99_ms'])} -> "
        f"{_shown(busy['intake_p99_ms'])} ms, API peak RSS {_shown(calm['api_peak_rss_mib'])} -> "
        f"{_shown(busy['api_peak_rss_mib'])} MiB"
        + ("" if api_pid else " (the API's process is not known: no memory measured)"))
    out["ok"] = calm["failed"] == 0 and busy["failed"] == 0
    if not out["ok"]:
        say(f"FAILED: {calm['failed'] + busy['failed']} birth POST(s) were not accepted (202)")
    return out


def _shown(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _logins(answers: dict[str, int]) -> str:
    if not answers:
        return "no logins"
    return (f"{sum(answers.values())} logins answered ("
            + ", ".join(f"{status}: {n}" for status, n in sorted(answers.items())) + ")")
