"""The httpx client for the SMS gateway: our message in, wire format out, failures classified."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from adapters.errors import BusinessRejection, TransientError
from adapters.http import pooled_client
from adapters.sms import wire
from adapters.sms.port import Sms, SmsAccepted, e164

_RETRYABLE = frozenset({401, 403, 408, 425, 429})  # 401/403: our key is wrong; fixed, retries succeed


class SmsGatewayClient:
    """Implements SmsPort; never logs or echoes a phone number or a message body."""

    def __init__(self, base_url: str, *, api_key: str, sender: str = "DUKCAPIL", timeout: float = 10.0,
                 client: httpx.AsyncClient | None = None) -> None:
        self._sender = sender
        self._owned = client is None
        self._http = client or pooled_client(base_url=base_url, timeout=timeout)
        self._headers = {"X-Api-Key": api_key, "Accept": "application/json"}

    async def aclose(self) -> None:
        if self._owned:
            await self._http.aclose()

    async def send(self, sms: Sms) -> SmsAccepted:
        body = wire.PesanBaru(tujuan=e164(sms.phone), isi=sms.text, pengirim=self._sender,
                              referensi=sms.reference)
        try:
            resp = await self._http.post("/v1/pesan", json=body.model_dump(), headers=self._headers)
        except httpx.TimeoutException as exc:
            raise TransientError(f"SMS gateway timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        if resp.status_code >= 500 or resp.status_code in _RETRYABLE:
            raise TransientError(f"SMS gateway answered HTTP {resp.status_code}",
                                 status_code=resp.status_code)
        if resp.status_code >= 400:
            raise _rejection(resp)
        try:
            got = wire.PesanDiterima.model_validate_json(resp.content)
        except ValidationError as exc:
            raise TransientError("SMS gateway answered with an unexpected body",
                                 status_code=resp.status_code) from exc
        return SmsAccepted(message_id=got.id, segments=got.segmen)


def _rejection(resp: httpx.Response) -> BusinessRejection:
    try:
        refusal = wire.Galat.model_validate_json(resp.content)
    except ValidationError:
        return BusinessRejection("SMS_DITOLAK", f"SMS gateway answered HTTP {resp.status_code}")
    return BusinessRejection(refusal.kode, refusal.pesan[:200])
