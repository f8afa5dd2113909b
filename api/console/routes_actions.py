"""Actions as HTML forms: each validates with the JSON API's own body model and calls the JSON API's
route function, so the console and the API share one path to `audited_update` and the follow-ups.

Roles are declared here too (operators vs supervisors), so the server refuses what the page hides;
a refusal by the workflow comes back as a flash message on the bundle page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from api.console import routes_bundle
from api.console.routes_bundle import bundle_key
from api.console.web import (
    PREFIX,
    Acting,
    ConsoleError,
    ConsoleTemporal,
    Supervising,
    message,
    redirect,
    render,
)
from api.deps import CipherDep, SessionDep, SettingsDep
from api.routes import births, followups, operations
from api.schemas import NameIn

M = TypeVar("M", bound=BaseModel)
router = APIRouter(prefix=f"{PREFIX}/bundles/{{bundle_id}}", include_in_schema=False)
# The workflow's and the API's refusals, in the reader's language (others are shown as they are).
REFUSALS = {
    "not waiting for a retry": "ref_not_waiting", "no further changes": "ref_finished",
    "already has a name": "ref_has_name", "Kepala Dinas decision": "ref_no_kadis",
    "SPTJM decision": "ref_no_sptjm", "can be forwarded": "ref_not_forwardable",
    "akta is already issued": "ref_akta_issued", "KK number can only change": "ref_kk_locked",
    "not held as a suspected duplicate": "ref_not_held",
    "corrections apply to completed": "ref_completed_only", "must be issued first": "ref_not_issued",
    "death was already reported": "ref_death_known", "before the birth": "ref_death_early",
    "retention policy": "ref_anonymised", "already the name on the akta": "ref_fu_same_name",
    "in the future (WIB)": "ref_fu_future_death", "follow-up of this child is running": "ref_fu_running",
}
FIELDS = {"reason": "fld_reason", "name": "fld_name", "decision_number": "fld_decision",
          "office": "fld_office", "reference": "fld_reference", "mother": "fld_mother_nik",
          "father": "fld_father_nik", "kk_number": "fld_kk", "date_of_death": "fld_death_date",
          "place_of_death": "fld_death_place", "child_name": "fld_new_name", "service": "f_service",
          "birth_order": "fld_child", "accept": "a_sptjm"}


class Invalid(Exception):
    def __init__(self, fields: list[str]) -> None:
        self.fields = fields


# A corrected mother's NIK that makes a child one already reported elsewhere (workflows/corrections.py):
# the words, then the earlier bundle's id, which the clerk opens next.
_DUP_MOTHER = re.compile(r"^DUPLIKAT_DICURIGAI: with this mother's NIK .*? bundle ([0-9a-f-]{36})")


def _refusal(detail: str) -> str:
    if dup := _DUP_MOTHER.match(detail):
        return f"@ref_dup_mother,{dup[1]}"
    return next((f"@{key}" for text, key in REFUSALS.items() if text in detail), detail)


def _model(model: type[M], data: dict) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        names = {str(e["loc"][0]) if e["loc"] else "?" for e in exc.errors()}
        raise Invalid(sorted(names)) from None


def _order(form) -> int | None:
    value = str(form.get("birth_order") or "")
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 9:
        raise Invalid(["birth_order"])
    return int(value)


Keep = Callable[[int, str, dict, dict], Awaitable[Response]]


async def _act(bundle_id: str, request: Request, ok_key: str,
               call: Callable[[uuid.UUID, dict], Awaitable[dict]], keep: Keep | None = None) -> Response:
    """Run one action and come back to the bundle page with what happened.

    `keep` renders a refusal in place instead (the form open, with what was typed and why)."""
    key = bundle_key(bundle_id)
    page = f"{PREFIX}/bundles/{key}"
    form = {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf_token"}
    try:
        params = await call(uuid.UUID(key), form) or {}
    except Invalid as exc:
        fields = ",".join(f"@{FIELDS.get(f, f)}" for f in exc.fields)
        status, flash, args = 422, "inv_fields", {"fields": fields}
    except RequestValidationError as exc:  # a rule the route checks itself (e.g. the same name again)
        status, flash, args = 422, "refused", {"message": _refusal("; ".join(
            str(e.get("msg", "")) for e in exc.errors()))}
    except HTTPException as exc:
        if exc.status_code == 404:
            raise ConsoleError(404, "err_not_found") from None
        if exc.status_code == 503:
            raise ConsoleError(503, "err_unavailable") from None
        status, flash, args = 409, "refused", {"message": _refusal(str(exc.detail))}
    else:
        return redirect(page, flash=("ok", ok_key, params))
    if keep is not None:
        return await keep(status, flash, args, form)
    return redirect(page, flash=("error", flash, args))


@router.post("/name")
async def name(bundle_id: str, request: Request, who: Acting, session: SessionDep,
               client: ConsoleTemporal) -> Response:
    """The baby's name, for a child discharged without one."""
    async def call(bid: uuid.UUID, form: dict) -> None:
        order, body = _order(form), _model(NameIn, {"name": form.get("name", "")})
        await births.provide_name(bundle_id=bid, birth_order=order or 1, body=body, who=who,
                                  session=session, client=client)
    return await _act(bundle_id, request, "ok_name", call)


