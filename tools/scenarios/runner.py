"""Running one scenario against a target: draw families, post births, run the steps, judge the outcome."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

import httpx

from tools.scenarios import describe
from tools.scenarios.checks import Check, bundle_checks, issued_checks
from tools.scenarios.context import Context, PlaceholderError
from tools.scenarios.expect import BundleExpect
from tools.scenarios.families import SetupError, birth_body, draw, merge
from tools.scenarios.loader import LoadedScenario
from tools.scenarios.result import Line, Listener, ScenarioResult
from tools.scenarios.target import Target
from tools.scenarios.values import human

TERMINAL = ("completed", "closed_with_issues", "stillbirth_recorded", "closed_duplicate")
POLL_SECONDS = 0.15
# The read model may show a final status one write before the last timeline event: look again.
TERMINAL_GRACE_SECONDS = 1.0
COUNTERS_SETTLE = timedelta(seconds=10)


class Fail(Exception):
    """A step could not do what it says; the message is shown on its report line."""


class StepFailed(Exception):
    pass


def today_wib() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


class ScenarioRun:
    def __init__(self, loaded: LoadedScenario, target: Target, listener: Listener, used: set[str]) -> None:
        self.sc, self.t, self.listener, self.used = loaded.scenario, target, listener, used
        self.result = ScenarioResult(name=self.sc.name, path=loaded.path, description=self.sc.description,
                                     covers=self.sc.covers, stack=target.description)
        self.ctx = Context(today=today_wib())
        self.bodies: dict[str, dict] = {}
        self.bundle_ids: dict[str, str] = {}
        self.posted = {b: asyncio.Event() for b in self.sc.births}
        self.faulted: set[str] = set()
        self.t0 = time.monotonic()
        self.jumped0 = target.jumped

    # --- the run -------------------------------------------------------------------------------

    async def run(self) -> ScenarioResult:
        self.listener.started(self.sc.name, self.result.path, self.sc.description, self.t.description)
        self.t0 = time.monotonic()
        tasks: list[asyncio.Task] = []
        stopped: int | None = None
        try:
            before = await self.t.counters() if self.sc.issued else None
            await self._setup()
            tasks = [asyncio.create_task(self._scheduled(b)) for b, s in self.sc.births.items()
                     if s.when != "step"]
            for i, step in enumerate(self.sc.steps):
                try:
                    await self._step(step)
                except StepFailed:
                    stopped = i
                    break
            if stopped is None:
                await asyncio.gather(*tasks)
                for b, exp in self.sc.expect.items():
                    await self.expect(b, exp, self.sc.timeout)
                if self.sc.issued is not None and before is not None:
                    await self._issued(before)
        except SetupError as exc:
            self._error(f"setup: {exc}")
        except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the others
            self._error(f"{type(exc).__name__}: {exc}")
        finally:
            for task in tasks:
                task.cancel()
            await self._cleanup()
        if stopped is not None:
            self._not_run(stopped)
        self.result.seconds = self.elapsed()
        self.listener.finished(self.result)
        return self.result

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def emit(self, line: Line) -> None:
        line.day = (self.t.jumped - self.jumped0).total_seconds() / 86400
        self.result.lines.append(line)
        self.listener.line(line)

    def _error(self, message: str) -> None:
        self.result.error = message
        self.emit(Line("setup", "scenario error", ok=False, detail=message, at=self.elapsed()))

    def _not_run(self, stopped: int) -> None:
        why = f"not run: the scenario stopped at step {stopped + 1}"
        for step in self.sc.steps[stopped + 1:]:
            self.emit(Line("step", describe.step(step), ok=None, detail=why))
        for b in self.sc.expect:
            self.emit(Line("expect", f"{b} expected outcome", ok=None, detail=why))
        if self.sc.issued is not None:
            self.emit(Line("expect", "issued documents", ok=None, detail=why))

    async def _setup(self) -> None:
        for alias, spec in self.sc.families.items():
            fam = await draw(self.t.http, self.t.dukcapil_url, spec, used=self.used,
                             seed_text=f"{self.sc.seed}/{self.sc.name}/{alias}", auth=self.t.dukcapil_auth)
            self.ctx.add_family(alias, fam)
            self.emit(Line("setup", f"family {alias}", seen=describe.family(fam), at=self.elapsed()))
        for b, spec in self.sc.births.items():
            fams = self.ctx.families
            body = birth_body(spec, fams[spec.family], other=fams.get(spec.kk_of or ""), today=self.ctx.today,
                              scenario=self.sc.name, alias=b)
            if spec.override:
                body = merge(body, self.ctx.render_data(spec.override))
            self.bodies[b] = body
            self.ctx.add_birth(b, body, spec.family)

    async def _cleanup(self) -> None:
        """Say what the fault rules did (used-up rules are gone), then remove them."""
        for system in sorted(self.faulted):
            try:
                r = await self.t.admin("GET", system, "faults")
                rules = r.json() if r.status_code == 200 else []
                self.emit(Line("setup", f"faults left on {system}", seen=describe.fault_book(rules),
                               at=self.elapsed()))
                await self.t.admin("DELETE", system, "faults")
            except httpx.HTTPError:
                pass  # the next scenario's own rules are what matters; a dead simulator says so itself

    # --- births --------------------------------------------------------------------------------

    async def _scheduled(self, b: str) -> None:
        when = self.sc.births[b].when
        if isinstance(when, timedelta):
            await asyncio.sleep(when.total_seconds())
        try:
            self.emit(await self.first_post(b))
        except Exception as exc:  # noqa: BLE001 - reported on the birth's line
            self.emit(Line("post", f"post {b}", ok=False, detail=f"{type(exc).__name__}: {exc}",
                           at=self.elapsed()))
        finally:
            self.posted[b].set()

    async def first_post(self, b: str, expect_status: int | None = None) -> Line:
        spec, body = self.sc.births[b], self.bodies[b]
        want = expect_status or spec.expect_status
        r = await self.post(body, spec.hospital)
        if r.status_code == 202:
            self.bundle_ids[b] = r.json()["bundle_id"]
            self.ctx.births[b]["bundle_id"] = self.bundle_ids[b]
        kids = len(body.get("children", []))
        ok, expected = r.status_code == want, str(want)
        if spec.expect_error_at:
            expected += f" at {spec.expect_error_at}"
            ok &= spec.expect_error_at in describe.error_paths(r)
        return Line("post", f"post {b} ({kids} child{'ren' if kids != 1 else ''}, born {body['birth_date']})",
                    ok=ok, expected=expected, seen=describe.answer(r), at=self.elapsed())

    async def post(self, body: dict, hospital: str) -> httpx.Response:
        return await self.t.http.post(f"{self.t.api_url}/v1/births", json=body,
                                      headers=await self.t.hospital(hospital))

    async def bundle_id(self, b: str) -> str:
        if not self.posted[b].is_set():
            if self.sc.births[b].when == "step":
                raise Fail(f"{b} is not posted yet: its post step comes later")
            try:
                await asyncio.wait_for(self.posted[b].wait(), self.sc.timeout.total_seconds())
            except TimeoutError:
                raise Fail(f"{b} was not posted within {human(self.sc.timeout)}") from None
        if b not in self.bundle_ids:
            raise Fail(f"{b} has no bundle (see its post line)")
        return self.bundle_ids[b]

    async def bundle(self, b: str) -> dict:
        r = await self.t.http.get(f"{self.t.api_url}/v1/births/{await self.bundle_id(b)}",
                                  headers=await self.t.hospital(self.sc.births[b].hospital))
        if r.status_code != 200:
            raise Fail(f"GET bundle {b} answered {r.status_code}")
        return r.json()

    # --- steps and expectations ----------------------------------------------------------------

    async def _step(self, step) -> None:
        from tools.scenarios.stepper import run_step

        try:
            line = await run_step(self, step)
        except (TimeoutError, Fail, PlaceholderError) as exc:
            line = Line("step", describe.step(step), ok=False, detail=str(exc) or type(exc).__name__)
        except httpx.HTTPError as exc:
            line = Line("step", describe.step(step), ok=False,
                        detail=f"HTTP error: {type(exc).__name__}: {exc}")
        if line is None:
            return  # a check step reports its own lines and never stops the scenario
        line.at = line.at if line.at is not None else self.elapsed()
        self.emit(line)
        if line.ok is False:
            raise StepFailed

    async def poll(self, b: str, exp: BundleExpect, timeout: timedelta
                   ) -> tuple[bool, list[Check], dict[str, float | None], str]:
        """Look at the bundle until `exp` holds, it ended otherwise, or time runs out."""
        await self.bundle_id(b)
        deadline = time.monotonic() + timeout.total_seconds()
        since: dict[str, float | None] = {}
        checks: list[Check] = []
        ended: float | None = None
        while True:
            bundle = await self.bundle(b)
            kk = await self._kk(b) if exp.needs_kk_detail() else None
            checks = bundle_checks(exp, bundle, ctx=self.ctx, birth=b, kk=kk)
            now = self.elapsed()
            for c in checks:
                since[c.label] = (since.get(c.label) or now) if c.ok else None
            if all(c.ok for c in checks):
                return True, checks, since, ""
            if bundle["status"] in TERMINAL:
                ended = ended or time.monotonic()
                if time.monotonic() - ended > TERMINAL_GRACE_SECONDS:
                    return False, checks, since, f"{b} ended {bundle['status']}"
            if time.monotonic() > deadline:
                return False, checks, since, f"timed out after {human(timeout)}"
            await asyncio.sleep(POLL_SECONDS)

    async def _kk(self, b: str) -> dict:
        r = await self.t.http.post(f"{self.t.dukcapil_url}/v1/kk/detail",
                                   json={"no_kk": self.ctx.births[b]["kk_number"]}, auth=self.t.dukcapil_auth)
        return r.json() if r.status_code == 200 else {}

    async def expect(self, b: str, exp: BundleExpect, timeout: timedelta) -> None:
        """One line per expectation of bundle `b` (waiting up to `timeout` for all to hold)."""
        try:
            _, checks, since, why = await self.poll(b, exp, timeout)
        except Fail as exc:
            self.emit(Line("expect", f"{b} expected outcome", ok=False, detail=str(exc)))
            return
        judged = self.elapsed()
        for c in checks:  # a held expectation shows when it came to hold; a failed one, when judged
            self.emit(Line("expect", c.label, ok=c.ok, expected=c.expected, seen=c.seen,
                           at=since.get(c.label) if c.ok else judged, detail="" if c.ok else why))

    async def _issued(self, before: dict[str, dict]) -> None:
        assert self.sc.issued is not None
        deadline = time.monotonic() + COUNTERS_SETTLE.total_seconds()
        while True:
            checks = issued_checks(self.sc.issued, before, await self.t.counters())
            if all(c.ok for c in checks) or time.monotonic() > deadline:
                break
            await asyncio.sleep(POLL_SECONDS)
        for c in checks:
            self.emit(Line("expect", c.label, ok=c.ok, expected=c.expected, seen=c.seen, at=self.elapsed()))
