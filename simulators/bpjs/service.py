"""Enrolment rules: the newborn joins the mother's membership, per segment (Perpres 82/2018)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlmodel import Session, select

from simulators.bpjs.models import Family, Member, MemberEnd
from simulators.bpjs.schemas import EndRequest, Membership, NewbornRequest, UpdateRequest
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.nik import read_nik

PPU_COVERED_CHILDREN = 3  # the worker's contribution covers at most three children


class Refusal(Exception):
    """A business refusal: answered as metaData code 201 with `{"kode": kode}`."""

    def __init__(self, kode: str, message: str) -> None:
        super().__init__(message)
        self.kode = kode
        self.message = message


def virtual_account_for(card: str) -> str:
    return "88888" + card[-11:]


def new_card_number(session: Session) -> str:
    """A fresh 13-digit card; '00' + 11 digits keeps the derived family VA unique too."""
    while True:
        card = f"00{secrets.randbelow(10**11):011d}"
        if session.get(Member, card) is None:
            return card


def membership_view(member: Member, family: Family) -> Membership:
    return Membership(
        no_kartu=member.no_kartu,
        nama=member.name,
        status=member.status,
        segmen=member.segment,
        kelas=member.kelas,
        virtual_account=family.virtual_account if member.pays_own else None,
        tagihan=member.amount_due,
        tunggakan_sejak=member.arrears_from,
    )


def find_by_nik(session: Session, nik: str) -> Member | None:
    return session.exec(select(Member).where(Member.nik == nik)).first()


def find_card(session: Session, no_kartu: str) -> tuple[Member, Family]:
    member = session.get(Member, no_kartu)
    if member is None:
        raise Refusal("PESERTA_TIDAK_DITEMUKAN", "Nomor kartu tidak terdaftar")
    return member, session.get(Family, member.family_id)


def _check_baby(req: NewbornRequest, today: date) -> None:
    # BPJS checks the baby against Dukcapil; the NIK itself must agree with the request.
    try:
        parsed = read_nik(req.nik_bayi, today)
    except ValueError as exc:
        raise Refusal("NIK_BAYI_TIDAK_VALID", str(exc)) from exc
    if parsed.birth_date != req.tgl_lahir or parsed.sex != (
        "male" if req.jenis_kelamin == "L" else "female"
    ):
        raise Refusal("NIK_BAYI_TIDAK_SESUAI", "NIK bayi tidak sesuai tanggal lahir/jenis kelamin")
    if req.tgl_lahir > today:
        raise Refusal("TANGGAL_LAHIR_TIDAK_VALID", "Tanggal lahir setelah hari ini")


def _bill(
    monthly: int, born: date, today: date, settings: BpjsSimSettings
) -> tuple[int, date | None]:
    """Amount due and arrears start: late enrolment owes every month since the birth month."""
    if (today - born).days <= settings.enrolment_deadline_days:
        return monthly, None
    months = (today.year - born.year) * 12 + today.month - born.month + 1
    return monthly * months, born.replace(day=1)


def enrol_newborn(
    *, session: Session, settings: BpjsSimSettings, today: date, req: NewbornRequest
) -> Member:
    """Enrol (or find) the baby; the caller serialises calls and commits."""
    existing = find_by_nik(session, req.nik_bayi)
    if existing is not None:
        return existing  # idempotent by the baby's NIK
    _check_baby(req, today)
    mother = find_by_nik(session, req.nik_ibu)
    baby = {
        "nik": req.nik_bayi, "name": req.nama_bayi, "sex": req.jenis_kelamin,
        "birth_date": req.tgl_lahir, "relationship": "ANAK", "newborn": True,
        "mother_nik": req.nik_ibu, "no_kartu": new_card_number(session),
    }
    if mother is None:
        # No membership (or a NIK BPJS does not know): a new self-paying family, class III.
        family = Family(segment="PBPU", kelas="3", seeded=False,
                        virtual_account=virtual_account_for(baby["no_kartu"]))
        session.add(family)
        session.flush()
        due, since = _bill(settings.participant_premium("3"), req.tgl_lahir, today, settings)
        member = Member(**baby, family_id=family.id, segment="PBPU", kelas="3",
                        status="MENUNGGU_PEMBAYARAN", pays_own=True, amount_due=due,
                        arrears_from=since)
    else:
        family = session.get(Family, mother.family_id)
        if mother.status == "NONAKTIF":
            raise Refusal("PESERTA_TIDAK_AKTIF", "Kepesertaan ibu tidak aktif (tunggakan iuran)")
        member = _join_family(session, settings, today, req, family, mother.kelas, baby)
    session.add(member)
    session.flush()
    return member


def _join_family(
    session: Session, settings: BpjsSimSettings, today: date, req: NewbornRequest,
    family: Family, kelas: str, baby: dict[str, Any],
) -> Member:
    """The baby joins the mother's family: segment rules decide status and bill."""
    if family.segment == "PBI":
        return Member(**baby, family_id=family.id, segment="PBI", kelas="3", status="AKTIF")
    if family.segment == "PPU":
        covered = session.exec(
            select(Member).where(
                Member.family_id == family.id, Member.relationship == "ANAK",
                Member.pays_own == False,  # noqa: E712 - SQL expression
                Member.no_kartu.not_in(select(MemberEnd.no_kartu)),  # a child who died
            )
        ).all()
        if len(covered) < PPU_COVERED_CHILDREN:
            return Member(**baby, family_id=family.id, segment="PPU", kelas=kelas,
                          status="AKTIF")
        monthly = settings.ppu_extra(family.ppu_wage or 0)
    else:
        monthly = settings.participant_premium(kelas)
    due, since = _bill(monthly, req.tgl_lahir, today, settings)
    return Member(**baby, family_id=family.id, segment=family.segment, kelas=kelas,
                  status="MENUNGGU_PEMBAYARAN", pays_own=True, amount_due=due, arrears_from=since)


def end_membership(*, session: Session, today: date, req: EndRequest) -> tuple[Member, Family]:
    """A member died: NONAKTIF from now on, pending bills cancelled; the caller commits.

    Idempotent: a membership already ended answers as it stands.
    """
    member, family = find_card(session, req.no_kartu)
    if session.get(MemberEnd, member.no_kartu) is not None:
        return member, family
    if req.tgl_meninggal > today:
        raise Refusal("TANGGAL_MENINGGAL_TIDAK_VALID", "Tanggal meninggal setelah hari ini")
    if req.tgl_meninggal < member.birth_date:
        raise Refusal("TANGGAL_MENINGGAL_TIDAK_VALID", "Tanggal meninggal sebelum tanggal lahir")
    session.add(MemberEnd(no_kartu=member.no_kartu, reason=req.alasan,
                          date_of_death=req.tgl_meninggal, cancelled_amount=member.amount_due,
                          status_before=member.status))
    # A bill left open would be settled (and the card reactivated) by the next family payment.
    member.status, member.amount_due, member.arrears_from = "NONAKTIF", 0, None
    session.add(member)
    return member, family


def update_member(*, session: Session, req: UpdateRequest) -> tuple[Member, Family]:
    """The member's name after a correction of the akta; the caller commits."""
    member, family = find_card(session, req.no_kartu)
    if member.name != req.nama:
        member.name = req.nama
        session.add(member)
    return member, family
