"""The fault book: rules testers set per endpoint, and reproducible decisions for each call.

Every random decision is a pure function of (seed, endpoint, idempotency key, attempt, rule id):
concurrent calls for other keys cannot change what happens to a key, and a run repeated from a
reset gets the same decisions. Only `remaining` counts are shared, so they follow arrival order.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from simulators.common.fault_rules import (
    Call,
    Fault,
    FaultView,
    FixedLatency,
    Rejection,
    Timeout,
    UniformLatency,
)

__all__ = ["Call", "Decision", "Fault", "FaultBook", "FaultView", "draw", "key_hash"]

log = logging.getLogger("simulators.faults")
_MAX_KEYS = 200_000  # attempt counters kept; the oldest keys are forgotten first

Draw = Callable[[str], float]


def key_hash(key: str) -> str:
    """What logs and counters hold instead of a key (keys may embed a NIK)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def draw(seed: int, endpoint: str, key_digest: str, attempt: int, salt: str) -> float:
    """A uniform float in [0, 1) fixed by its inputs."""
    text = "\x1f".join((str(seed), endpoint, key_digest, str(attempt), salt))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64


@dataclass(frozen=True)
class Decision:
    """What to do with one call: wait `latency_s`, then the outcome of the first rule to decide."""

    endpoint: str
    key_hash: str
    attempt: int
    latency_s: float = 0.0
    outcome: str | None = None  # error | outage | timeout | reject; None: answer normally
    status_code: int | None = None
    rule_id: str | None = None
    timeout: Timeout | None = None
    rejection: Rejection | None = None


def _latency_ms(rule: Fault, u: Draw) -> float:
    lat = rule.latency
    if lat is None:
        return 0.0
    if isinstance(lat, FixedLatency):
        return lat.ms
    if isinstance(lat, UniformLatency):
        return lat.min_ms + (lat.max_ms - lat.min_ms) * u("latency")
    # Box-Muller from two independent draws; 1 - u keeps the logarithm finite.
    z = math.sqrt(-2 * math.log(1 - u("latency"))) * math.cos(2 * math.pi * u("latency2"))
    return max(0.0, lat.mean_ms + lat.stddev_ms * z)


def evaluate(rule: Fault, call: Call, u: Draw, now: datetime) -> tuple[str | None, float] | None:
    """(terminal outcome or None, added ms), or None when the rule does not touch this call."""
    if rule.outage is not None:
        if not rule.outage.open_at(now):
            return None  # a rule with an outage is in force only inside its window
        return "outage", _latency_ms(rule, u)
    if rule.reject is not None:
        if not rule.reject.matches(call.identifiers):
            return None
        return "reject", _latency_ms(rule, u)
    ms = _latency_ms(rule, u)
    if rule.timeout is not None and u("timeout") < rule.timeout.rate:
        return "timeout", ms
    if rule.error_rate is not None and u("error") < rule.error_rate:
        return "error", ms
    return (None, ms) if ms > 0 else None


