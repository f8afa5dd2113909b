"""The bank's side: money into a family VA activates the members it pays for, oldest first."""

from __future__ import annotations

from sqlmodel import Session, select

from simulators.bpjs.models import Family, Member, Payment
from simulators.bpjs.schemas import PaymentIn, PaymentOut


class UnknownVirtualAccount(LookupError):
    pass


def pay(*, session: Session, payment: PaymentIn) -> PaymentOut:
    """Record the transfer and apply the family's balance to its pending bills; caller commits."""
    family = session.exec(
        select(Family).where(Family.virtual_account == payment.virtual_account)
    ).first()
    if family is None:
        raise UnknownVirtualAccount(payment.virtual_account)
    session.add(Payment(virtual_account=family.virtual_account, amount=payment.jumlah))
    family.balance += payment.jumlah
    pending = session.exec(
        select(Member)
        .where(Member.family_id == family.id, Member.amount_due > 0,
               Member.status.in_(("MENUNGGU_PEMBAYARAN", "NONAKTIF")))
        .order_by(Member.created_at, Member.no_kartu)
    ).all()
    activated: list[str] = []
    for member in pending:
        # A bill is settled only in full; a partial transfer waits in the balance.
        if family.balance < member.amount_due:
            break
        family.balance -= member.amount_due
        member.amount_due, member.arrears_from, member.status = 0, None, "AKTIF"
        activated.append(member.no_kartu)
        session.add(member)
    session.add(family)
    return PaymentOut(
        virtual_account=family.virtual_account, diterima=payment.jumlah, saldo=family.balance,
        sisa_tagihan=sum(m.amount_due for m in pending), diaktifkan=activated,
    )
