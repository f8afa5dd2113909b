"""The family's download pages under /unduh/<token>: PIN first, then the documents.

Nothing personal is shown before the PIN: a wrong, expired or unknown link gets the same page,
and the PIN form names no one. Every form carries a CSRF value bound to a cookie of this link.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.responses import Response

from adapters.errors import BusinessRejection, TransientError
from adapters.sms.port import Sms
from api.deps import CipherDep, SessionDep, SettingsDep
from api.family import documents
from api.family.ports import FamilyPorts
from api.family.web import CSRF_COOKIE, PREFIX, SESSION_COOKIE, form_page, link_path, page, redirect
from domain import sms_texts as texts
from infra.settings import Settings
from store import family_access as access
from store.family_models import FamilyAccess

log = structlog.get_logger("kelahiran.family")
router = APIRouter(prefix=PREFIX, include_in_schema=False)
Token = Annotated[str, Path(min_length=1, max_length=100)]
Order = Annotated[int, Path(ge=1, le=9)]


def _now() -> datetime:
    return datetime.now(UTC)


def _ports(request: Request) -> FamilyPorts:
    return request.app.state.family_ports


def _gone(row: FamilyAccess | None) -> Response | None:
    """The page for a link that cannot be used (the same for unknown and expired ones)."""
    state = None if row is None else access.status(row, _now())
    if state in (None, "expired"):
        return page("tautan.html", {"state": "invalid"}, 404)
    if state == "locked":
        return page("tautan.html", {"state": "locked"}, 403)
    return None


def _pin_form(request: Request, token: str, row: FamilyAccess, settings: Settings, *,
              message: str | None = None, kind: str = "info", status: int = 200) -> Response:
    policy = settings.family_policy()
    return form_page(request, token, "pin.html", {
        "message": message, "kind": kind, "can_resend": row.pins_sent < policy.max_pins,
        "expires_at": row.expires_at}, secure=settings.secure_cookies(), status=status)


async def _csrf_ok(request: Request) -> tuple[bool, dict]:
    form = await request.form()
    presented, kept = str(form.get("csrf_token") or ""), request.cookies.get(CSRF_COOKIE) or ""
    return bool(kept) and hmac.compare_digest(presented.encode(), kept.encode()), dict(form)


@router.get("/{token}")
def open_link(token: Token, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The link from the SMS: the PIN form (or the documents, within a session)."""
    row = access.find(session=session, token=token)
    if (gone := _gone(row)) is not None:
        return gone
    if access.session_ok(row, request.cookies.get(SESSION_COOKIE), _now()):
        return redirect(f"{link_path(token)}/dokumen")
    return _pin_form(request, token, row, settings)


@router.post("/{token}")
async def enter_pin(token: Token, request: Request, session: SessionDep, settings: SettingsDep,
                    cipher: CipherDep) -> Response:
    """Check the PIN: right opens the documents for a while; wrong counts; too many locks the link."""
    row = await run_in_threadpool(access.find, session=session, token=token)
    if (gone := _gone(row)) is not None:
        return gone
    ok, form = await _csrf_ok(request)
    if not ok:
        return _pin_form(request, token, row, settings, message=texts.FORM_EXPIRED, kind="error", status=403)
    result = await run_in_threadpool(access.check_pin, session=session, row=row,
                                     pin=str(form.get("pin") or "")[:20], cipher=cipher,
                                     policy=settings.family_policy(),
                                     now=_now())
    log.info("family pin", bundle_id=row.bundle_id, outcome=result.outcome)
    if result.outcome == "locked":
        return page("tautan.html", {"state": "locked"}, 403)
    if result.outcome == "no_pin":
        return _pin_form(request, token, row, settings, message=texts.PIN_USED, kind="error", status=401)
    if result.outcome == "wrong":
        return _pin_form(request, token, row, settings, message=texts.wrong_pin(result.remaining),
                         kind="error", status=401)
    response = redirect(f"{link_path(token)}/dokumen")
    response.set_cookie(SESSION_COOKIE, result.session_token or "", httponly=True, samesite="strict",
                        secure=settings.secure_cookies(), path=link_path(token),
                        max_age=settings.family_session_minutes * 60)
    return response


@router.post("/{token}/pin-baru")
async def new_pin(token: Token, request: Request, session: SessionDep, settings: SettingsDep,
                  cipher: CipherDep) -> Response:
    """Send a new PIN to the reporter's phone (a few times per link, a minute apart)."""
    row = await run_in_threadpool(access.find, session=session, token=token)
    if (gone := _gone(row)) is not None:
        return gone
    ok, _ = await _csrf_ok(request)
    if not ok:
        return _pin_form(request, token, row, settings, message=texts.FORM_EXPIRED, kind="error", status=403)
    resend = await run_in_threadpool(access.prepare_resend, session=session, row=row, cipher=cipher,
                                     policy=settings.family_policy(), now=_now())
    if resend == "limit":
        return _pin_form(request, token, row, settings, message=texts.RESEND_LIMIT, kind="error", status=429)
    if resend == "wait":
        return _pin_form(request, token, row, settings, message=texts.RESEND_WAIT, kind="error", status=429)
    try:
        await _ports(request).sms.send(Sms(phone=resend.phone, text=texts.new_pin(resend.pin),
                                           reference=resend.reference))
    except (TransientError, BusinessRejection) as exc:
        log.warning("new family pin not sent", bundle_id=row.bundle_id, error=type(exc).__name__)
        return _pin_form(request, token, row, settings, message=texts.SMS_FAILED, kind="error", status=503)
    log.info("new family pin sent", bundle_id=row.bundle_id)
    return _pin_form(request, token, row, settings, message=texts.PIN_SENT)


