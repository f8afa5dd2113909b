"""The dashboard: throughput, time to complete, open issues and hospitals, as charts and tables."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.console import charts, i18n, stats
from api.console.web import PREFIX, Staff, office_scope, render
from api.deps import SessionDep, SettingsDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)
WINDOWS = (7, 14, 30)


@router.get("/dashboard")
def dashboard_page(request: Request, who: Staff, session: SessionDep, settings: SettingsDep) -> Response:
    """Bundles per day, completion within 1 hour / 1 day, time per service, issues, hospitals."""
    days = int(d) if (d := request.query_params.get("days", "")).isdigit() and int(d) in WINDOWS else 14
    board = stats.dashboard(session=session, office_code=office_scope(who), days=days,
                            tuning=settings.tuning(), now=datetime.now(UTC))
    t = i18n.Translator(i18n.language_of(request)[0])
    svg = {
        "per_day": charts.day_bars(board.per_day, title=t("d_per_day"), done_label=t("d_completed"),
                                   open_label=t("d_open")),
        "times": charts.time_bars([(t(f"svc_{s}"), med, p95) for s, med, p95, _ in board.times],
                                  title=t("d_times"), fmt=t.duration),
        "issues": charts.hbars(board.issues, title=t("d_issues")),
        "hospitals": charts.hbars([(h.hospital_id, h.received) for h in board.hospitals[:15]],
                                  title=t("d_hospitals"), css="c-hosp"),
    }
    return render(request, "dashboard.html", {"b": board, "svg": svg, "windows": WINDOWS}, who=who)
