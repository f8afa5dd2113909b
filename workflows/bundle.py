"""What one bundle's workflow knows and has obtained, and how one of its services runs.

A service step runs until it succeeds; a business rejection marks it needs_attention and waits for
a person (retry, close, or the child's death for BPJS). Deterministic: workflow.now() and
workflow.wait_condition() only, activities called by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import bundle_state as bs
    from domain.contracts import (
        TERMINAL_STATUSES,
        KelahiranInput,
        Note,
        ReportDeathInput,
        Service,
        ServiceStatus,
    )
    from domain.contracts.notification import ChildData, Outcome
    from workflows.calls import business_reason, call
    from workflows.requests import placeholder_name
    from workflows.tracker import Tracker

T = TypeVar("T")
# What a corrected KK number sends back behind routing (workflows/kelahiran.py), while none is issued.
REROUTED = (Service.NIK, Service.STILLBIRTH)


class Bundle:
    """The workflow's memory of one delivery; the service steps and the update handlers share it."""

    def __init__(self, inp: KelahiranInput) -> None:
        self.inp = inp
        self.n = inp.notification  # replaced by a correction of the parents' data
        self.t = Tracker(inp.state)  # built and stored by the intake
        self.names: dict[int, str] = {c.birth_order: c.name for c in self.n.children if c.name}
        self.niks: dict[int, str] = {}
        self.akta: dict[int, str] = {}
        self.office: str | None = None
        self.kadis_decision: str | None = None
        self.mother_only = False  # an SPTJM was rejected: the akta names the mother alone
        self.retry: set[tuple[Service, int]] = set()
        self.generation: dict[tuple[Service, int], int] = {}
        self.deaths: dict[int, ReportDeathInput] = {}
        self.finished = False
        self.rerouting = False  # the KK number changed after routing: route again before any NIK

    def live_children(self) -> list[ChildData]:
        return [c for c in self.n.ordered_children() if c.outcome is Outcome.LIVE]

    def is_open(self) -> bool:
        return not (self.t.closed or self.finished or self.t.state.status in TERMINAL_STATUSES)

    def key(self, service: Service, order: int) -> str:
        """The idempotency key of a service's call.

        A person-triggered retry gets a new generation: the rejected call issued nothing, and the
        retried request may carry new data (e.g. the Kepala Dinas's decision)."""
        gen = self.generation.get((service, order), 0)
        return f"{self.inp.bundle_id}/{service.value}/{order}/{gen}"

    def name(self, order: int) -> str:
        return self.names.get(order) or placeholder_name(self.n)

    def activity(self, name: str, arg: Any, result_type: type[T]) -> Awaitable[T]:
        return call(name, arg, result_type, self.inp.tuning)

    async def perform(self, order: int | None, service: Service, step: Callable[[], Awaitable[T]],
                      *, done_if: Callable[[Any], bool] = lambda _: True) -> T | None:
        """Run one service until it succeeds; on a business rejection wait for a person."""
        st = self.t.svc(order, service)
        while True:
            if self.rerouting and service in REROUTED:
                self.t.set(st, ServiceStatus.PENDING, order, service, quiet=True)
                return None
            self.t.set(st, ServiceStatus.IN_PROGRESS, order, service, quiet=True)
            st.attempts += 1
            try:
                result = await step()
            except ActivityError as err:
                reason = business_reason(err)
                if reason is None:
                    raise
                self.t.set(st, ServiceStatus.NEEDS_ATTENTION, order, service,
                           reason=reason, detail=str(err.cause.message if err.cause else reason),
                           note=Note.REFUSED, params={"system": bs.refusing_system(service), "code": reason})
                if not await self.wait_for_retry(service, order or 0):
                    return None
                continue
            if done_if(result) and service is not Service.ROUTING:
                self.t.set(st, ServiceStatus.COMPLETED, order, service)
            return result

    async def wait_for_retry(self, service: Service, order: int) -> bool:
        """Wait for a person's retry; False if the bundle was closed (or the child died, for BPJS)."""
        key = (service, order)
        died = (lambda: order in self.deaths) if service is Service.BPJS else (lambda: False)
        await workflow.wait_condition(lambda: key in self.retry or self.t.closed or died())
        if self.t.closed or died():
            return False
        self.retry.discard(key)
        self.generation[key] = self.generation.get(key, 0) + 1
        return True

    def retry_where(self, service: Service | None, reasons: set[str]) -> None:
        """Schedule a retry of every service (or every `service`) waiting with one of `reasons`."""
        for svc_order, svc, st in bs.all_services(self.t.state):
            if (service in (None, svc) and st.status is ServiceStatus.NEEDS_ATTENTION
                    and st.reason in reasons):
                self.retry.add((svc, svc_order or 0))
