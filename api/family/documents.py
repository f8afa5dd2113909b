"""Which documents a bundle's family may download: read from the read model, after corrections."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from domain.contracts import FollowUpKind, Service, ServiceStatus
from store import bundles, crud
from store.cipher import StateCipher


@dataclass(frozen=True)
class ChildDocuments:
    birth_order: int
    sex: str
    akta_number: str | None  # the one in force (a correction replaces it)
    nik: str | None  # the KIA's key, once the KIA is issued; never for a child who died
    died_on: str | None
    deceased: bool = False  # reported dead to the bundle or by a death follow-up
    # The akta kematian's register number once the death follow-up issued it (then its PDF can be
    # downloaded); until then the page says it follows (the akta kelahiran stands either way).
    death_certificate: str | None = None


@dataclass(frozen=True)
class FamilyDocuments:
    office: str | None
    kk_number: str | None
    children: list[ChildDocuments]


def for_bundle(*, session: Session, cipher: StateCipher, bundle_id: str) -> FamilyDocuments:
    """The documents as they stand now; nothing once retention removed the bundle's personal data."""
    row = crud.get_bundle(session=session, bundle_id=bundle_id)
    if row is None or row.anonymised_at is not None:
        return FamilyDocuments(office=None, kk_number=None, children=[])
    state = bundles.load_state(session=session, row=row, cipher=cipher)
    follow_ups = crud.follow_ups_of(session=session, bundle_id=bundle_id, cipher=cipher)
    done = [f for f in follow_ups
            if f.kind is FollowUpKind.CORRECTION and f.completed_at and f.documents.get("akta")]
    # The latest correction of each child wins.
    corrected = {f.birth_order: f.documents["akta"] for f in sorted(done, key=lambda f: f.completed_at)}
    # A death reported after the bundle completed lives in its follow-up only.
    died = {f.birth_order: f.documents.get("akta_kematian")
            for f in follow_ups if f.kind is FollowUpKind.DEATH}
    children = []
    for c in state.children:
        if c.outcome != "live":
            continue
        akta, kia = c.services.get(Service.AKTA), c.services.get(Service.KIA)
        deceased = c.died_on is not None or c.birth_order in died
        children.append(ChildDocuments(
            birth_order=c.birth_order, sex=c.sex,
            akta_number=corrected.get(c.birth_order) or (akta.document_number if _done(akta) else None),
            # A KIA is an identity card to collect and carry: not for a child who died.
            nik=kia.document_number if _done(kia) and not deceased else None,
            died_on=c.died_on.isoformat() if c.died_on else None,
            deceased=deceased, death_certificate=died.get(c.birth_order)))
    kk = state.kk.document_number if _done(state.kk) else None
    return FamilyDocuments(office=state.office_code, kk_number=kk, children=children)


def _done(st) -> bool:
    return st is not None and st.status is ServiceStatus.COMPLETED and bool(st.document_number)
