"""Steps of a scenario: each is one mapping whose action key names it, e.g. `- wait: b1`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator

from domain.contracts import Service
from tools.scenarios.expect import BundleExpect
from tools.scenarios.values import STRICT, Alias, Duration

System = Literal["dukcapil", "bpjs", "sms"]


class _Step(BaseModel):
    model_config = STRICT
    KIND: ClassVar[str]
    label: str | None = Field(default=None, description="shown in the report instead of the default")

    @property
    def kind(self) -> str:
        return self.KIND

    def birth(self) -> str | None:
        """The birth this step acts on, if any."""
        value = getattr(self, self.KIND)
        return value if isinstance(value, str) and self.KIND not in ("fault", "reset_faults") else None


class WaitStep(_Step):
    """Poll the bundle until `until` holds (default: it has ended)."""

    KIND: ClassVar[str] = "wait"
    wait: Alias
    until: BundleExpect | None = None
    timeout: Duration | None = None


class CheckStep(_Step):
    """Expectations checked here, one report line each (they may take until `timeout` to hold)."""

    KIND: ClassVar[str] = "check"
    check: dict[Alias, BundleExpect] = Field(min_length=1)
    timeout: Duration | None = None


class PostStep(_Step):
    """Post a birth (again): unchanged, `change`d (same record id), or `times` at once."""

    KIND: ClassVar[str] = "post"
    post: Alias
    change: dict[str, Any] = Field(default_factory=dict, description="merged into the body")
    times: int = Field(default=1, ge=1, le=50, description="identical posts sent concurrently")
    expect_status: int | None = Field(default=None, ge=200, le=599,
                                      description="default 202, or 409 when `change` is given")
    expect_duplicate: bool | None = None


class NameStep(_Step):
    KIND: ClassVar[str] = "provide_name"
    provide_name: Alias
    child: int = Field(default=1, ge=1, le=9)
    name: str
    expect_status: int = Field(default=200, ge=200, le=599)


class PayStep(_Step):
    """The family pays the child's BPJS bill at the bank (the virtual account the bundle shows)."""

    KIND: ClassVar[str] = "pay"
    pay: Alias
    child: int = Field(default=1, ge=1, le=9)
    amount: int | None = Field(default=None, ge=1, description="default: the bill (`tagihan`)")
    expect_status: int = Field(default=200, ge=200, le=599)


class DecisionStep(_Step):
    KIND: ClassVar[str] = "kadis_decision"
    kadis_decision: Alias
    number: str = "470/001/KADIS/2026"
    expect_refused: bool = False


class RetryStep(_Step):
    KIND: ClassVar[str] = "retry"
    retry: Alias
    service: Service
    child: int | None = Field(default=None, ge=1, le=9, description="omit for routing and kk")
    expect_refused: bool = False


class CloseStep(_Step):
    KIND: ClassVar[str] = "close"
    close: Alias
    reason: str = Field(min_length=3)
    expect_refused: bool = False


class DuplicateStep(_Step):
    """A supervisor's decision on a bundle held as a suspected duplicate (DUPLIKAT_DICURIGAI)."""

    KIND: ClassVar[str] = "decide_duplicate"
    decide_duplicate: Alias
    duplicate: bool
    reason: str = Field(default="diperiksa supervisor", min_length=3)
    expect_refused: bool = False


class ParentsStep(_Step):
    """An operator corrects the KK number (to this family's KK) before any NIK is issued."""

    KIND: ClassVar[str] = "correct_kk"
    correct_kk: Alias
    kk_of: Alias = Field(description="the family whose KK number is the right one")
    reason: str = Field(default="nomor KK dikoreksi", min_length=3)
    expect_refused: bool = False


class DeathStep(_Step):
    """A baby born alive died: reported by the hospital (akta kematian follow-up)."""

    KIND: ClassVar[str] = "report_death"
    report_death: Alias
    child: int = Field(default=1, ge=1, le=9)
    days_after_birth: int = Field(default=0, ge=0, le=400)
    place: str = "RSUD"
    expect_status: int = Field(default=202, ge=200, le=599)


