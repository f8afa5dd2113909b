"""What a bundle shows about a child who died: the BPJS membership ended, with no bill to pay.

A death reported while the bundle runs is handled by the bundle's workflow (workflows/bpjs.py writes
these facts). A death reported after the bundle completed runs as a follow-up workflow of its own,
which ends the membership at BPJS; the bundle's workflow has closed and writes nothing more, so its
read views (the JSON API, the console) show the follow-up's outcome over the BPJS step instead.
"""

from __future__ import annotations

from domain.contracts import BundleState, FollowUpKind, FollowUpState, Service

ENDED = {"status": "NONAKTIF", "berakhir": "MENINGGAL"}
KEPT = ("segmen", "kelas")  # what stays true of an ended membership; the bill and the VA do not


def ended_facts(facts: dict[str, str], status: str = ENDED["status"]) -> dict[str, str]:
    return {k: v for k, v in facts.items() if k in KEPT} | ENDED | {"status": status}


def show_membership_ended(state: BundleState, follow_ups: list[FollowUpState]) -> None:
    """Each child whose death follow-up ended the membership shows its BPJS step so (in place)."""
    ended = {f.birth_order: f.documents["bpjs_status"] for f in follow_ups
             if f.kind is FollowUpKind.DEATH and "bpjs_status" in f.documents}
    for c in state.children:
        st = c.services.get(Service.BPJS)
        if st is not None and c.birth_order in ended:
            st.facts = ended_facts(st.facts, ended[c.birth_order])
