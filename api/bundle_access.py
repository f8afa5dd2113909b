"""Loading a bundle on behalf of a principal: what it may not see looks exactly like what is missing."""

from __future__ import annotations

import uuid

from fastapi import HTTPException
from sqlmodel import Session

from api.auth import audit
from api.auth.roles import Principal, Role
from store import crud
from store.models import Bundle

NOT_FOUND = "bundle not found"


def visible_bundle(session: Session, bundle_id: uuid.UUID | str, who: Principal) -> Bundle:
    row = crud.get_bundle(session=session, bundle_id=str(bundle_id))
    if row is None or not who.may_see(hospital_id=row.hospital_id, office_code=row.office_code):
        raise HTTPException(404, NOT_FOUND)
    return row


def audited_view(session: Session, bundle_id: uuid.UUID | str, who: Principal) -> Bundle:
    """Like visible_bundle; an operator's (not a hospital's) view of personal data is audited."""
    row = visible_bundle(session, bundle_id, who)
    if who.role is not Role.hospital:
        audit.record(session=session, who=who, action="bundle.view", bundle_id=row.id)
    return row
