"""The operators' console under /console: server-rendered pages over the same rules as the JSON API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.console import (
    routes_actions,
    routes_admin,
    routes_audit,
    routes_auth,
    routes_bundle,
    routes_dashboard,
    routes_followups,
    routes_lists,
)
from api.console.web import PREFIX, STATIC, install_handlers


def install(app: FastAPI) -> None:
    """Add the console's routes, its static files and its HTML error handling to the app."""
    for module in (routes_auth, routes_lists, routes_bundle, routes_actions, routes_dashboard,
                   routes_followups, routes_audit, routes_admin):
        app.include_router(module.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="console-static")
    install_handlers(app)
