"""The fault rule format testers post to `/admin/faults` (one rule per endpoint or '*')."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Status = Annotated[int, Field(ge=400, le=599)]
Rate = Annotated[float, Field(ge=0, le=1)]
Identifier = Annotated[str, Field(pattern=r"^\d{13,16}$")]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FixedLatency(_Spec):
    kind: Literal["fixed"] = "fixed"
    ms: float = Field(ge=0, le=600_000)


class UniformLatency(_Spec):
    kind: Literal["uniform"]
    min_ms: float = Field(ge=0, le=600_000)
    max_ms: float = Field(ge=0, le=600_000)

    @model_validator(mode="after")
    def _ordered(self) -> UniformLatency:
        if self.max_ms < self.min_ms:
            raise ValueError("max_ms must not be below min_ms")
        return self


class NormalLatency(_Spec):
    """Normally distributed, clipped at 0."""

    kind: Literal["normal"]
    mean_ms: float = Field(ge=0, le=600_000)
    stddev_ms: float = Field(ge=0, le=600_000)


def _number_is_fixed(value: object) -> object:
    return {"kind": "fixed", "ms": value} if isinstance(value, int | float) else value


Latency = Annotated[FixedLatency | UniformLatency | NormalLatency, Field(discriminator="kind"),
                    BeforeValidator(_number_is_fixed)]


class Timeout(_Spec):
    """Hold the call so the client times out, not knowing whether it took effect."""

    effect: Literal["applied", "not_applied"] = Field(
        description="applied: the action happens before the hold; not_applied: it never runs")
    hold_seconds: float = Field(default=0, ge=0, le=600)
    answer: Literal["error", "late"] = Field(
        default="error", description="after the hold: `status_code`, or the real answer (applied only)")
    status_code: Status = 504
    rate: Rate = 1.0

    @model_validator(mode="after")
    def _late_needs_effect(self) -> Timeout:
        if self.answer == "late" and self.effect == "not_applied":
            raise ValueError("answer 'late' needs effect 'applied': there is no answer otherwise")
        return self


class Outage(_Spec):
    """Every call fails with `status_code` between `start` and `end` (simulated clock, UTC)."""

    start: datetime | None = Field(default=None, description="default: when the rule is added")
    end: datetime | None = None
    for_seconds: float | None = Field(default=None, gt=0, description="relative: end = start + N s")
    status_code: Status = 503

    @model_validator(mode="after")
    def _bounded(self) -> Outage:
        if (self.end is None) == (self.for_seconds is None):
            raise ValueError("give exactly one of 'end' and 'for_seconds'")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                setattr(self, name, value.replace(tzinfo=UTC))  # naive instants are UTC
        if self.start and self.end and self.end <= self.start:
            raise ValueError("'end' must be after 'start'")
        return self

    def anchored(self, now: datetime) -> Outage:
        """Absolute instants, with a missing start or a relative length resolved against `now`."""
        start = self.start or now
        end = self.end or start + timedelta(seconds=self.for_seconds or 0)
        return Outage(start=start, end=end, status_code=self.status_code)

    def open_at(self, now: datetime) -> bool:
        return self.start is not None and self.end is not None and self.start <= now < self.end


class Rejection(_Spec):
    """A forced business refusal for the chosen families, NIKs or cards (none listed: every call)."""

    kode: str = Field(pattern=r"^[A-Z0-9_]{2,64}$", examples=["IBU_TIDAK_DI_KK", "PESERTA_TIDAK_AKTIF"])
    message: str | None = Field(default=None, max_length=200)
    status_code: Status = Field(default=422, description="Dukcapil's HTTP status; BPJS answers "
                                                         "metaData 201 as it does for every refusal")
    no_kk: list[Identifier] = Field(default_factory=list, description="KK numbers")
    nik: list[Identifier] = Field(default_factory=list, description="mother, father or child NIKs")
    no_kartu: list[Identifier] = Field(default_factory=list, description="BPJS card numbers")

    def matches(self, identifiers: frozenset[str]) -> bool:
        listed = {*self.no_kk, *self.nik, *self.no_kartu}
        return not listed or not listed.isdisjoint(identifiers)

    def text(self) -> str:
        return self.message or f"Ditolak (simulasi): {self.kode}"


class Fault(_Spec):
    """One rule. Only `endpoint` + `status_code` (+ `remaining`) means: every call fails."""

    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
                           description="default: fault-N; part of every random draw")
    label: str | None = Field(default=None, max_length=200)
    endpoint: str = Field(min_length=1, max_length=64,
                          description="Endpoint name as the simulator labels it, or '*' for all")
    status_code: Status = Field(default=503, description="status of the injected errors")
    error_rate: Rate | None = Field(default=None, description="share of calls answered `status_code`")
    latency: Latency | None = None
    timeout: Timeout | None = None
    outage: Outage | None = None
    reject: Rejection | None = None
    remaining: int | None = Field(default=None, ge=1,
                                  description="calls this rule may still affect; None: until removed")

    @model_validator(mode="after")
    def _plain_rule_always_fails(self) -> Fault:
        kinds = (self.error_rate, self.latency, self.timeout, self.outage, self.reject)
        if all(k is None for k in kinds):
            self.error_rate = 1.0  # the original API: {"endpoint", "status_code", "remaining"}
        return self


class FaultView(Fault):
    """A rule as listed: with its id and how often it was consulted and how often it acted."""

    id: str
    seen: int = 0
    hits: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict,
                                     description="hits by outcome: latency, error, timeout, ...")


class Call(BaseModel):
    """What a fault decision may look at: never stored or logged as such (it holds NIKs)."""

    endpoint: str
    key: str = ""
    identifiers: frozenset[str] = frozenset()
