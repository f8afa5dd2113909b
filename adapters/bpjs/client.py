"""BPJS Kesehatan over the bridging protocol: newborn enrolment, status, end and name update."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import httpx
from pydantic import BaseModel, ValidationError

from adapters.bpjs import bridging
from adapters.bpjs.wire import (
    EndRequest,
    Envelope,
    Membership,
    NewbornRequest,
    Refusal,
    StatusRequest,
    UpdateRequest,
)
from adapters.errors import BusinessRejection, TransientError
from adapters.http import pooled_client
from domain.contracts import BpjsEndInput, BpjsEnrolInput, BpjsMembership, BpjsUpdateInput

log = logging.getLogger(__name__)

# The real gateways expect JSON under this (wrong) content type; some reject anything else.
_CONTENT_TYPE = "Application/x-www-form-urlencoded"
_STATUSES = ("DIDAFTARKAN", "MENUNGGU_PEMBAYARAN", "AKTIF")
_ALL_STATUSES = (*_STATUSES, "NONAKTIF")


class BpjsClient:
    """Implements `BpjsPort`; one pooled HTTP client, every request freshly signed."""

    def __init__(
        self,
        base_url: str,
        *,
        cons_id: str,
        secret: str,
        user_key: str,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._cons_id, self._secret, self._user_key = cons_id, secret, user_key
        self._clock = clock
        self._owns_client = client is None
        self._client = client or pooled_client(timeout=timeout)

    async def enrol_newborn(self, req: BpjsEnrolInput) -> BpjsMembership:
        """Enrol the baby in the mother's membership (BPJS is idempotent by the baby's NIK)."""
        body = NewbornRequest(
            nik_ibu=req.mother_nik, nik_bayi=req.child_nik, nama_bayi=req.child_name,
            tgl_lahir=req.birth_date, jenis_kelamin="L" if req.sex == "male" else "P",
        )
        return _to_contract(await self._post("/kepesertaan/bayi", body))

    async def membership_status(self, card_number: str) -> BpjsMembership:
        """The current state of a card, e.g. whether the family VA has been paid."""
        return _to_contract(await self._post("/kepesertaan/status",
                                             StatusRequest(no_kartu=card_number)))

    async def end_membership(self, req: BpjsEndInput) -> BpjsMembership:
        """End the membership of a member who died (idempotent: an ended card answers NONAKTIF)."""
        body = EndRequest(no_kartu=req.card_number, alasan=req.reason,
                          tgl_meninggal=req.date_of_death)
        return _to_contract(await self._post("/kepesertaan/nonaktif", body),
                            statuses=_ALL_STATUSES)

    async def update_member(self, req: BpjsUpdateInput) -> BpjsMembership:
        """Change the member's name after a correction (idempotent: the same name again)."""
        body = UpdateRequest(no_kartu=req.card_number, nama=req.child_name)
        return _to_contract(await self._post("/kepesertaan/ubah", body), statuses=_ALL_STATUSES)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _post(self, path: str, request: BaseModel) -> Membership:
        timestamp = str(int(self._clock()))
        headers = bridging.sign_headers(cons_id=self._cons_id, secret=self._secret,
                                        user_key=self._user_key, timestamp=timestamp)
        headers["Content-Type"] = _CONTENT_TYPE
        content = json.dumps({"request": request.model_dump(mode="json", by_alias=True)})
        try:
            resp = await self._client.post(self._base + path, content=content, headers=headers)
        except httpx.HTTPError as exc:  # timeouts, refused connections, broken streams
            raise TransientError(f"BPJS {path}: {type(exc).__name__}") from exc
        envelope = self._envelope(path, resp)
        code, message = envelope.meta_data.code, envelope.meta_data.message
        plain = self._open(path, envelope, timestamp) if envelope.response else None
        if code != "200":
            try:
                reason = Refusal.model_validate_json(plain).kode if plain else "DITOLAK_BPJS"
            except ValidationError:
                reason = "DITOLAK_BPJS"
            raise BusinessRejection(reason, message)
        if plain is None:
            raise TransientError(f"BPJS {path}: code 200 without a response")
        try:
            return Membership.model_validate_json(plain)
        except ValidationError as exc:
            raise TransientError(f"BPJS {path}: unexpected response shape") from exc

    def _envelope(self, path: str, resp: httpx.Response) -> Envelope:
        status = resp.status_code
        if status in (401, 403):
            # Wrong credentials or clock skew: retrying will not help until a person fixes it,
            # but the bundle must not be lost meanwhile. Never log the headers (secrets).
            log.error("BPJS refused our signature (HTTP %s on %s): check cons_id, secret, "
                      "user_key and the host clock", status, path)
            raise TransientError(f"BPJS {path}: authentication refused", status_code=status)
        if status == 429 or status >= 500:
            raise TransientError(f"BPJS {path}: HTTP {status}", status_code=status)
        if status == 404:
            # A route that does not exist means a wrong base URL, not a refused enrolment.
            log.error("BPJS answered 404 on %s: check the base URL", path)
            raise TransientError(f"BPJS {path}: HTTP 404", status_code=status)
        try:
            envelope = Envelope.model_validate_json(resp.content)
        except ValidationError as exc:
            raise TransientError(f"BPJS {path}: HTTP {status} without an envelope",
                                 status_code=status) from exc
        if status >= 400:
            # A request BPJS cannot read will be refused again: a person must look at it.
            raise BusinessRejection("PERMINTAAN_TIDAK_VALID", envelope.meta_data.message)
        return envelope

    def _open(self, path: str, envelope: Envelope, timestamp: str) -> str:
        try:
            return bridging.open_response(envelope.response or "", cons_id=self._cons_id,
                                          secret=self._secret, timestamp=timestamp)
        except bridging.EnvelopeError as exc:
            log.error("BPJS response on %s could not be decrypted: check cons_id and secret", path)
            raise TransientError(f"BPJS {path}: undecryptable response") from exc


def _to_contract(m: Membership, statuses: tuple[str, ...] = _STATUSES) -> BpjsMembership:
    if m.status not in statuses:
        # NONAKTIF (arrears) is not a state of an enrolment we can act on: a person must.
        # Ending or updating a membership accepts it: NONAKTIF is the answer to a death.
        raise BusinessRejection("PESERTA_TIDAK_AKTIF", f"status kepesertaan {m.status}")
    return BpjsMembership(
        card_number=m.no_kartu, status=m.status, segment=m.segmen, class_=m.kelas,
        virtual_account=m.virtual_account, amount_due=m.tagihan, arrears_from=m.tunggakan_sejak,
    )
