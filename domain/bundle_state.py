"""Pure functions over a bundle's state, shared by the workflow (which owns it) and the API."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime

from domain.contracts import (
    BundleHeader,
    BundleState,
    BundleStatus,
    ChildHeader,
    ChildState,
    KelahiranInput,
    Note,
    Service,
    ServiceState,
    ServiceStatus,
    TimelineEvent,
    WorkflowTuning,
)
from domain.contracts.notification import BirthNotificationData, Outcome

# Fixed namespace: bundle ids are UUIDv5 of (hospital, record id), so a retried delivery maps to
# the same workflow and the id itself carries no personal data.
BUNDLE_NAMESPACE = uuid.UUID("6f1d3c2e-9a47-5b8e-8c1f-2b7a4e0d9c55")
LIVE_SERVICES = (Service.NIK, Service.AKTA, Service.KIA, Service.BPJS)
DONE = frozenset({ServiceStatus.COMPLETED, ServiceStatus.NOT_APPLICABLE})


def bundle_id_for(hospital_id: str, record_id: str) -> str:
    return str(uuid.uuid5(BUNDLE_NAMESPACE, f"{hospital_id}\x1f{record_id}"))


def content_hash(notification: BirthNotificationData) -> str:
    """Hash of the validated, normalised notification: equal content, equal hash."""
    # Consent is not the birth's content (a re-sent form with another timestamp is the same birth),
    # and leaving it out keeps the hashes of bundles received before it existed.
    return hashlib.sha256(notification.model_dump_json(exclude={"consent"}).encode()).hexdigest()


def initial_state(*, bundle_id: str, hospital_id: str, chash: str, received_at: datetime,
                  notification: BirthNotificationData) -> BundleState:
    """The state a bundle starts with, built once at intake: stored there, and the workflow's input."""
    n = notification
    children = []
    for c in n.ordered_children():
        if c.outcome is Outcome.LIVE:
            services = {s: ServiceState() for s in LIVE_SERVICES}
        else:
            services = {Service.STILLBIRTH: ServiceState()}
        children.append(
            ChildState(
                birth_order=c.birth_order,
                outcome=c.outcome.value,
                sex=c.sex,
                name_provided=c.name is not None,
                services=services,
            )
        )
    any_live = any(c.outcome == "live" for c in children)
    return BundleState(
        bundle_id=bundle_id,
        consent=n.consent,
        hospital_id=hospital_id,
        record_id=n.record_id,
        content_hash=chash,
        status=BundleStatus.IN_PROGRESS,
        birth_date=n.birth_date,
        received_at=received_at,
        kk=ServiceState() if any_live else ServiceState(status=ServiceStatus.NOT_APPLICABLE),
        children=children,
        timeline=[TimelineEvent(at=received_at, kind="received",
                                message=f"{len(children)} child(ren) reported",
                                note=Note.CHILDREN_REPORTED, params={"count": str(len(children))})],
    )


def new_input(*, bundle_id: str, hospital_id: str, notification: BirthNotificationData,
              received_at: datetime, tuning: WorkflowTuning | None = None) -> KelahiranInput:
    """A bundle's workflow input with its initial state: what the intake stores and then starts."""
    if type(notification) is not BirthNotificationData:  # the intake's validating subclass
        notification = BirthNotificationData.model_validate(notification.model_dump())
    chash = content_hash(notification)
    state = initial_state(bundle_id=bundle_id, hospital_id=hospital_id, chash=chash, received_at=received_at,
                          notification=notification)
    return KelahiranInput(bundle_id=bundle_id, hospital_id=hospital_id, content_hash=chash,
                          received_at=received_at, notification=notification, state=state,
                          tuning=tuning or WorkflowTuning())


_HEADER_FIELDS = tuple(f for f in BundleHeader.model_fields if f != "children")


def header_of(state: BundleState) -> BundleHeader:
    """The state without its services and timeline (shared objects, no validation: a fresh copy is
    made when it is serialised)."""
    children = [ChildHeader.model_construct(birth_order=c.birth_order, outcome=c.outcome, sex=c.sex,
                                            name_provided=c.name_provided, died_on=c.died_on)
                for c in state.children]
    return BundleHeader.model_construct(children=children,
                                        **{f: getattr(state, f) for f in _HEADER_FIELDS})


def assemble(header: BundleHeader, services: Mapping[tuple[int, Service], ServiceState],
             timeline: list[TimelineEvent]) -> BundleState:
    """A whole state from its header, its services by (birth order, service) and its timeline."""
    children = [ChildState(**c.model_dump(), services={
        svc: st for (order, svc), st in services.items() if order == c.birth_order})
        for c in header.children]
    return BundleState(**header.model_dump(exclude={"children"}), children=children,
                       routing=services.get((0, Service.ROUTING), ServiceState()),
                       kk=services.get((0, Service.KK), ServiceState()), timeline=timeline)


def all_services(state: BundleState) -> Iterator[tuple[int, Service, ServiceState]]:
    """Every service with its child's birth order (0 for bundle-level services)."""
    yield 0, Service.ROUTING, state.routing
    yield 0, Service.KK, state.kk
    for child in state.children:
        for service, st in child.services.items():
            yield child.birth_order, service, st


def refusing_system(service: Service | str | None) -> str:
    """Who answers a service's requests, and so who refused one (a refusal note's `system`)."""
    return "bpjs" if service == Service.BPJS else "dukcapil"


def derive_status(state: BundleState, *, closed: bool) -> BundleStatus:
    statuses = [st.status for _, _, st in all_services(state)]
    if all(s in DONE for s in statuses):
        if all(c.outcome == "stillbirth" for c in state.children):
            return BundleStatus.STILLBIRTH_RECORDED
        return BundleStatus.COMPLETED
    if closed:
        if state.forwarded:
            return BundleStatus.FORWARDED
        return BundleStatus.CLOSED_DUPLICATE if state.duplicate_of else BundleStatus.CLOSED_WITH_ISSUES
    if ServiceStatus.NEEDS_ATTENTION in statuses:
        return BundleStatus.NEEDS_ATTENTION
    return BundleStatus.IN_PROGRESS


def open_reasons(state: BundleState) -> list[str]:
    return sorted({st.reason for _, _, st in all_services(state)
                   if st.status is ServiceStatus.NEEDS_ATTENTION and st.reason})


def child(state: BundleState, birth_order: int) -> ChildState | None:
    return next((c for c in state.children if c.birth_order == birth_order), None)


def deadline_risk(state: BundleState) -> bool:
    """True while a service that is still open is near or past its legal deadline."""
    return any(st.deadline_state in ("approaching", "passed")
               and st.status not in DONE and st.status is not ServiceStatus.CANCELLED
               for _, _, st in all_services(state))