def _opened(session: Session, token: str, request: Request) -> FamilyAccess | Response:
    row = access.find(session=session, token=token)
    if (gone := _gone(row)) is not None:
        return gone
    if not access.session_ok(row, request.cookies.get(SESSION_COOKIE), _now()):
        return redirect(link_path(token))
    return row


@router.get("/{token}/dokumen")
def document_list(token: Token, request: Request, session: SessionDep, cipher: CipherDep,
                  settings: SettingsDep) -> Response:
    """The family's documents: each child's akta (PDF), an akta kematian (PDF), the KK (PDF), each KIA."""
    row = _opened(session, token, request)
    if isinstance(row, Response):
        return row
    docs = documents.for_bundle(session=session, cipher=cipher, bundle_id=row.bundle_id)
    return form_page(request, token, "dokumen.html", {"docs": docs, "expires_at": row.expires_at},
                     secure=settings.secure_cookies())


async def _document(token: str, request: Request, session: Session, cipher) -> tuple[
        FamilyAccess | Response, documents.FamilyDocuments | None]:
    row = await run_in_threadpool(_opened, session, token, request)
    if isinstance(row, Response):
        return row, None
    return row, await run_in_threadpool(documents.for_bundle, session=session, cipher=cipher,
                                        bundle_id=row.bundle_id)


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


def _unavailable(exc: Exception) -> Response:
    if isinstance(exc, TransientError):
        return page("tautan.html", {"state": "unavailable"}, 503)
    return page("tautan.html", {"state": "missing"}, 404)


async def _child_pdf(token: str, birth_order: int, request: Request, session, cipher, *, kind: str,
                     number_of, fetch, filename: str) -> Response:
    """One child's signed PDF from Dukcapil: `number_of(child)` is its register number (None: not
    issued), `fetch(ports, number)` gets it; the same session checks and log for every document."""
    row, docs = await _document(token, request, session, cipher)
    if isinstance(row, Response):
        return row
    child = next((c for c in docs.children if c.birth_order == birth_order and number_of(c)), None)
    if child is None:
        return page("tautan.html", {"state": "missing"}, 404)
    try:
        content = await fetch(_ports(request).dukcapil, number_of(child))
    except (TransientError, BusinessRejection) as exc:
        return _unavailable(exc)
    log.info("family download", bundle_id=row.bundle_id, document=kind, birth_order=birth_order)
    return _pdf(content, filename)


@router.get("/{token}/akta/{birth_order}")
async def akta_pdf(token: Token, birth_order: Order, request: Request, session: SessionDep,
                   cipher: CipherDep) -> Response:
    """A child's kutipan akta kelahiran, the PDF Dukcapil signed."""
    return await _child_pdf(token, birth_order, request, session, cipher, kind="akta",
                            number_of=lambda c: c.akta_number, fetch=lambda d, n: d.akta_pdf(n),
                            filename=f"akta-kelahiran-anak-{birth_order}.pdf")


@router.get("/{token}/kematian/{birth_order}")
async def kematian_pdf(token: Token, birth_order: Order, request: Request, session: SessionDep,
                       cipher: CipherDep) -> Response:
    """A child's kutipan akta kematian, the PDF Dukcapil signed, once the death follow-up issued it."""
    return await _child_pdf(token, birth_order, request, session, cipher, kind="akta_kematian",
                            number_of=lambda c: c.death_certificate, fetch=lambda d, n: d.kematian_pdf(n),
                            filename=f"akta-kematian-anak-{birth_order}.pdf")


@router.get("/{token}/kk")
async def kk_pdf(token: Token, request: Request, session: SessionDep, cipher: CipherDep) -> Response:
    """The family's Kartu Keluarga as last reissued, the PDF Dukcapil signed."""
    row, docs = await _document(token, request, session, cipher)
    if isinstance(row, Response):
        return row
    if not docs.kk_number:
        return page("tautan.html", {"state": "missing"}, 404)
    try:
        content = await _ports(request).dukcapil.kk_pdf(docs.kk_number)
    except (TransientError, BusinessRejection) as exc:
        return _unavailable(exc)
    log.info("family download", bundle_id=row.bundle_id, document="kk")
    return _pdf(content, "kartu-keluarga.pdf")


@router.get("/{token}/kia/{birth_order}")
async def kia_preview(token: Token, birth_order: Order, request: Request, session: SessionDep,
                      cipher: CipherDep) -> Response:
    """What the child's KIA shows, and where to collect the card."""
    row, docs = await _document(token, request, session, cipher)
    if isinstance(row, Response):
        return row
    child = next((c for c in docs.children if c.birth_order == birth_order and c.nik), None)
    if child is None:
        return page("tautan.html", {"state": "missing"}, 404)
    try:
        card = await _ports(request).dukcapil.kia_card(child.nik)
    except (TransientError, BusinessRejection) as exc:
        return _unavailable(exc)
    return page("kia.html", {"card": card, "token": token, "birth_order": birth_order})


@router.post("/{token}/keluar")
async def leave(token: Token, request: Request, session: SessionDep) -> Response:
    """End this browser's session (the link stays valid: a new PIN opens it again)."""
    row = await run_in_threadpool(access.find, session=session, token=token)
    if (gone := _gone(row)) is not None:
        return gone
    ok, _ = await _csrf_ok(request)
    if ok and access.session_ok(row, request.cookies.get(SESSION_COOKIE), _now()):
        await run_in_threadpool(access.end_session, session=session, row=row)
    response = redirect(link_path(token))
    response.delete_cookie(SESSION_COOKIE, path=link_path(token))
    return response
