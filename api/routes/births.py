"""Hospital intake and bundle queries: /v1/births."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from api import actions, intake, submitted
from api.auth.deps import AUTH_RESPONSES, Actors, HospitalOnly, Readers
from api.auth.roles import Role
from api.bundle_access import audited_view, visible_bundle
from api.console import notes
from api.console.i18n import Translator
from api.deps import CipherDep, SessionDep, SettingsDep, TemporalDep
from api.schemas import (
    ActionResult,
    BirthAccepted,
    BundlePage,
    BundlePublic,
    BundleSummary,
    DocumentPublic,
    ErrorOut,
    FieldWarning,
    FollowUpAttention,
    NameIn,
)
from domain import after_death
from domain.contracts import BundleStatus, ProvideNameInput, Service, ServiceStatus
from domain.notification import BirthNotification, intake_problems, intake_warnings
from domain.strict import IsoDate, IsoDateTime
from store import bundles, crud, documents

router = APIRouter(prefix="/v1/births", tags=["births"], responses=AUTH_RESPONSES)
BundleId = Annotated[uuid.UUID, Path(description="The bundle id returned by POST /v1/births")]
E404 = {404: {"model": ErrorOut, "description": "No such bundle"}}
ENGLISH = Translator("en")


@router.post(
    "", status_code=202, response_model=BirthAccepted,
    responses={409: {"model": ErrorOut, "description": "Record id already used for different content"},
               429: {"model": ErrorOut, "description": "This hospital's intake rate is exceeded; "
                                                       "retry after `Retry-After` seconds"}},
)
async def post_birth(notification: BirthNotification, who: HospitalOnly, request: Request,
                     response: Response, settings: SettingsDep, cipher: CipherDep) -> BirthAccepted:
    """Report one delivery; keeps it and starts (or finds) its bundle. Same record again -> same bundle id.

    202 means the birth is kept: its workflow starts right after (or, while Temporal is unavailable,
    as soon as it is back)."""
    hospital = who.subject
    wait = request.app.state.intake_limiter.take(hospital)
    if wait:
        raise HTTPException(429, "intake rate for this hospital exceeded; retry later",
                            headers={"Retry-After": request.app.state.intake_limiter.retry_after(wait)})
    problems = intake_problems(notification, intake.today_wib(), datetime.now(UTC))
    if problems:
        raise RequestValidationError([
            {"type": "value_error", "loc": ("body", *loc), "msg": msg, "input": None}
            for loc, msg in problems
        ])
    try:
        acc = await intake.accept_birth(notification=notification, hospital_id=hospital,
                                        settings=settings, engine=request.app.state.engine,
                                        writer=request.app.state.writer, cipher=cipher,
                                        starter=request.app.state.starter)
    except intake.ConflictingRecord:
        raise HTTPException(409, "record_id was already reported with different content") from None
    url = str(request.url_for("get_birth", bundle_id=acc.bundle_id))
    response.headers["Location"] = url
    warnings = [FieldWarning(loc=["body", *loc], msg=msg) for loc, msg in intake_warnings(notification)]
    return BirthAccepted(bundle_id=acc.bundle_id, status=acc.status, status_url=url, duplicate=acc.duplicate,
                         warnings=warnings)


@router.get("/{bundle_id}", response_model=BundlePublic, responses=E404)
def get_birth(bundle_id: BundleId, who: Readers, session: SessionDep, settings: SettingsDep,
              cipher: CipherDep) -> BundlePublic:
    """A bundle's status: per child and per service, with document numbers and the timeline.

    Hospitals see their own bundles, operators those of their office, auditors all; operators'
    views are written to the audit log. `submitted` is the family as the hospital sent it: whole for
    that hospital, NIKs and KK number masked for operators (`POST .../submitted/reveal`)."""
    row = audited_view(session, bundle_id, who)
    state = bundles.load_state(session=session, row=row, cipher=cipher)
    follow_ups = crud.follow_ups_of(session=session, bundle_id=row.id, cipher=cipher)
    docs = [] if row.anonymised_at else documents.views(session=session, cipher=cipher, state=state,
                                                         follow_ups=follow_ups)
    documents.show_in_force(state, docs)
    after_death.show_membership_ended(state, follow_ups)  # a death reported after completion
    public = BundlePublic.model_validate(state.model_dump())
    _in_english(public)
    if who.role is Role.hospital:  # the earlier bundle may be another hospital's: operators only
        public.suspected_duplicate_of = public.duplicate_of = None
    public.anonymised_at = row.anonymised_at
    # The family as sent: whole for the hospital that sent it, masked for staff (api/submitted.py).
    public.submitted = submitted.load(session=session, cipher=cipher, bundle_id=row.id, who=who)
    public.follow_up_status = follow_ups
    public.documents = [DocumentPublic(birth_order=d.birth_order, kind=d.kind, number=d.number,
                                       issued_at=d.issued_at, superseded_by=d.superseded_by) for d in docs]
    if settings.temporal_ui_url:
        public.temporal_ui_url = (f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
                                  f"/workflows/{row.id}")
    return public


def _in_english(public: BundlePublic) -> None:
    """Each service's and timeline event's `message`: the catalogue's English for its note, so the API
    and the console say the same thing; where a note has no code (written before codes), the
    workflow's own English text."""
    for st in (public.routing, public.kk, *(s for c in public.children for s in c.services.values())):
        st.message = notes.say(ENGLISH, st.note, st.params) if st.note else st.detail
    for e in public.timeline:
        if e.note:
            e.message = notes.say(ENGLISH, e.note, e.params)