@router.post("/retry")
async def retry(bundle_id: str, request: Request, who: Acting, session: SessionDep,
                client: ConsoleTemporal) -> Response:
    """Retry one service now (or check a BPJS payment now)."""
    async def call(bid: uuid.UUID, form: dict) -> None:
        body = _model(operations.RetryIn, {"service": form.get("service"), "birth_order": _order(form),
                                           "reason": form.get("reason", "")})
        await operations.retry_service(bundle_id=bid, body=body, who=who, session=session, client=client)
    return await _act(bundle_id, request, "ok_retry", call)


@router.post("/forward")
async def forward(bundle_id: str, request: Request, who: Acting, session: SessionDep,
                  client: ConsoleTemporal) -> Response:
    """Hand a bundle no connected office serves to the family's own Disdukcapil."""
    async def call(bid: uuid.UUID, form: dict) -> dict:
        body = _model(operations.ForwardIn, {k: form.get(k, "") for k in ("office", "reference", "reason")})
        await operations.forward_bundle(bundle_id=bid, body=body, who=who, session=session, client=client)
        return {"office": body.office}
    return await _act(bundle_id, request, "ok_forward", call)


@router.get("/parents")
def parents_page(bundle_id: str, who: Acting) -> Response:
    """A refused correction is shown at its POST address: a reload or a history step lands here."""
    return redirect(f"{PREFIX}/bundles/{bundle_key(bundle_id)}")


@router.post("/parents")
async def parents(bundle_id: str, request: Request, who: Acting, session: SessionDep, settings: SettingsDep,
                  cipher: CipherDep, client: ConsoleTemporal) -> Response:
    """Correct the mother's or father's NIK and name, or the KK number, before any akta is issued.

    A refusal keeps the form open with what was typed: NIKs and names are long to type again."""
    async def keep(status: int, key: str, params: dict, form: dict) -> Response:
        ctx = await run_in_threadpool(routes_bundle.page, session, cipher, settings, bundle_id, who)
        v = ctx["v"]
        if "parents" not in v.can:  # no form to keep any more (e.g. an akta issued meanwhile)
            return redirect(f"{PREFIX}/bundles/{v.row.id}", flash=("error", key, params))
        ctx["parents_form"] = {"values": form, "error": message(request, key, params)}
        response = render(request, "bundle.html", ctx, who=who, status=status)
        response.headers["HX-Push-Url"] = f"{PREFIX}/bundles/{v.row.id}"  # history: the page, not the POST
        return response

    async def call(bid: uuid.UUID, form: dict) -> None:
        data: dict = {"reason": form.get("reason", "")}
        for who_ in ("mother", "father"):
            if form.get(f"{who_}_nik") or form.get(f"{who_}_name"):
                data[who_] = {"nik": form.get(f"{who_}_nik", ""), "name": form.get(f"{who_}_name", "")}
        if form.get("kk_number"):
            data["kk_number"] = form["kk_number"]
            if form.get("routed") and form.get("confirm_reroute") != "yes":
                # Routed already: the new KK may move the bundle; the page warned, the operator confirms.
                raise HTTPException(409, "@ref_kk_unconfirmed")
        body = _model(operations.ParentsIn, data)
        await operations.correct_parents(bundle_id=bid, body=body, who=who, session=session, client=client)
    return await _act(bundle_id, request, "ok_parents", call, keep)


