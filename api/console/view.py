"""A bundle as its page shows it: steps per service, deadlines, and the actions this role may take now.

Actions are offered only to roles that may take them (the server checks again) and only where the
state makes them meaningful; the workflow's validators stay the judge of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from api.auth.roles import Role
from api.console.i18n import CATALOGUE
from domain.contracts import (
    TERMINAL_STATUSES,
    BundleState,
    BundleStatus,
    FollowUpState,
    Reason,
    Service,
    ServiceState,
    ServiceStatus,
    TimelineEvent,
)
from store.models import Bundle

OPERATOR_ACTIONS = frozenset({"name", "parents", "retry", "forward", "death", "correction"})
ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    Role.operator: OPERATOR_ACTIONS,
    Role.supervisor: OPERATOR_ACTIONS | {"decision", "sptjm", "close", "duplicate"},
}
RETRYABLE = (ServiceStatus.NEEDS_ATTENTION, ServiceStatus.AWAITING_PAYMENT)
# Reasons that wait for a person, not for time: trying the call again gets the same answer until
# someone decides (Kadis, SPTJM, duplicate), forwards, names the baby or corrects the parents' data
# (which retries by itself). "Coba lagi" is offered for the rest: failures, arrears, payments.
NO_RETRY = frozenset({
    Reason.KEPUTUSAN_KADIS_DIPERLUKAN, Reason.SPTJM_TIDAK_SAH, Reason.DUPLIKAT_DICURIGAI,
    Reason.DOMISILI_LUAR, Reason.NAMA_BELUM_ADA, Reason.NAMA_TIDAK_SESUAI, Reason.KK_TIDAK_DITEMUKAN,
    Reason.NIK_IBU_TIDAK_DITEMUKAN, Reason.IBU_TIDAK_DI_KK, "KELAHIRAN_SUDAH_TERDAFTAR",
    Reason.BUKTI_PERKAWINAN_TIDAK_SESUAI})
# Services whose progress fixes the office: past them the KK number cannot change (the workflow's rule).
REROUTED = (Service.NIK, Service.STILLBIRTH)
STEP_ORDER = (Service.NIK, Service.AKTA, Service.KIA, Service.BPJS, Service.STILLBIRTH)


def actions_for(role: Role) -> frozenset[str]:
    return ROLE_ACTIONS.get(role, frozenset())


def can_retry(st: ServiceState) -> bool:
    """A retry the workflow accepts (the status) and that can change the answer (the reason)."""
    return st.status in RETRYABLE and st.reason not in NO_RETRY


def name_refused(st: ServiceState | None) -> bool:
    """Dukcapil refused the akta for the child's name: a new name is what it waits for."""
    return (st is not None and st.status is ServiceStatus.NEEDS_ATTENTION
            and st.reason == Reason.NAMA_TIDAK_SESUAI)


def kk_locked(state: BundleState) -> bool:
    """Routed, and a NIK issued or being requested: the workflow refuses a new KK number."""
    return state.office_code is not None and any(
        st.status not in (ServiceStatus.PENDING, ServiceStatus.NEEDS_ATTENTION)
        for c in state.children for svc, st in c.services.items() if svc in REROUTED)


@dataclass
class Step:
    service: str
    birth_order: int | None  # None: bundle-level (routing, KK)
    st: ServiceState
    retry: bool = False


@dataclass
class ChildView:
    birth_order: int
    sex: str
    outcome: str
    name_provided: bool
    died_on: date | None
    steps: list[Step]


@dataclass
class BundleView:
    state: BundleState
    row: Bundle
    routing: Step
    kk: Step
    children: list[ChildView]
    timeline: list[TimelineEvent]
    deadlines: list[Step]
    follow_ups: list[FollowUpState]
    temporal_url: str | None
    mark: str
    can: frozenset[str] = field(default_factory=frozenset)
    name_children: list[int] = field(default_factory=list)
    death_children: list[int] = field(default_factory=list)
    correction_children: list[int] = field(default_factory=list)
    kk_locked: bool = False

    @property
    def any_action(self) -> bool:
        return bool(self.can or self.name_children or self.death_children or self.correction_children)


def event_key(kind: str) -> str:
    """The catalogue key for a timeline event kind (service and bundle statuses are events too)."""
    for prefix in ("ev_", "ss_", "st_"):
        if prefix + kind in CATALOGUE:
            return prefix + kind
    return kind


def build(state: BundleState, row: Bundle, role: Role, follow_ups: list[FollowUpState], *,
          temporal_url: str | None, mark: str) -> BundleView:
    allowed = actions_for(role)
    anonymised = row.anonymised_at is not None
    is_open = state.status not in TERMINAL_STATUSES and not anonymised

    def step(service: Service, order: int | None, st: ServiceState) -> Step:
        return Step(service=service.value, birth_order=order, st=st,
                    retry=is_open and "retry" in allowed and can_retry(st))

    children = [ChildView(birth_order=c.birth_order, sex=c.sex, outcome=c.outcome,
                          name_provided=c.name_provided, died_on=c.died_on,
                          steps=[step(s, c.birth_order, c.services[s])
                                 for s in STEP_ORDER if s in c.services])
                for c in state.children]
    routing, kk = step(Service.ROUTING, None, state.routing), step(Service.KK, None, state.kk)
    every = [routing, kk, *(s for c in children for s in c.steps)]
    akta_reasons = {c.services[Service.AKTA].reason for c in state.children if Service.AKTA in c.services}
    akta_issued = any(c.services[Service.AKTA].status is ServiceStatus.COMPLETED
                      for c in state.children if Service.AKTA in c.services)
    live = [c for c in state.children if c.outcome == "live"]
    can = set()
    if is_open:
        can |= {a for a in ("close",) if a in allowed}
        if "decision" in allowed and Reason.KEPUTUSAN_KADIS_DIPERLUKAN.value in akta_reasons:
            can.add("decision")
        if "sptjm" in allowed and Reason.SPTJM_TIDAK_SAH.value in akta_reasons:
            can.add("sptjm")
        if "forward" in allowed and state.routing.reason == Reason.DOMISILI_LUAR.value:
            can.add("forward")
        if "parents" in allowed and not akta_issued:
            can.add("parents")
        if "duplicate" in allowed and state.routing.reason == Reason.DUPLIKAT_DICURIGAI.value:
            can.add("duplicate")
    return BundleView(
        state=state, row=row, routing=routing, kk=kk, children=children,
        timeline=list(reversed(state.timeline)),
        deadlines=[s for s in every if s.st.deadline is not None],
        follow_ups=follow_ups, temporal_url=temporal_url, mark=mark, can=frozenset(can),
        name_children=[c.birth_order for c in live
                       if not c.name_provided or name_refused(c.services.get(Service.AKTA))]
        if is_open and "name" in allowed else [],
        death_children=[c.birth_order for c in live if c.died_on is None]
        if "death" in allowed and not anonymised and (is_open or state.status is BundleStatus.COMPLETED)
        else [],
        correction_children=[c.birth_order for c in live]
        if "correction" in allowed and not anonymised and state.status is BundleStatus.COMPLETED else [],
        kk_locked=kk_locked(state),
    )
