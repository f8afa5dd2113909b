"""Expected outcomes: of a bundle, its children and every service, and of the simulators' counters.

Only the fields a scenario writes are checked; writing `null` checks absence (no reason, no number).
Strings may hold `${...}` placeholders (see `context.py`); `document_number`, `closed_reason` and
`{match: ...}` facts are regular expressions searched in the value (`^3673-LU-`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from domain.contracts import BundleStatus, ServiceStatus
from tools.scenarios.values import STRICT, Code

DeadlineState = Literal["ok", "approaching", "passed"]


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(re.sub(r"\$\{[^}]*\}", "x", value))
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
    return value


Pattern = Annotated[str, BeforeValidator(lambda v: _regex(v) if isinstance(v, str) else v)]


class FactMatch(BaseModel):
    model_config = STRICT
    match: Pattern


Fact = Annotated[Code | FactMatch | None, Field(union_mode="left_to_right")]


class ServiceExpect(BaseModel):
    """One service of one child (or routing / KK at bundle level)."""

    model_config = STRICT
    status: ServiceStatus | list[ServiceStatus] | None = None
    reason: str | None = None
    document_number: Pattern | None = None
    facts: dict[str, Fact] = Field(default_factory=dict,
                                   description="exact value, {match: regex}, or null for absent")
    deadline_state: DeadlineState | None = None
    deadline_days: int | None = Field(default=None, description="deadline = birth date + N days")
    min_attempts: int | None = Field(default=None, ge=1)

    def given(self) -> list[str]:
        return [f for f in type(self).model_fields if f in self.model_fields_set]


class NikExpect(ServiceExpect):
    encodes_child: bool | None = Field(
        default=None, description="the NIK encodes this child's date of birth and sex")


class KkExpect(ServiceExpect):
    lists_children: bool | None = Field(
        default=None, description="Dukcapil's KK lists every live-born child as ANAK with its akta")
    reissued: int | None = Field(default=None, ge=0, description="times the KK was reissued")


class ChildExpect(BaseModel):
    model_config = STRICT
    name_provided: bool | None = None
    nik: NikExpect | None = None
    akta: ServiceExpect | None = None
    kia: ServiceExpect | None = None
    bpjs: ServiceExpect | None = None
    surat_lahir_mati: ServiceExpect | None = None


class FollowUpExpect(BaseModel):
    """A follow-up after issue (death, correction), as the bundle's `follow_up_status` shows it."""

    model_config = STRICT
    status: Literal["in_progress", "needs_attention", "completed"] | None = None
    documents: dict[str, Pattern] = Field(default_factory=dict, description="regex per document")
    superseded_akta: bool | None = Field(
        default=None, description="correction: the old akta number is recorded and differs from the new")
    reason: str | None = Field(default=None, description="the reason code it waits on (needs_attention)")
    count: int | None = Field(default=None, ge=1, description="follow-ups of this kind (checks the latest)")
    akta_in_force: bool | None = Field(default=None, description=(
        "correction: the bundle's akta shows its new number, every earlier akta superseded in `documents`"))


class SubmittedExpect(BaseModel):
    """The family as the hospital sent it (`submitted`, which the sending hospital reads whole)."""

    model_config = STRICT
    mother_nik: Pattern | None = None
    father_nik: Pattern | None = None
    kk_number: Pattern | None = None
    reporter_phone: Pattern | None = None


class BundleExpect(BaseModel):
    """What one posted birth's bundle must look like (as `GET /v1/births/{id}` shows it)."""

    model_config = STRICT
    status: BundleStatus | list[BundleStatus] | None = None
    office_code: Code | None = None
    deadline_risk: bool | None = None
    closed_reason: Pattern | None = None
    routing: ServiceExpect | None = None
    kk: KkExpect | None = None
    children: dict[int, ChildExpect] = Field(default_factory=dict)
    timeline: list[str] = Field(default_factory=list, description="event kinds that must appear")
    timeline_without: list[str] = Field(default_factory=list, description="event kinds that must not")
    nik_serials_consecutive: bool | None = Field(
        default=None, description="live children's NIKs share a prefix, serials follow birth order")
    follow_ups: dict[Literal["death", "correction"], FollowUpExpect] = Field(default_factory=dict)
    submitted: SubmittedExpect | None = None

    @field_validator("children")
    @classmethod
    def _orders(cls, value: dict[int, ChildExpect]) -> dict[int, ChildExpect]:
        if any(not 1 <= k <= 9 for k in value):
            raise ValueError("children are keyed by birth order 1-9")
        return value

    def needs_kk_detail(self) -> bool:
        return self.kk is not None and (self.kk.lists_children is not None or self.kk.reissued is not None)


class DukcapilCounts(BaseModel):
    model_config = STRICT
    nik_bayi: int | None = None
    lahir_mati: int | None = None
    akta: int | None = None
    akta_terlambat: int | None = None
    kia: int | None = None
    kk_terbit_ulang: int | None = None


class BpjsCounts(BaseModel):
    model_config = STRICT
    newborn_total: int | None = None


class IssuedExpect(BaseModel):
    """How many documents the simulators issued during the scenario (nothing lost, nothing twice)."""

    model_config = STRICT
    dukcapil: DukcapilCounts | None = None
    bpjs: BpjsCounts | None = None

    def items(self) -> list[tuple[str, str, int]]:
        out: list[tuple[str, str, int]] = []
        for system in ("dukcapil", "bpjs"):
            counts: Any = getattr(self, system)
            if counts is not None:
                out += [(system, k, v) for k, v in counts.model_dump(exclude_none=True).items()]
        return out
