"""A service's facts and note and a timeline event's addition, in the operator's language.

The workflow writes English notes (`ServiceState.detail`, `TimelineEvent.message`) for the JSON API and
the logs. The console never shows them: everything it says comes from its catalogue, with parameters
taken from the structured state (the status, reason and service, the service's deadline, the bundle's
forwarding record and domicile). Only what a person typed (an actor's name, the reason given for an
action) is shown as written; it is parsed out of the note because the workflow keeps it nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from api.console.i18n import Translator as Say
from domain import regions
from domain.contracts import BundleState, Reason, Service, ServiceState, ServiceStatus, TimelineEvent

DATE_FACTS = frozenset({"berlaku_sampai", "tanggal_terbit", "tunggakan_sejak"})
MONEY_FACTS = frozenset({"tagihan"})
# Every kind a workflow puts on the timeline besides the service and bundle statuses (ss_/st_ words);
# tests/api/console/test_catalogue.py checks the workflows' sources emit no other.
EVENT_KINDS = ("received", "name_provided", "retry_requested", "kadis_decision_recorded", "death_reported",
               "follow_up_started", "closed", "handed_over", "sptjm_accepted", "sptjm_rejected",
               "parents_corrected", "duplicate_confirmed", "duplicate_ruled_out", "reminder_sent",
               "reminder_failed", "deadline_approaching", "deadline_passed")
REMINDER_KINDS = ("name_missing", "payment_due", "deadline_approaching")
STATUS_KINDS = frozenset(s.value for s in ServiceStatus)
BY_ACTOR = frozenset({"duplicate_confirmed", "duplicate_ruled_out", "kadis_decision_recorded",
                      "death_reported", "closed", "sptjm_accepted", "sptjm_rejected"})
_BY = re.compile(r"^by (?P<actor>[^:]+?)(?:: (?P<rest>.*))?$", re.DOTALL)
_FIELDS = re.compile(r"^(?P<fields>(?:mother|father|kk_number)(?:, (?:mother|father|kk_number))*): "
                     r"(?P<reason>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    code: bool  # shown as a code (numbers, VA, signature id) rather than as words


def facts(t: Say, st: ServiceState) -> list[Fact]:
    """Each fact with its label; codes in words, dates as Indonesian dates, money as Rupiah."""
    out = []
    for key, raw in st.facts.items():
        label = t(f"fact_{key}") if t.has(f"fact_{key}") else key
        if key in DATE_FACTS:
            out.append(Fact(key, label, _date(t, raw), code=False))
        elif key in MONEY_FACTS:
            out.append(Fact(key, label, t.rupiah(raw), code=False))
        elif t.has(f"fv_{key}_{raw}"):
            out.append(Fact(key, label, t(f"fv_{key}_{raw}"), code=False))
        else:
            out.append(Fact(key, label, raw, code=True))
    return out


def _date(t: Say, raw: str) -> str:
    try:
        return t.date(date.fromisoformat(raw))
    except ValueError:
        return raw


def system_of(service: str | None) -> str:
    return "sys_bpjs" if service == Service.BPJS else "sys_dukcapil"


def note(t: Say, state: BundleState, service: str | None, status: str, reason: str | None,
         written: str | None) -> str:
    """What the workflow's note said, from the status and reason; "" where it wrote none."""
    if not written:
        return ""
    if status == ServiceStatus.CANCELLED and reason == Reason.NAMA_BELUM_ADA:
        return t("det_waiting_name")  # closed while it waited: the note is still the last word
    if status == ServiceStatus.NEEDS_ATTENTION or (status == ServiceStatus.CANCELLED and reason):
        if service == Service.ROUTING and reason == Reason.DOMISILI_LUAR:
            kec = state.domicile_kecamatan  # the kab/kota is the kecamatan code's first four digits
            kab = f"{kec[:4]} {regions.kab_kota_name(kec[:4]) or ''}".strip() if kec else "–"
            return t("det_no_office", kab=kab)
        return t("det_refused", system=t(system_of(service)), code=reason or "–")
    return {
        ServiceStatus.AWAITING_PAYMENT: lambda: t("det_awaiting_payment"),
        ServiceStatus.WAITING_INPUT: lambda: t("det_waiting_name"),
        ServiceStatus.NOT_APPLICABLE: lambda: t("det_bpjs_ended") if service == Service.BPJS else "",
        ServiceStatus.PENDING: lambda: t("det_rerouting") if service == Service.ROUTING else "",
    }.get(status, lambda: "")()


def step_note(t: Say, state: BundleState, service: str, st: ServiceState) -> str:
    return note(t, state, service, st.status, st.reason, st.detail)


def event_note(t: Say, state: BundleState, e: TimelineEvent) -> str:
    """What a timeline event adds to its title, in words from the catalogue."""
    if e.kind == "received":
        return t("evn_children", n=len(state.children))
    if e.kind in STATUS_KINDS and e.service is not None:  # a bundle's own status has no service
        return note(t, state, e.service, e.kind, e.reason, e.message)
    if e.kind in ("deadline_approaching", "deadline_passed") and e.service is not None:
        st = _service(state, e.service, e.birth_order)
        return t("evn_deadline", date=t.date(st.deadline)) if st and st.deadline else ""
    if e.kind in ("reminder_sent", "reminder_failed"):
        return t(f"rem_{e.message}") if e.message in REMINDER_KINDS else ""
    if e.kind == "follow_up_started":
        return t("evn_follow_up_death")
    if e.kind == "handed_over" and state.forwarded is not None:
        f = state.forwarded
        return t("evn_handed_over", office=f.office, reference=f.reference, actor=f.actor)
    by = _BY.match(e.message)
    if by is None or e.kind not in BY_ACTOR | {"parents_corrected"}:
        return ""
    actor, rest = by["actor"], by["rest"]
    if e.kind == "parents_corrected" and rest and (changed := _FIELDS.match(rest)):
        fields = ", ".join(t(f"chg_{f}") for f in changed["fields"].split(", "))
        return t("evn_changed", actor=actor, fields=fields, reason=changed["reason"])
    return t("evn_by_because", actor=actor, reason=rest) if rest else t("evn_by", actor=actor)


def _service(state: BundleState, service: str, order: int | None) -> ServiceState | None:
    if service == Service.ROUTING:
        return state.routing
    if service == Service.KK:
        return state.kk
    for c in state.children:
        if c.birth_order == order:
            return c.services.get(Service(service))
    return None


def follow_up_step(t: Say, step: str) -> str:
    return t(f"fstep_{step}") if t.has(f"fstep_{step}") else step


def follow_up_document(t: Say, name: str, value: str) -> Fact:
    """A follow-up's document or outcome: its label, and a date or a status in words."""
    label = follow_up_step(t, name)
    if name.endswith(("tanggal_terbit", "berlaku_sampai")):
        return Fact(name, label, _date(t, value), code=False)
    if name == "bpjs_status" and t.has(f"fv_status_{value}"):
        return Fact(name, label, t(f"fv_status_{value}"), code=False)
    return Fact(name, label, value, code=True)
