"""The audit log for auditors in the console: filters, newest first, and a CSV export.

What the log holds is shown masked: a NIK or KK number (16 digits) keeps its last four digits only,
on the page and in the export. Opening the view and exporting it are audit events themselves.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from api.auth import audit
from api.auth.roles import Role
from api.console.i18n import WIB
from api.console.web import PREFIX, console_allow, render
from api.deps import SessionDep
from store.auth_models import AuditEvent

router = APIRouter(prefix=f"{PREFIX}/audit", include_in_schema=False)
Auditing = console_allow(Role.auditor)
PAGE = 100
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{12}(\d{4})(?!\d)")
ACTOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
ACTION = re.compile(r"^[a-z_.]{1,48}$")
COLUMNS = ("id", "at", "actor", "actor_role", "action", "bundle_id", "reason", "outcome", "details")


def mask(text: str | None) -> str:
    """NIKs and KK numbers (16 digits) as `************1234`: enough to match a case, not to use it."""
    return SIXTEEN_DIGITS.sub(lambda m: "*" * 12 + m.group(1), text) if text else ""


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def filters(params) -> tuple[dict[str, str], list[str]]:
    """The valid filters (kept in the form and the links), and the names of those ignored."""
    checks = {"actor": lambda v: bool(ACTOR.match(v)), "action": lambda v: bool(ACTION.match(v)),
              "bundle": _is_uuid, "from": _day, "to": _day}
    kept, bad = {}, []
    for name, ok in checks.items():
        value = (params.get(name) or "").strip()
        if value and ok(value):
            kept[name] = value.lower() if name == "bundle" else value
        elif value:
            bad.append(name)
    return kept, bad


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _range(f: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """Dates are WIB days, as operators read them; "to" includes its whole day."""
    since = datetime.combine(_day(f["from"]), time.min, WIB).astimezone(UTC) if "from" in f else None
    until = (datetime.combine(_day(f["to"]) + timedelta(days=1), time.min, WIB).astimezone(UTC)
             if "to" in f else None)
    return since, until


def _newest(session: Session, f: dict[str, str], before: int | None) -> list[AuditEvent]:
    q = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(PAGE)
    since, until = _range(f)
    for column, value in ((AuditEvent.actor, f.get("actor")), (AuditEvent.action, f.get("action")),
                          (AuditEvent.bundle_id, f.get("bundle"))):
        if value:
            q = q.where(column == value)
    if since:
        q = q.where(col(AuditEvent.at) >= since)
    if until:
        q = q.where(col(AuditEvent.at) < until)
    if before:
        q = q.where(col(AuditEvent.id) < before)
    return list(session.exec(q))


def _details(e: AuditEvent) -> str:
    if not e.details_json:
        return ""
    return mask(json.dumps(json.loads(e.details_json), ensure_ascii=False, sort_keys=True))


@router.get("")
def audit_page(request: Request, who: Auditing, session: SessionDep) -> Response:
    """Events newest first, 100 a page, filtered by actor, action, bundle and WIB dates."""
    f, bad = filters(request.query_params)
    raw = request.query_params.get("before", "")
    before = int(raw) if raw.isdigit() and len(raw) < 19 else None
    rows = _newest(session, f, before)
    audit.record(session=session, who=who, action="audit.search", details={"via": "console", **f})
    events = [{"e": e, "reason": mask(e.reason), "details": _detail_pairs(e)} for e in rows]
    older = rows[-1].id if len(rows) == PAGE else None
    return render(request, "audit.html", {"events": events, "f": f, "bad": bad, "older": older,
                                          "paged": before is not None}, who=who)


def _detail_pairs(e: AuditEvent) -> list[tuple[str, str]]:
    """The details as `name: value` pairs for the page (masked; nested values as compact JSON). The
    export keeps them as one JSON cell."""
    if not e.details_json:
        return []
    data = json.loads(e.details_json)
    if not isinstance(data, dict):
        return [("", mask(json.dumps(data, ensure_ascii=False)))]
    return [(k, mask(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)))
            for k, v in sorted(data.items())]


def _cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (free-text reasons come from people)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/export.csv")
def export_csv(request: Request, who: Auditing, session: SessionDep) -> Response:
    """The filtered log, oldest first, as CSV (masked); the export is itself an audit event."""
    f, _ = filters(request.query_params)
    since, until = _range(f)
    audit.record(session=session, who=who, action="audit.export",
                 details={"via": "console", "format": "csv", **f})
    engine = session.get_bind()

    def lines() -> Iterator[bytes]:
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(COLUMNS)
        after = 0
        with Session(engine) as s:
            while rows := audit.query(session=s, actor=f.get("actor"), action=f.get("action"),
                                      bundle_id=f.get("bundle"), since=since, until=until,
                                      after_id=after, limit=1000):
                for e in rows:
                    out.writerow([_cell(v) for v in (e.id, e.at.isoformat(), e.actor, e.actor_role, e.action,
                                                     e.bundle_id, mask(e.reason), e.outcome, _details(e))])
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
                after = rows[-1].id
        yield buf.getvalue().encode()

    stamp = datetime.now(WIB).strftime("%Y%m%d-%H%M")
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"', "Cache-Control": "no-store"})
