"""The public verification page the QR code opens: genuine and unchanged, superseded or not.

Open to anyone (a school, a hospital, a bank), so it shows only what is needed to match the paper
in hand: document type and number, issue date, office, names as initials; never a NIK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import jinja2
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from simulators.dukcapil import documents
from simulators.dukcapil.deps import SessionDep
from simulators.dukcapil.documents import DocumentBook
from simulators.dukcapil.offices import office

HERE = Path(__file__).parent
_templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
MAX_UPLOAD = 5 * 1024 * 1024
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
router = APIRouter(prefix="/verifikasi", tags=["verifikasi"])
DocId = Annotated[str, PathParam(min_length=1, max_length=64)]
Code = Annotated[str | None, Query(alias="s", max_length=64, description="the QR code's short code")]


def _page(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(name).render(**context), status_code=status, headers=HEADERS)


def _static(name: str, media_type: str) -> Response:
    return Response((HERE / "templates" / name).read_bytes(), media_type=media_type,
                    headers={**HEADERS, "Cache-Control": "public, max-age=86400"})


@router.get("/gaya.css", include_in_schema=False)
def stylesheet() -> Response:
    return _static("verifikasi.css", "text/css")


@router.get("/favicon.svg", include_in_schema=False)
def favicon() -> Response:
    return _static("favicon.svg", "image/svg+xml")


@router.get("/kunci")
def public_keys(request: Request) -> dict:
    """Every connected office's Ed25519 public key (raw, base64url) and its fingerprint."""
    book: DocumentBook = request.app.state.documents
    return {"algoritma": "Ed25519", "kunci": [
        {"kantor": code, "nama": office(code).agency, "kunci_publik": key, "sidik": book.fingerprint(code)}
        for code, key in book.public_keys().items()]}


def _verify(request: Request, session: Session, doc_id: str, code: str | None):
    doc = documents.get(session, doc_id)
    if doc is None:
        return None
    return request.app.state.documents.verify(session, doc, code)


def _result(request: Request, session: Session, doc_id: str, code: str | None,
            file_check: dict | None = None) -> HTMLResponse:
    result = _verify(request, session, doc_id, code)
    if result is None:
        return _page("verifikasi.html", 404, result=None, file_check=None)
    book: DocumentBook = request.app.state.documents
    return _page("verifikasi.html", result=result, file_check=file_check,
                 fingerprint=book.fingerprint(result.doc.office), code=code or "")


@router.get("/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def verify_page(doc_id: DocId, request: Request, session: SessionDep, code: Code = None) -> HTMLResponse:
    """Is the document this QR code names genuine, unchanged and still in force?"""
    return _result(request, session, doc_id, code)


@router.post("/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
async def verify_file(doc_id: DocId, request: Request, session: SessionDep,
                      berkas: Annotated[UploadFile, File()], code: Code = None) -> HTMLResponse:
    """Compare a PDF file, byte for byte, with the one the office signed (nothing is stored)."""
    content = await berkas.read(MAX_UPLOAD + 1)
    doc = documents.get(session, doc_id)
    check = None
    if doc is not None:
        same = len(content) <= MAX_UPLOAD and DocumentBook.same_file(doc, content)
        check = {"same": same, "name": (berkas.filename or "berkas")[:80]}
    return await run_in_threadpool(_result, request, session, doc_id, code, check)
