"""The worklist, all bundles with filters, and the search by record id or bundle id."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session, col, select
from starlette.responses import Response

from api.console import worklist
from api.console.i18n import WIB
from api.console.web import PREFIX, Staff, office_scope, redirect, render
from api.deps import SessionDep, SettingsDep
from domain import regions
from domain.contracts import BundleStatus, Service, ServiceStatus
from store import crud
from store.models import Bundle

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PAGE = 50
HOSPITAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
SEARCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")  # a record id's shape; a bundle id fits too


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(params) -> tuple[dict[str, str], list[str]]:
    """The query's filters that are valid (kept for the form and the page links), and the rejected."""
    checks = {
        "status": lambda v: v in {s.value for s in BundleStatus},
        "service": lambda v: v in {s.value for s in Service},
        "service_status": lambda v: v in {s.value for s in ServiceStatus},
        "hospital": lambda v: bool(HOSPITAL.match(v)),
        "kecamatan": lambda v: v.isdigit() and len(v) == 6,
        "born_from": _date, "born_to": _date, "received_from": _date, "received_to": _date,
        "risk": lambda v: v in ("yes", "no"),
    }
    kept, bad = {}, []
    for name, ok in checks.items():
        value = (params.get(name) or "").strip()
        if value and ok(value):
            kept[name] = value
        elif value:
            bad.append(name)
    return kept, bad


def _bundle_filter(f: dict[str, str], office: str | None, search: str | None = None) -> crud.BundleFilter:
    def day_start(v: str | None, end: bool = False) -> datetime | None:
        d = _date(v)
        return datetime.combine(d, time.max if end else time.min, WIB).astimezone(UTC) if d else None

    return crud.BundleFilter(
        status=f.get("status"), hospital_id=f.get("hospital"), service=f.get("service"),
        service_status=f.get("service_status"), born_from=_date(f.get("born_from")),
        born_to=_date(f.get("born_to")), received_from=day_start(f.get("received_from")),
        received_to=day_start(f.get("received_to"), end=True),
        deadline_risk={"yes": True, "no": False}.get(f.get("risk", "")), office_code=office,
        kecamatan=f.get("kecamatan"), search=search)


def _choices(session: Session, office: str | None) -> dict:
    """Hospitals and kecamatan that occur in this operator's bundles, for the filter's lists."""
    def distinct(column) -> list[str]:
        q = select(column).distinct().where(column.is_not(None))
        if office:
            q = q.where(col(Bundle.office_code) == office)
        return sorted(v for v in session.exec(q) if v)

    kecamatan = [(k, regions.kecamatan_name(k) or k) for k in distinct(col(Bundle.domicile_kecamatan))]
    return {"hospitals": distinct(col(Bundle.hospital_id)), "kecamatan": kecamatan,
            "statuses": [s.value for s in BundleStatus], "services": [s.value for s in Service],
            "service_statuses": [s.value for s in ServiceStatus]}


@router.get("/worklist")
def worklist_page(request: Request, who: Staff, session: SessionDep, settings: SettingsDep) -> Response:
    """Bundles that wait for a person, earliest legal deadline first, each reason in words."""
    today = datetime.now(WIB).date()
    items, total = worklist.open_items(session=session, office_code=office_scope(who),
                                       tuning=settings.tuning(), today=today)
    return render(request, "worklist.html", {"items": items, "total": total, "today": today}, who=who)


@router.get("/bundles")
def bundles_page(request: Request, who: Staff, session: SessionDep) -> Response:
    """All bundles, newest first, with filters in the URL (none of them personal data)."""
    f, bad = _filters(request.query_params)
    page = int(p) if (p := request.query_params.get("page", "1")).isdigit() and 0 < int(p) < 100_000 else 1
    office = office_scope(who)
    rows, total = crud.list_bundles(session=session, flt=_bundle_filter(f, office), limit=PAGE,
                                    offset=(page - 1) * PAGE)
    links = {n: f"{PREFIX}/bundles?{urlencode({**f, 'page': n})}" for n in (page - 1, page + 1)}
    return render(request, "bundles.html", {
        "rows": rows, "total": total, "f": f, "bad": bad, "page": page, "pages": -(-total // PAGE),
        "links": links, "choices": _choices(session, office), "searched": None}, who=who)


@router.post("/bundles/search")
async def search(request: Request, who: Staff, session: SessionDep) -> Response:
    """Find a bundle by hospital record id or bundle id; sent as a form so the value stays out of URLs."""
    q = str((await request.form()).get("q") or "").strip()
    office = office_scope(who)
    rows: list[Bundle] = []
    if SEARCH.match(q):
        flt = _bundle_filter({}, office, search=q.lower() if _is_uuid(q) else q)
        rows, _ = await run_in_threadpool(crud.list_bundles, session=session, flt=flt, limit=PAGE, offset=0)
    if len(rows) == 1 and rows[0].id == q.lower():
        return redirect(f"{PREFIX}/bundles/{rows[0].id}")
    return render(request, "bundles.html", {
        "rows": rows, "total": len(rows), "f": {}, "bad": [], "page": 1, "pages": 1, "links": {},
        "choices": _choices(session, office), "searched": q}, who=who)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
