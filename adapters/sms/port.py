"""What the family notice needs from an SMS gateway, in our terms."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel


class Sms(BaseModel):
    phone: str  # as the hospital gave it: 08..., 628... or +628...
    text: str
    reference: str  # our id for this message: sending it again never delivers it twice


class SmsAccepted(BaseModel):
    message_id: str
    segments: int


class SmsPort(Protocol):
    async def send(self, sms: Sms) -> SmsAccepted: ...

    async def aclose(self) -> None: ...


def e164(phone: str) -> str:
    """An Indonesian mobile number as +62..., whichever way it was written."""
    digits = phone.strip().removeprefix("+")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return "+" + digits
