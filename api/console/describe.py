"""A service's facts and note and a timeline event's addition, in the operator's language.

The workflow writes each note as a code with parameters (`note`, `params` on a service's state and
on a timeline event) beside its English text (`detail`, `message`); the console says the code from
its catalogue (api/console/notes.py) and never shows the English. Notes written before they had
codes carry only the English: for those the code and its parameters are derived from the structured
state (the status, reason and service, the service's deadline, the bundle's forwarding record and
domicile), and what a person typed (an actor's name, a reason) is parsed out of the English note,
the only place those old events kept it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.console import notes
from api.console.i18n import Translator as Say
from domain import bundle_state as bs
from domain.contracts import BundleState, Note, Reason, Service, ServiceState, ServiceStatus, TimelineEvent

DATE_FACTS = frozenset({"berlaku_sampai", "tanggal_terbit", "tunggakan_sejak"})
MONEY_FACTS = frozenset({"tagihan"})
# Every kind a workflow puts on the timeline besides the service and bundle statuses (ss_/st_ words);
# tests/api/console/test_catalogue.py checks the workflows' sources emit no other.
EVENT_KINDS = ("received", "name_provided", "retry_requested", "kadis_decision_recorded", "death_reported",
               "follow_up_started", "closed", "handed_over", "sptjm_accepted", "sptjm_rejected",
               "parents_corrected", "duplicate_confirmed", "duplicate_ruled_out", "reminder_sent",
               "reminder_failed", "deadline_approaching", "deadline_passed")
REMINDER_KINDS = notes.REMINDERS
STATUS_KINDS = frozenset(s.value for s in ServiceStatus)
BY_ACTOR = frozenset({"duplicate_confirmed", "duplicate_ruled_out", "kadis_decision_recorded",
                      "death_reported", "closed", "sptjm_accepted", "sptjm_rejected"})
_BY = re.compile(r"^by (?P<actor>[^:]+?)(?:: (?P<rest>.*))?$", re.DOTALL)
_FIELDS = re.compile(r"^(?P<fields>(?:mother|father|kk_number)(?:, (?:mother|father|kk_number))*): "
                     r"(?P<reason>.*)$", re.DOTALL)
Coded = tuple[Note | None, dict[str, str]]
NONE: Coded = (None, {})


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
            out.append(Fact(key, label, notes.date_words(t, raw), code=False))
        elif key in MONEY_FACTS:
            out.append(Fact(key, label, t.rupiah(raw), code=False))
        elif t.has(f"fv_{key}_{raw}"):
            out.append(Fact(key, label, t(f"fv_{key}_{raw}"), code=False))
        else:
            out.append(Fact(key, label, raw, code=True))
    return out


def step_note(t: Say, state: BundleState, service: str, st: ServiceState) -> str:
    note, params = (st.note, st.params) if st.note else _old_note(state, service, st.status, st.reason,
                                                                   st.detail)
    return notes.say(t, note, params)


def event_note(t: Say, state: BundleState, e: TimelineEvent) -> str:
    """What a timeline event adds to its title, in words from the catalogue."""
    note, params = (e.note, e.params) if e.note else _old_event(state, e)
    return notes.say(t, note, params)


def _old_note(state: BundleState, service: str | None, status: str, reason: str | None,
              written: str | None) -> Coded:
    """The code of a note written before notes had codes, from the status and reason; none where the
    workflow wrote none."""
    if not written:
        return NONE
    if status == ServiceStatus.CANCELLED and reason == Reason.NAMA_BELUM_ADA:
        return Note.WAITING_NAME, {}  # closed while it waited: the note is still the last word
    if status == ServiceStatus.NEEDS_ATTENTION or (status == ServiceStatus.CANCELLED and reason):
        if service == Service.ROUTING and reason == Reason.DOMISILI_LUAR:
            kec = state.domicile_kecamatan  # the kab/kota is the kecamatan code's first four digits
            return Note.NO_OFFICE, {"kab_kota": kec[:4] if kec else ""}
        if reason == Reason.DUPLIKAT_DICURIGAI:
            return Note.HELD_DUPLICATE, {}
        return Note.REFUSED, {"system": bs.refusing_system(service), "code": reason or ""}
    return {
        ServiceStatus.AWAITING_PAYMENT: (Note.AWAITING_PAYMENT, {}),
        ServiceStatus.WAITING_INPUT: (Note.WAITING_NAME, {}),
        ServiceStatus.NOT_APPLICABLE: (Note.BPJS_ENDED, {}) if service == Service.BPJS else NONE,
        ServiceStatus.PENDING: (Note.REROUTING, {}) if service == Service.ROUTING else NONE,
    }.get(status, NONE)


def _old_event(state: BundleState, e: TimelineEvent) -> Coded:
    """The code of a timeline event stored before notes had codes."""
    if e.kind == "received":
        return Note.CHILDREN_REPORTED, {"count": str(len(state.children))}
    if e.kind in STATUS_KINDS and e.service is not None:  # a bundle's own status has no service
        return _old_note(state, e.service, e.kind, e.reason, e.message)
    if e.kind in ("deadline_approaching", "deadline_passed") and e.service is not None:
        st = _service(state, e.service, e.birth_order)
        return (Note.LEGAL_DEADLINE, {"date": st.deadline.isoformat()}) if st and st.deadline else NONE
    if e.kind in ("reminder_sent", "reminder_failed"):
        return (Note.REMINDER, {"reminder": e.message}) if e.message in REMINDER_KINDS else NONE
    if e.kind == "follow_up_started":
        return Note.DEATH_FOLLOW_UP, {}
    if e.kind == "handed_over" and state.forwarded is not None:
        f = state.forwarded
        return Note.HANDED_OVER, {"office": f.office, "reference": f.reference, "actor": f.actor,
                                  "reason": state.closed_reason or ""}
    by = _BY.match(e.message)
    if by is None or e.kind not in BY_ACTOR | {"parents_corrected"}:
        return NONE
    actor, rest = by["actor"], by["rest"]
    if e.kind == "parents_corrected" and rest and (changed := _FIELDS.match(rest)):
        return Note.PARENTS_CHANGED, {"actor": actor, "fields": changed["fields"].replace(", ", ","),
                                      "reason": changed["reason"]}
    if rest:
        return Note.BY_ACTOR_BECAUSE, {"actor": actor, "reason": rest}
    return Note.BY_ACTOR, {"actor": actor}


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
        return Fact(name, label, notes.date_words(t, value), code=False)
    if name == "bpjs_status" and t.has(f"fv_status_{value}"):
        return Fact(name, label, t(f"fv_status_{value}"), code=False)
    return Fact(name, label, value, code=True)