@router.get("", response_model=BundlePage)
def list_births(
    who: Readers,
    session: SessionDep,
    status: BundleStatus | None = None,
    hospital_id: Annotated[str | None, Query(max_length=64)] = None,
    service: Service | None = None,
    service_status: ServiceStatus | None = None,
    born_from: IsoDate | None = None,  # ISO 8601 only: `0.5` is not a date (domain/strict.py)
    born_to: IsoDate | None = None,
    received_from: IsoDateTime | None = None,
    received_to: IsoDateTime | None = None,
    deadline_risk: Annotated[bool | None, Query(description="an open service near/past its deadline")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> BundlePage:
    """Bundles, newest first, filtered by status, hospital, service status and date ranges.

    Holds no personal data. A hospital lists only its own bundles, an operator those of their office.
    `status=needs_attention` also lists bundles (still `completed`) with a follow-up after issue waiting
    for a person, each named in `follow_ups_needing_attention`."""
    if who.role is Role.hospital:
        hospital_id = who.subject
    flt = crud.BundleFilter(
        office_code=who.office_code if who.role in (Role.operator, Role.supervisor) else None,
        status=status.value if status else None, hospital_id=hospital_id,
        service=service.value if service else None,
        service_status=service_status.value if service_status else None,
        born_from=born_from, born_to=born_to, received_from=received_from, received_to=received_to,
        deadline_risk=deadline_risk)
    rows, total = crud.list_bundles(session=session, flt=flt, limit=limit, offset=offset)
    waiting = crud.follow_ups_needing_attention(session=session, bundle_ids=[r.id for r in rows])
    items = [BundleSummary(bundle_id=r.id, hospital_id=r.hospital_id, record_id=r.record_id,
                           status=r.status, birth_date=r.birth_date, received_at=r.received_at,
                           completed_at=r.completed_at, office_code=r.office_code,
                           child_count=r.child_count, reasons=[x for x in r.reasons.split(",") if x],
                           deadline_risk=r.deadline_risk,
                           follow_ups_needing_attention=[
                               FollowUpAttention(follow_up_id=f.workflow_id, kind=f.kind,
                                                 birth_order=f.birth_order, reason=f.reason)
                               for f in waiting.get(r.id, [])])
             for r in rows]
    return BundlePage(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/{bundle_id}/children/{birth_order}/name", response_model=ActionResult,
    responses={**E404, 409: {"model": ErrorOut, "description": "The bundle's state does not allow it"}},
)
async def provide_name(bundle_id: BundleId, birth_order: Annotated[int, Path(ge=1, le=9)], body: NameIn,
                       who: Actors, session: SessionDep, client: TemporalDep) -> ActionResult:
    """Give the name of a baby discharged without one; its akta, KIA and the KK then proceed."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(client, session, who, row.id, "provide_name",
                                       ProvideNameInput(birth_order=birth_order, name=body.name),
                                       action="child.name", details={"birth_order": birth_order})
    return ActionResult(bundle_id=row.id, message=res.message)
