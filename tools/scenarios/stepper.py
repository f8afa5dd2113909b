"""What each step does; each returns its report line (a `check` step emits its own lines)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from domain.contracts import (
    BundleStatus,
    CloseBundleInput,
    CorrectParentsInput,
    FollowUpKind,
    KadisDecisionInput,
    RetryServiceInput,
)
from domain.contracts.followups import RetryFollowUpInput
from domain.contracts.inputs import DuplicateDecisionInput
from tools.scenarios import describe
from tools.scenarios.expect import BundleExpect
from tools.scenarios.families import merge
from tools.scenarios.result import Line
from tools.scenarios.runner import TERMINAL, Fail
from tools.scenarios.steps import (
    CheckStep,
    CloseStep,
    CorrectionStep,
    DeathStep,
    DecisionStep,
    DuplicateStep,
    FaultStep,
    JumpStep,
    NameStep,
    ParentsStep,
    PayStep,
    PostStep,
    ResetFaultsStep,
    RetryFollowUpStep,
    RetryStep,
    SleepStep,
    WaitStep,
)

if TYPE_CHECKING:
    from tools.scenarios.runner import ScenarioRun

ENDED = BundleExpect(status=[BundleStatus(s) for s in TERMINAL])


async def run_step(run: ScenarioRun, step: Any) -> Line | None:
    handler = _HANDLERS[type(step)]
    return await handler(run, step)


async def _wait(run: ScenarioRun, s: WaitStep) -> Line:
    ok, checks, since, why = await run.poll(s.wait, s.until or ENDED, s.timeout or run.sc.timeout)
    conds = ", ".join(f"{c.label.removeprefix(s.wait + ' ')} {c.expected}" for c in checks)
    label = s.label or (f"wait {s.wait} until it ends" if s.until is None else f"wait {s.wait} until {conds}")
    if ok:
        return Line("step", label, at=max((t for t in since.values() if t is not None), default=None))
    seen = "; ".join(f"{c.label.removeprefix(s.wait + ' ')} {c.seen}" for c in checks if not c.ok)
    return Line("step", label, ok=False, seen=seen, detail=why)


async def _check(run: ScenarioRun, s: CheckStep) -> None:
    for b, exp in s.check.items():
        await run.expect(b, exp, s.timeout or run.sc.timeout)


async def _post(run: ScenarioRun, s: PostStep) -> Line:
    b, spec = s.post, run.sc.births[s.post]
    change = run.ctx.render_data(s.change)
    if spec.when == "step" and not run.posted[b].is_set():
        run.bodies[b] = merge(run.bodies[b], change)
        run.ctx.add_birth(b, run.bodies[b], spec.family)
        try:
            line = await run.first_post(b, s.expect_status)
        finally:
            run.posted[b].set()
        line.label = s.label or line.label
        return line
    await run.bundle_id(b)
    body = merge(run.bodies[b], change)
    want = s.expect_status or (409 if change else 202)
    answers = await asyncio.gather(*(run.post(body, spec.hospital) for _ in range(s.times)))
    codes = Counter(r.status_code for r in answers)
    seen = [", ".join(f"{c}" + (f" x{n}" if s.times > 1 else "") for c, n in sorted(codes.items()))]
    expected = [f"{want}" + (f" x{s.times}" if s.times > 1 else "")]
    ok = set(codes) == {want}
    accepted = [r.json() for r in answers if r.status_code == 202]
    if want == 202 and not change:
        same = {a["bundle_id"] for a in accepted} == {run.bundle_ids[b]}
        expected.append("same bundle")
        seen.append("same bundle" if same else "another bundle")
        ok &= same
    duplicate = s.expect_duplicate if s.expect_duplicate is not None else (want == 202 and not change)
    if want == 202 and accepted:
        flags = {bool(a.get("duplicate")) for a in accepted}
        expected.append("duplicate" if duplicate else "new")
        seen.append("/".join(sorted("duplicate" if f else "new" for f in flags)))
        ok &= flags == {duplicate}
    if not ok and codes.keys() - {202}:
        seen.append(describe.answer(next(r for r in answers if r.status_code != 202)))
    return Line("step", describe.step(s), ok=ok, expected=", ".join(expected), seen=", ".join(seen))


async def _name(run: ScenarioRun, s: NameStep) -> Line:
    bid = await run.bundle_id(s.provide_name)
    hospital = run.sc.births[s.provide_name].hospital
    r = await run.t.http.post(f"{run.t.api_url}/v1/births/{bid}/children/{s.child}/name",
                              json={"name": s.name}, headers=await run.t.hospital(hospital))
    return Line("step", describe.step(s), ok=r.status_code == s.expect_status, expected=str(s.expect_status),
                seen=describe.answer(r) if r.status_code != 200 else "200")


async def _death(run: ScenarioRun, s: DeathStep) -> Line:
    bid = await run.bundle_id(s.report_death)
    bundle = await run.bundle(s.report_death)
    died = date.fromisoformat(bundle["birth_date"]) + timedelta(days=s.days_after_birth)
    r = await run.t.http.post(f"{run.t.api_url}/v1/births/{bid}/children/{s.child}/death",
                              json={"date_of_death": died.isoformat(), "place_of_death": s.place},
                              headers=await run.t.hospital(run.sc.births[s.report_death].hospital))
    label = s.label or f"report_death {s.report_death} child {s.child} on {died}"
    return Line("step", label, ok=r.status_code == s.expect_status, expected=str(s.expect_status),
                seen=describe.answer(r) if r.status_code != 202 else "202")


async def _correct(run: ScenarioRun, s: CorrectionStep) -> Line:
    bid = await run.bundle_id(s.correct)
    headers = await run.t.hospital(run.sc.births[s.correct].hospital)
    url = f"{run.t.api_url}/v1/births/{bid}/children/{s.child}/correction"
    answers = await asyncio.gather(*(run.t.http.post(url, json={"child_name": name, "reason": s.reason},
                                                     headers=headers) for name in [s.name, *s.at_once]))
    label = s.label or f"correct {s.correct} child {s.child}: name {s.name!r}" + (
        f" and at once {', '.join(map(repr, s.at_once))}" if s.at_once else "")
    if s.at_once:
        want = sorted(s.expect_statuses or [202] + [409] * len(s.at_once))
        seen = sorted(r.status_code for r in answers)
        return Line("step", label, ok=seen == want, expected=str(want), seen=str(seen))
    r = answers[0]
    return Line("step", label, ok=r.status_code == s.expect_status, expected=str(s.expect_status),
                seen=describe.answer(r) if r.status_code != 202 else "202")


async def _retry_follow_up(run: ScenarioRun, s: RetryFollowUpStep) -> Line:
    """As the operator route does: the follow-up's `retry` update, judged by its validator."""
    from api import followups

    bid = await run.bundle_id(s.retry_follow_up)
    arg = RetryFollowUpInput(reason=s.reason, actor="scenario")
    try:
        res = await followups.retry(await run.t.client(), bid, FollowUpKind(s.follow_up), s.child, arg)
        seen, was_refused = f"accepted: {res.message}", False
    except followups.RetryRefused as exc:
        seen, was_refused = f"refused: {exc}", True
    return Line("step", describe.step(s), ok=was_refused == s.expect_refused,
                expected="refused" if s.expect_refused else "accepted", seen=seen)


