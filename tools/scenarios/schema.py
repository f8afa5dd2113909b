"""The scenario file: families to draw, births to post, steps, and the expected outcome of each bundle."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from tools.scenarios.expect import BundleExpect, IssuedExpect
from tools.scenarios.steps import CheckStep, JumpStep, Step
from tools.scenarios.values import STRICT, Alias, BirthDay, Code, Duration

Segment = Literal["PBI", "PPU", "PBPU", "NONE", "NONAKTIF"]
Marital = Literal["KAWIN_TERCATAT", "KAWIN_BELUM_TERCATAT", "TIDAK_KAWIN"]
_PLACEHOLDER_ROOT = re.compile(r"\$\{\s*([A-Za-z][A-Za-z0-9_-]*)")


class Traits(BaseModel):
    """Filters of the Dukcapil simulator's `GET /v1/sampel/keluarga`."""

    model_config = STRICT
    kab_kota: Code | None = Field(default=None, pattern=r"^\d{4}$")
    kecamatan: Code | None = Field(default=None, pattern=r"^\d{6}$")
    segmen: Segment | None = None
    marital: Marital | None = None
    legacy_nik: bool | None = None
    anak: int | None = Field(default=None, ge=0, le=20, description="children already on the KK")
    min_anak: int | None = Field(default=None, ge=0, le=20)


class FamilySpec(BaseModel):
    """A family drawn by traits (one no other scenario of the run uses), or named explicitly."""

    model_config = STRICT
    traits: Traits | None = None
    kk: Code | None = Field(default=None, pattern=r"^\d{16}$", description="an explicit KK number")
    mother_nik: Code | None = Field(default=None, pattern=r"^\d{16}$",
                                    description="explicitly: this mother and her KK")
    buku_nikah: str | None = Field(default=None, description="marriage book number (explicit families)")

    @model_validator(mode="after")
    def _one_way(self) -> FamilySpec:
        if sum(x is not None for x in (self.traits, self.kk, self.mother_nik)) != 1:
            raise ValueError("give exactly one of: traits, kk, mother_nik")
        return self


class ChildSpec(BaseModel):
    model_config = STRICT
    sex: Literal["female", "male"] = "female"
    name: str | None = Field(default="Siti Aminah", description="null: discharged without a name")
    outcome: Literal["live", "stillbirth"] = "live"
    gestational_age_weeks: int | None = None
    weight_grams: int | None = None
    length_cm: float | None = None


class BirthSpec(BaseModel):
    """One delivery a hospital reports; births are posted at the start unless `when` says otherwise."""

    model_config = STRICT
    family: Alias
    birth_date: BirthDay = Field(default=0, description="-75d, today, or a date")
    children: list[ChildSpec] = Field(default_factory=lambda: [ChildSpec()], min_length=1, max_length=9)
    when: Literal["start", "step"] | Duration = Field(
        default="start", description="start; a delay such as 5s; or `step` (a post step sends it)")
    hospital: str = "RSUD-SERANG"
    proof: Literal["auto", "marriage", "sptjm", "none"] = "auto"
    father: Literal["family", "none", "stranger"] = "family"
    mother_nik: Literal["family", "unknown"] = Field(
        default="family", description="unknown: a well-formed NIK Dukcapil does not know")
    kk_of: Alias | None = Field(default=None, description="post the KK number of this other family")
    override: dict[str, Any] = Field(default_factory=dict, description="merged into the posted body")
    expect_status: int = Field(default=202, ge=200, le=599)
    expect_error_at: str | None = Field(default=None, description="a 422 names this field, e.g. "
                                                                  "body.mother.nik")


class Scenario(BaseModel):
    model_config = STRICT
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{2,79}$")
    description: str = Field(min_length=10)
    covers: list[str] = Field(default_factory=list, description="rows of the expected-outcomes table")
    seed: int = Field(default=0, description="changes which families the traits draw")
    timeout: Duration = Field(default=timedelta(seconds=60), description="per wait and check")
    families: dict[Alias, FamilySpec] = Field(min_length=1)
    births: dict[Alias, BirthSpec] = Field(min_length=1)
    steps: list[Step] = Field(default_factory=list)
    expect: dict[Alias, BundleExpect] = Field(default_factory=dict)
    issued: IssuedExpect | None = None

    @property
    def jumps(self) -> bool:
        return any(isinstance(s, JumpStep) for s in self.steps)

    def reference_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Names that point nowhere, and bundles without an expected outcome."""
        fams, births = sorted(self.families), sorted(self.births)
        problems: list[tuple[tuple[str | int, ...], str]] = []

        def known(loc: tuple[str | int, ...], name: str | None, names: list[str], what: str) -> None:
            if name is not None and name not in names:
                problems.append((loc, f"unknown {what} {name!r} (known: {', '.join(names)})"))

        for b, spec in self.births.items():
            known(("births", b, "family"), spec.family, fams, "family")
            known(("births", b, "kk_of"), spec.kk_of, fams, "family")
        by_step = {b for b, s in self.births.items() if s.when == "step"}
        for i, step in enumerate(self.steps):
            known(("steps", i, step.kind), step.birth(), births, "birth")
            targets = list(step.check) if isinstance(step, CheckStep) else []
            for b in targets:
                known(("steps", i, "check", b), b, births, "birth")
            if step.kind == "post":
                by_step.discard(step.birth())
        for b in sorted(by_step):
            problems.append((("births", b, "when"), "`when: step` but no post step sends this birth"))
        for b in self.expect:
            known(("expect", b), b, births, "birth")
        for b, spec in self.births.items():
            has_bundle = spec.expect_status == 202
            if has_bundle and (b not in self.expect or self.expect[b].status is None):
                problems.append((("expect", b), "every bundle needs its expected outcome (at least status)"))
            if not has_bundle and b in self.expect:
                problems.append((("expect", b), f"no bundle: the post expects {spec.expect_status}"))
        roots = {"today", "family", *fams, *births}
        for loc, text in _strings(self.model_dump(mode="json", exclude={"name", "description", "covers"})):
            for root in _PLACEHOLDER_ROOT.findall(text):
                if root not in roots:
                    problems.append((loc, f"unknown placeholder ${{{root}...}} (roots: today, family, "
                                          "family and birth names)"))
        return problems


def _strings(value: Any, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(loc, value)]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _strings(v, (*loc, k))]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _strings(v, (*loc, i))]
    return []
