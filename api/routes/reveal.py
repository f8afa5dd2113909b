"""Revealing one masked field of what a hospital sent about a family (a NIK, the KK number)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response

from api import submitted
from api.auth.deps import AUTH_RESPONSES, StaffReaders
from api.deps import CipherDep, SessionDep
from api.schemas import ErrorOut

router = APIRouter(prefix="/v1/births/{bundle_id}", tags=["births"], responses=AUTH_RESPONSES)
E404 = {404: {"model": ErrorOut, "description": "No such bundle (or not yours to see), or the field was not "
                                                "sent, not kept or removed by retention"}}
BundleId = Annotated[uuid.UUID, Path(description="The bundle id")]


@router.post(
    "/submitted/reveal", response_model=submitted.RevealedPublic, responses=E404)
def reveal_submitted(bundle_id: BundleId, body: submitted.RevealIn, who: StaffReaders, session: SessionDep,
                     cipher: CipherDep, response: Response) -> submitted.RevealedPublic:
    """One NIK or the KK number as the hospital sent it, in full; the reveal and its reason are audited.

    `GET /v1/births/{id}` shows operators and auditors these fields masked; the body (not the URL)
    names the field, so no personal data reaches a URL or an access log."""
    response.headers["Cache-Control"] = "no-store"
    try:
        return submitted.reveal(session=session, cipher=cipher, who=who, bundle_id=str(bundle_id),
                                field=body.field, reason=body.reason)
    except submitted.NotSent:
        raise HTTPException(404, f"{body.field.value} was not sent for this bundle (or is no longer kept)"
                            ) from None