async def _pay(run: ScenarioRun, s: PayStep) -> Line:
    bundle = await run.bundle(s.pay)
    child = next((c for c in bundle["children"] if c["birth_order"] == s.child), None)
    if child is None or "bpjs" not in child["services"]:
        raise Fail(f"{s.pay} has no child {s.child} with a BPJS service")
    bpjs = child["services"]["bpjs"]
    va = bpjs["facts"].get("virtual_account")
    if not va:
        raise Fail(f"no virtual account yet (BPJS is {bpjs['status']}): wait for awaiting_payment first")
    amount = s.amount or int(bpjs["facts"].get("tagihan") or 0)
    r = await run.t.http.post(f"{run.t.bpjs_url}/bank/pembayaran",
                              json={"virtualAccount": va, "jumlah": amount})
    label = s.label or f"pay {s.pay} child {s.child}: Rp {amount:,} into VA {va}"
    return Line("step", label, ok=r.status_code == s.expect_status, expected=str(s.expect_status),
                seen=describe.answer(r) if r.status_code != 200 else "200")


async def _update(run: ScenarioRun, s: Any, b: str, update: str, arg: BaseModel, refused: bool) -> Line:
    from api import actions

    bid = await run.bundle_id(b)
    for _ in range(50):  # the API starts an accepted birth's workflow just after the 202
        try:
            res = await actions.send_update(await run.t.client(), bid, update, arg)
            seen, was_refused = f"accepted: {res.message}", False
            break
        except actions.ActionRefused as exc:
            seen, was_refused = f"refused: {exc}", True
            break
        except actions.BundleNotFound:
            await asyncio.sleep(0.2)
    else:
        raise Fail(f"Temporal does not know bundle {b}: is --temporal the stack's server?")
    return Line("step", describe.step(s), ok=was_refused == refused,
                expected="refused" if refused else "accepted", seen=seen)


