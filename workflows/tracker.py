"""The bundle's state as the workflow changes it: services, timeline, derived status, dirty flag.

Deterministic (workflow.now() only); kept apart from the workflow class so the orchestration reads
as orchestration.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import bundle_state as bs
    from domain.contracts import (
        BundleState,
        BundleSync,
        ChildState,
        ForwardInfo,
        Note,
        Service,
        ServiceChange,
        ServiceState,
        ServiceStatus,
        TimelineEvent,
    )


class Tracker:
    def __init__(self, state: BundleState) -> None:
        self.state = state
        self.closed = False
        # The read model holds the initial state (the intake wrote it): only changes are sent.
        self.dirty = False
        self._sent_events = len(state.timeline)
        self._sent = {(order, svc): st.model_copy(deep=True) for order, svc, st in bs.all_services(state)}

    def delta(self, history_length: int) -> BundleSync:
        """What changed since the last write (which the sync loop waits for), and mark it sent."""
        changed = []
        for order, svc, st in bs.all_services(self.state):
            if self._sent.get((order, svc)) != st:
                changed.append(ServiceChange(birth_order=order, service=svc, state=st))
                self._sent[(order, svc)] = st.model_copy(deep=True)
        first, self._sent_events = self._sent_events, len(self.state.timeline)
        return BundleSync(header=bs.header_of(self.state), history_length=history_length,
                          services=changed, first_seq=first, events=self.state.timeline[first:],
                          timeline_length=self._sent_events)

    def child(self, order: int) -> ChildState:
        found = bs.child(self.state, order)
        if found is None:  # orders come from the validated notification
            raise ValueError(f"no child with birth_order {order}")
        return found

    def svc(self, order: int | None, service: Service) -> ServiceState:
        if service is Service.ROUTING:
            return self.state.routing
        if service is Service.KK:
            return self.state.kk
        return self.child(order or 0).services[service]

    def set(self, st: ServiceState, status: ServiceStatus, order: int | None, service: Service, *,
            reason: str | None = None, detail: str | None = None, note: Note | None = None,
            params: dict[str, str] | None = None, document: str | None = None, quiet: bool = False) -> None:
        """Move one service; `quiet` changes skip the timeline (e.g. every attempt's in_progress).
        `detail` is the English note, `note` and `params` the same as a code (a new status clears them)."""
        st.status = status
        st.reason = reason
        st.detail = detail
        st.note = note
        st.params = dict(params or {})
        st.updated_at = workflow.now()
        if document is not None:
            st.document_number = document
        if not quiet:
            self.event(status.value, service=service, order=order, reason=reason, message=detail or "",
                       note=note, params=params)
        self.refresh()

    def event(self, kind: str, *, service: Service | None = None, order: int | None = None,
              reason: str | None = None, message: str = "", note: Note | None = None,
              params: dict[str, str] | None = None) -> None:
        self.state.timeline.append(TimelineEvent(at=workflow.now(), kind=kind, service=service,
                                                 birth_order=order, reason=reason, message=message,
                                                 note=note, params=dict(params or {})))
        self.dirty = True

    def by(self, kind: str, actor: str, reason: str | None = None, *, service: Service | None = None,
           order: int | None = None) -> None:
        """An event a person caused: "by <actor>[: <reason as typed>]", with its code."""
        if reason is None:
            self.event(kind, service=service, order=order, message=f"by {actor}", note=Note.BY_ACTOR,
                       params={"actor": actor})
        else:
            self.event(kind, service=service, order=order, message=f"by {actor}: {reason}",
                       note=Note.BY_ACTOR_BECAUSE, params={"actor": actor, "reason": reason})

    def refresh(self) -> None:
        self.state.status = bs.derive_status(self.state, closed=self.closed)
        self.state.deadline_risk = bs.deadline_risk(self.state)
        self.dirty = True

    def forward(self, info: ForwardInfo, reason: str) -> None:
        """Handed to another office: nothing more is issued here; the bundle becomes forwarded."""
        self.state.forwarded = info
        self.close(reason)
        self.event("handed_over", message=f"by {info.actor} to {info.office} ({info.reference}): {reason}",
                   note=Note.HANDED_OVER, params={"actor": info.actor, "office": info.office,
                                                  "reference": info.reference, "reason": reason})

    def close(self, reason: str) -> None:
        """End every unresolved service as cancelled; the bundle becomes closed_with_issues."""
        self.closed = True
        self.state.closed_reason = reason
        for _, _, st in bs.all_services(self.state):
            if st.status not in bs.DONE:
                st.status = ServiceStatus.CANCELLED
                st.updated_at = workflow.now()
        self.refresh()
