"""Documents for the family: the SMS notice's download link, its PIN, and the pages behind it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.family.ports import FamilyPorts

__all__ = ["FamilyPorts", "install"]


def install(app: FastAPI) -> None:
    """The pages under /unduh and their static files (mounted first: a token is never 'static')."""
    from api.family import routes
    from api.family.web import PREFIX, STATIC

    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="family-static")
    app.include_router(routes.router)