async def _decision(run: ScenarioRun, s: DecisionStep) -> Line:
    return await _update(run, s, s.kadis_decision, "record_kadis_decision",
                         KadisDecisionInput(decision_number=s.number, actor="scenario"), s.expect_refused)


async def _retry(run: ScenarioRun, s: RetryStep) -> Line:
    return await _update(run, s, s.retry, "retry_service",
                         RetryServiceInput(service=s.service, birth_order=s.child), s.expect_refused)


async def _close(run: ScenarioRun, s: CloseStep) -> Line:
    return await _update(run, s, s.close, "close_bundle", CloseBundleInput(reason=s.reason, actor="scenario"),
                         s.expect_refused)


async def _duplicate(run: ScenarioRun, s: DuplicateStep) -> Line:
    arg = DuplicateDecisionInput(duplicate=s.duplicate, reason=s.reason, actor="scenario")
    return await _update(run, s, s.decide_duplicate, "decide_duplicate", arg, s.expect_refused)


async def _parents(run: ScenarioRun, s: ParentsStep) -> Line:
    arg = CorrectParentsInput(kk_number=run.ctx.families[s.kk_of]["no_kk"], reason=s.reason, actor="scenario")
    return await _update(run, s, s.correct_kk, "correct_parents", arg, s.expect_refused)


async def _fault(run: ScenarioRun, s: FaultStep) -> Line:
    rule = run.ctx.render_data(s.rule)
    run.faulted.add(s.fault)
    r = await run.t.admin("POST", s.fault, "faults", rule)
    seen = f"201 rule {r.json().get('id')}" if r.status_code == 201 else describe.answer(r)
    return Line("step", describe.step(s), ok=r.status_code == 201, expected="201", seen=seen)


async def _reset(run: ScenarioRun, s: ResetFaultsStep) -> Line:
    systems = run.t.simulators if s.reset_faults == "all" else [s.reset_faults]
    codes = [(await run.t.admin("DELETE", system, "faults")).status_code for system in systems]
    return Line("step", describe.step(s), ok=set(codes) == {204}, expected="204",
                seen=", ".join(map(str, codes)))


async def _jump(run: ScenarioRun, s: JumpStep) -> Line:
    if not run.t.can_jump:
        raise Fail("time jumps need the time-skipping stack the runner starts itself (run without --api)")
    now = await run.t.jump(s.jump)
    return Line("step", describe.step(s), seen=f"simulated now {now:%Y-%m-%d %H:%M} UTC")


async def _sleep(run: ScenarioRun, s: SleepStep) -> Line:
    await asyncio.sleep(s.sleep.total_seconds())
    return Line("step", describe.step(s))


_HANDLERS: dict[type, Any] = {
    WaitStep: _wait, CheckStep: _check, PostStep: _post, NameStep: _name, PayStep: _pay,
    DecisionStep: _decision, RetryStep: _retry, CloseStep: _close, DeathStep: _death,
    DuplicateStep: _duplicate, ParentsStep: _parents,
    CorrectionStep: _correct, RetryFollowUpStep: _retry_follow_up, FaultStep: _fault,
    ResetFaultsStep: _reset, JumpStep: _jump, SleepStep: _sleep,
}