@router.post("/death")
async def death(bundle_id: str, request: Request, who: Acting, session: SessionDep, settings: SettingsDep,
                cipher: CipherDep, client: ConsoleTemporal) -> Response:
    """A baby born alive died: the akta kelahiran stands; the death follow-up does the rest."""
    async def call(bid: uuid.UUID, form: dict) -> None:
        order = _order(form) or 1
        body = _model(followups.DeathIn, {k: form.get(k, "") for k in ("date_of_death", "place_of_death")})
        await followups.report_death(bundle_id=bid, birth_order=order, body=body, who=who, session=session,
                                     settings=settings, cipher=cipher, client=client)
    return await _act(bundle_id, request, "ok_death", call)


@router.post("/correction")
async def correction(bundle_id: str, request: Request, who: Acting, session: SessionDep,
                     settings: SettingsDep, cipher: CipherDep, client: ConsoleTemporal) -> Response:
    """Correct a child's name after issue: the akta is reissued, then KIA, KK and BPJS."""
    async def call(bid: uuid.UUID, form: dict) -> None:
        order = _order(form) or 1
        body = _model(followups.CorrectionIn, {k: form.get(k, "") for k in ("child_name", "reason")})
        await followups.request_correction(bundle_id=bid, birth_order=order, body=body, who=who,
                                           session=session, settings=settings, cipher=cipher, client=client)
    return await _act(bundle_id, request, "ok_correction", call)


@router.post("/decision")
async def decision(bundle_id: str, request: Request, who: Supervising, session: SessionDep,
                   client: ConsoleTemporal) -> Response:
    """Record the Kepala Dinas's decision that allows a late (LT) akta (supervisors)."""
    async def call(bid: uuid.UUID, form: dict) -> None:
        body = _model(operations.DecisionIn, {k: form.get(k, "") for k in ("decision_number", "reason")})
        await operations.record_decision(bundle_id=bid, body=body, who=who, session=session, client=client)
    return await _act(bundle_id, request, "ok_decision", call)


@router.post("/sptjm")
async def sptjm(bundle_id: str, request: Request, who: Supervising, session: SessionDep,
                client: ConsoleTemporal) -> Response:
    """Accept an SPTJM (the KK now shows the marriage) or reject it (mother only) (supervisors)."""
    async def call(bid: uuid.UUID, form: dict) -> dict:
        accept = {"yes": True, "no": False}.get(form.get("accept", ""))
        body = _model(operations.SptjmIn, {"accept": accept, "reason": form.get("reason", "")})
        await operations.decide_sptjm(bundle_id=bid, body=body, who=who, session=session, client=client)
        return {"what": "@a_sptjm_accept" if body.accept else "@a_sptjm_reject"}
    return await _act(bundle_id, request, "ok_sptjm", call)


@router.post("/duplicate")
async def duplicate(bundle_id: str, request: Request, who: Supervising, session: SessionDep,
                    client: ConsoleTemporal) -> Response:
    """Decide on a suspected duplicate: close it, linked to the earlier bundle, or let it go on."""
    async def call(bid: uuid.UUID, form: dict) -> dict:
        dup = {"yes": True, "no": False}.get(form.get("duplicate", ""))
        body = _model(operations.DuplicateIn, {"duplicate": dup, "reason": form.get("reason", "")})
        await operations.decide_duplicate(bundle_id=bid, body=body, who=who, session=session, client=client)
        return {"what": "@a_dup_yes" if body.duplicate else "@a_dup_no"}
    return await _act(bundle_id, request, "ok_duplicate", call)


@router.post("/close")
async def close(bundle_id: str, request: Request, who: Supervising, session: SessionDep,
                client: ConsoleTemporal) -> Response:
    """Close a bundle with a reason; its open services end cancelled (supervisors)."""
    async def call(bid: uuid.UUID, form: dict) -> None:
        body = _model(operations.CloseIn, {"reason": form.get("reason", "")})
        await operations.close_bundle(bundle_id=bid, body=body, who=who, session=session, client=client)
    return await _act(bundle_id, request, "ok_close", call)
