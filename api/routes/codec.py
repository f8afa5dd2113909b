"""The codec endpoint the Temporal Web UI calls to show decrypted payloads to authorised people.

Protocol: POST /codec/decode (and /encode) with `{"payloads": [...]}` in protobuf JSON, answered
in kind. Only supervisors and auditors may decode or encode, and every call is audited (encode too:
it is how a signal's input reaches a running workflow from the Web UI), so the Web UI is no way
around the API's roles and audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from pydantic import BaseModel, ConfigDict
from temporalio.api.common.v1 import Payloads

from api.auth import audit
from api.auth.deps import AUTH_RESPONSES, Allow
from api.auth.roles import Principal, Role
from api.deps import SessionDep

router = APIRouter(prefix="/codec", tags=["codec"], responses={
    **AUTH_RESPONSES, 400: {"description": "Not a payload list, or a key this deployment does not have"}})
# The Web UI cannot send our CSRF header; decoding changes nothing, and CORS admits only the UI's origin.
CodecUsers = Annotated[Principal, Depends(Allow(Role.supervisor, Role.auditor, csrf=False))]


class PayloadsJson(BaseModel):
    model_config = ConfigDict(extra="allow")
    payloads: list[dict] = []


def _parse(body: PayloadsJson) -> Payloads:
    try:
        return json_format.ParseDict(body.model_dump(), Payloads())
    except (json_format.ParseError, DecodeError, ValueError) as exc:
        raise HTTPException(400, f"not a list of Temporal payloads: {exc}") from None


async def _apply(request: Request, body: PayloadsJson, decode: bool) -> dict:
    codec = request.app.state.payload_codec
    payloads = list(_parse(body).payloads)
    if codec is not None:
        try:
            payloads = await (codec.decode(payloads) if decode else codec.encode(payloads))
        except Exception as exc:  # noqa: BLE001 - unknown key id, tampered payload
            verb = "decode" if decode else "encode"
            raise HTTPException(400, f"cannot {verb}: {type(exc).__name__}") from None
    return json_format.MessageToDict(Payloads(payloads=payloads))


@router.post("/decode")
async def decode(body: PayloadsJson, who: CodecUsers, request: Request, session: SessionDep,
                 x_namespace: Annotated[str | None, Header(max_length=255)] = None) -> dict:
    """Decrypt payloads for display (audited)."""
    out = await _apply(request, body, True)
    await run_in_threadpool(audit.record, session=session, who=who, action="codec.decode",
                            details={"namespace": x_namespace, "payloads": len(body.payloads)})
    return out


@router.post("/encode")
async def encode(body: PayloadsJson, who: CodecUsers, request: Request, session: SessionDep,
                 x_namespace: Annotated[str | None, Header(max_length=255)] = None) -> dict:
    """Encrypt payloads the Web UI sends, e.g. a signal's input (audited)."""
    out = await _apply(request, body, False)
    await run_in_threadpool(audit.record, session=session, who=who, action="codec.encode",
                            details={"namespace": x_namespace, "payloads": len(body.payloads)})
    return out