class CorrectionStep(_Step):
    """Correct the child's name after issue (akta reissued, old number superseded)."""

    KIND: ClassVar[str] = "correct"
    correct: Alias
    child: int = Field(default=1, ge=1, le=9)
    name: str
    reason: str = "salah ketik nama"
    expect_status: int = Field(default=202, ge=200, le=599)
    at_once: list[str] = Field(default_factory=list, max_length=5, description=(
        "other names sent concurrently with `name`: one follow-up of a child runs at a time"))
    expect_statuses: list[int] | None = Field(default=None, description=(
        "with at_once: the statuses, in any order (default: one 202, the others 409)"))


class RetryFollowUpStep(_Step):
    """An operator retries a follow-up (death, correction) waiting on a business rejection."""

    KIND: ClassVar[str] = "retry_follow_up"
    retry_follow_up: Alias
    follow_up: Literal["death", "correction"]
    child: int = Field(default=1, ge=1, le=9)
    reason: str = Field(default="penyebab diselesaikan", min_length=3)
    expect_refused: bool = False


class FaultStep(_Step):
    """Add a fault rule to a simulator, passed as is to its `POST /admin/faults`."""

    KIND: ClassVar[str] = "fault"
    fault: System
    rule: dict[str, Any]

    @field_validator("rule")
    @classmethod
    def _valid_rule(cls, rule: dict[str, Any]) -> dict[str, Any]:
        from tools.scenarios.faults import check_rule

        check_rule(rule)
        return rule


class ResetFaultsStep(_Step):
    KIND: ClassVar[str] = "reset_faults"
    reset_faults: System | Literal["all"]


class JumpStep(_Step):
    """Move simulated time forward (Temporal's clock and both simulators' clocks)."""

    KIND: ClassVar[str] = "jump"
    jump: Duration

    @field_validator("jump")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        if value > timedelta(days=400):
            raise ValueError("jumps are at most 400d")
        return value


class SleepStep(_Step):
    """Pause in real time (e.g. while a fault rule is in force)."""

    KIND: ClassVar[str] = "sleep"
    sleep: Duration

    @field_validator("sleep")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        if value > timedelta(minutes=10):
            raise ValueError("sleeps are at most 10m (use `jump` for simulated time)")
        return value


STEP_TYPES: tuple[type[_Step], ...] = (
    WaitStep, CheckStep, PostStep, NameStep, PayStep, DecisionStep, RetryStep, CloseStep,
    DuplicateStep, ParentsStep, DeathStep, CorrectionStep, RetryFollowUpStep, FaultStep, ResetFaultsStep,
    JumpStep, SleepStep)
STEP_KINDS = tuple(t.KIND for t in STEP_TYPES)


def _step_kind(value: Any) -> str | None:
    if isinstance(value, _Step):
        return value.kind
    if isinstance(value, dict):
        kinds = [k for k in STEP_KINDS if k in value]
        return kinds[0] if len(kinds) == 1 else None
    return None


Step = Annotated[
    Annotated[WaitStep, Tag("wait")] | Annotated[CheckStep, Tag("check")]
    | Annotated[PostStep, Tag("post")] | Annotated[NameStep, Tag("provide_name")]
    | Annotated[PayStep, Tag("pay")] | Annotated[DecisionStep, Tag("kadis_decision")]
    | Annotated[RetryStep, Tag("retry")] | Annotated[CloseStep, Tag("close")]
    | Annotated[DuplicateStep, Tag("decide_duplicate")] | Annotated[ParentsStep, Tag("correct_kk")]
    | Annotated[DeathStep, Tag("report_death")] | Annotated[CorrectionStep, Tag("correct")]
    | Annotated[RetryFollowUpStep, Tag("retry_follow_up")]
    | Annotated[FaultStep, Tag("fault")] | Annotated[ResetFaultsStep, Tag("reset_faults")]
    | Annotated[JumpStep, Tag("jump")] | Annotated[SleepStep, Tag("sleep")],
    Discriminator(_step_kind, custom_error_type="step_kind",
                  custom_error_message="a step is a mapping with exactly one action key: "
                                       + ", ".join(STEP_KINDS)),
]
