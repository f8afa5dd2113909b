"""Load the shared synthetic population as BPJS memberships, once per database."""

from __future__ import annotations

from datetime import date
from random import Random

from sqlmodel import Session

from simulators.bpjs.models import Family, Member, SeedState
from simulators.bpjs.service import PPU_COVERED_CHILDREN, virtual_account_for
from simulators.bpjs.settings import BpjsSimSettings
from simulators.population import FamilyRecord, PersonRecord, generate_population

ARREARS_MONTHS = 6  # how far behind a NONAKTIF family is when the simulator starts


def _cards(seed: int):
    # Deterministic per seed, so a card seen in one run means the same person in the next.
    rng = Random(f"bpjs-cards-{seed}")  # noqa: S311 - synthetic identifiers, not security
    seen: set[int] = set()
    while True:
        n = rng.randrange(10**10, 10**11)
        if n not in seen:
            seen.add(n)
            yield f"00{n:011d}"


def seed_population(*, session: Session, settings: BpjsSimSettings, today: date) -> int:
    """Insert every member of every family with a membership; returns the member count."""
    cards = _cards(settings.seed)
    month = today.replace(day=1)
    arrears_from = date(month.year - (month.month <= ARREARS_MONTHS),
                        (month.month - ARREARS_MONTHS - 1) % 12 + 1, 1)
    count = 0
    for rec in generate_population(settings.seed, settings.families):
        if rec.bpjs_segment == "NONE":
            continue
        people = _members_of(rec)
        head_card = next(cards)
        family = _family(rec, virtual_account_for(head_card))
        session.add(family)
        session.flush()
        children = 0
        for i, person in enumerate(people):
            card = head_card if i == 0 else next(cards)
            member = _member(rec, person, card, family)
            if person.relationship == "ANAK":
                children += 1
                member.pays_own = member.pays_own or (
                    rec.bpjs_segment == "PPU" and children > PPU_COVERED_CHILDREN)
            if rec.bpjs_segment == "NONAKTIF":
                member.amount_due = ARREARS_MONTHS * settings.participant_premium(member.kelas)
                member.arrears_from = arrears_from
            session.add(member)
            count += 1
    session.add(SeedState(key="population", seed=settings.seed, families=settings.families))
    session.commit()
    return count


def _members_of(rec: FamilyRecord) -> list[PersonRecord]:
    # The head first: the family VA is derived from the head's card.
    head = [rec.husband] if rec.husband else []
    return head + [rec.wife, *rec.children]


def _family(rec: FamilyRecord, va: str) -> Family:
    # A NONAKTIF family is a self-paying family that stopped paying.
    segment = "PBPU" if rec.bpjs_segment == "NONAKTIF" else rec.bpjs_segment
    kelas = "3" if segment == "PBI" else rec.bpjs_class
    return Family(segment=segment, kelas=kelas, virtual_account=va, ppu_wage=rec.ppu_wage)


def _member(rec: FamilyRecord, person: PersonRecord, card: str, family: Family) -> Member:
    return Member(
        no_kartu=card, nik=person.nik, name=person.name,
        sex="L" if person.sex == "male" else "P", birth_date=person.birth_date,
        family_id=family.id, relationship=person.relationship, segment=family.segment,
        kelas=family.kelas, status="NONAKTIF" if rec.bpjs_segment == "NONAKTIF" else "AKTIF",
        pays_own=family.segment == "PBPU",
    )
