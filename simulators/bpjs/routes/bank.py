"""The bank stand-in: unsigned, as a bank is not a bridging consumer."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from simulators.bpjs.deps import SessionDep, StateDep
from simulators.bpjs.payments import UnknownVirtualAccount, pay
from simulators.bpjs.schemas import PaymentIn, PaymentOut

router = APIRouter(prefix="/bank", tags=["bank"])


@router.post("/pembayaran", response_model_by_alias=True)
def pembayaran(payment: PaymentIn, state: StateDep, session: SessionDep) -> PaymentOut:
    """Pay into a family virtual account; settled bills turn AKTIF."""
    with state.write_lock:
        try:
            result = pay(session=session, payment=payment)
        except UnknownVirtualAccount as exc:
            raise HTTPException(status_code=404, detail="virtual account tidak dikenal") from exc
        session.commit()
    return result