class FaultBook:
    """The rules in force, their counters, and per-(endpoint, key) attempt numbers."""

    def __init__(self) -> None:
        self._rules: list[FaultView] = []
        self._attempts: dict[tuple[str, str], int] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, fault: Fault, *, now: datetime | None = None) -> FaultView:
        """Add a rule (relative outages start at `now`); ValueError when its id is taken."""
        with self._lock:
            return self._add(fault, now or datetime.now(UTC))

    def replace(self, faults: list[Fault], *, now: datetime | None = None) -> list[FaultView]:
        """Replace every rule at once (attempt numbers are kept)."""
        ids = [f.id for f in faults if f.id]
        if len(ids) != len(set(ids)):
            raise ValueError("fault ids must be unique")
        with self._lock:
            self._rules.clear()
            return [self._add(f, now or datetime.now(UTC), reserved=set(ids)) for f in faults]

    def _add(self, fault: Fault, now: datetime, reserved: set[str] | None = None) -> FaultView:
        rule_id, taken = fault.id, reserved or set()
        if rule_id is None:
            while self._find(f"fault-{self._next_id}") is not None or f"fault-{self._next_id}" in taken:
                self._next_id += 1
            rule_id, self._next_id = f"fault-{self._next_id}", self._next_id + 1
        elif self._find(rule_id) is not None:
            raise ValueError(f"fault id {rule_id!r} is already in use")
        outage = fault.outage.anchored(now) if fault.outage else None
        view = FaultView(**fault.model_dump(exclude={"id", "outage"}), id=rule_id, outage=outage)
        self._rules.append(view)
        log.info("fault rule added id=%s endpoint=%s", rule_id, view.endpoint)
        return view.model_copy(deep=True)

    def _find(self, rule_id: str) -> FaultView | None:
        return next((r for r in self._rules if r.id == rule_id), None)

    def remove(self, rule_ids: list[str]) -> None:
        """Remove rules by id, all or none: KeyError names the first unknown id."""
        with self._lock:
            for rule_id in rule_ids:
                if self._find(rule_id) is None:
                    raise KeyError(rule_id)
            self._rules = [r for r in self._rules if r.id not in rule_ids]
        log.info("fault rules removed ids=%s", ",".join(rule_ids))

    def reset(self) -> None:
        """Forget every rule, counter and attempt number (a repeated run decides the same again)."""
        with self._lock:
            self._rules.clear()
            self._attempts.clear()
            self._next_id = 1
        log.info("fault rules reset")

    def list(self) -> list[FaultView]:
        with self._lock:
            return [r.model_copy(deep=True) for r in self._rules]

    def decide(self, call: Call, *, seed: int, now: datetime) -> Decision:
        """Count this attempt and decide its fate; rules are consulted in the order they were added."""
        digest = key_hash(call.key)
        with self._lock:
            slot = (call.endpoint, digest)
            attempt = self._attempts.pop(slot, 0)
            self._attempts[slot] = attempt + 1
            if len(self._attempts) > _MAX_KEYS:
                del self._attempts[next(iter(self._attempts))]
            latency_ms, decided = 0.0, None
            for rule in list(self._rules):
                if rule.endpoint not in (call.endpoint, "*"):
                    continue
                rule.seen += 1

                def u(salt: str, rule_id: str = rule.id) -> float:
                    return draw(seed, call.endpoint, digest, attempt, f"{rule_id}/{salt}")

                result = evaluate(rule, call, u, now)
                if result is None:
                    continue
                outcome, ms = result
                self._hit(rule, outcome or "latency")
                latency_ms += ms
                if outcome is not None:
                    decided = (rule, outcome)
                    break
        decision = _decision(call.endpoint, digest, attempt, latency_ms / 1000, decided)
        if decision.outcome or decision.latency_s:
            log.info("fault decision endpoint=%s key=%s attempt=%d rule=%s outcome=%s latency_ms=%.0f",
                     call.endpoint, digest, attempt, decision.rule_id, decision.outcome or "latency",
                     latency_ms)
        return decision

    def _hit(self, rule: FaultView, outcome: str) -> None:
        rule.hits += 1
        rule.outcomes[outcome] = rule.outcomes.get(outcome, 0) + 1
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining == 0:
                self._rules.remove(rule)

    def take(self, endpoint: str) -> int | None:
        """The original interface: the status to fail a key-less call with, if any."""
        d = self.decide(Call(endpoint=endpoint), seed=0, now=datetime.now(UTC))
        return d.status_code if d.outcome in ("error", "outage", "timeout") else None


def _decision(endpoint: str, digest: str, attempt: int, latency_s: float,
              decided: tuple[FaultView, str] | None) -> Decision:
    if decided is None:
        return Decision(endpoint, digest, attempt, latency_s)
    rule, outcome = decided
    status = {"outage": rule.outage.status_code if rule.outage else None,
              "reject": rule.reject.status_code if rule.reject else None,
              "timeout": rule.timeout.status_code if rule.timeout else None,
              "error": rule.status_code}[outcome]
    return Decision(endpoint, digest, attempt, latency_s, outcome, status, rule.id,
                    rule.timeout if outcome == "timeout" else None,
                    rule.reject if outcome == "reject" else None)
