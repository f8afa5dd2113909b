"""The interactive API docs (Swagger UI at /docs, ReDoc at /redoc) served from our own assets.

FastAPI's defaults load both from a CDN, so the docs were blank on a hospital network without
internet. The assets come from npm at build time, pinned by package-lock.json, as htmx does
(scripts/bootstrap.sh and the Dockerfile copy them into the git-ignored `api/static/docs/`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "docs"
PREFIX = "/docs/assets"
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "redoc.standalone.js")
_MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API docs</title></head>
<body><h1>API docs not installed</h1><p>The interactive docs' assets come from npm at install time
(<code>scripts/bootstrap.sh</code>). The API description itself is at <a href="{url}">{url}</a>.</p>
</body></html>"""


def installed() -> bool:
    return all((ASSETS / name).is_file() for name in FILES)


def install(app: FastAPI) -> None:
    """Call with an app created with docs_url=None and redoc_url=None."""
    openapi, title = app.openapi_url or "/openapi.json", f"{app.title} API"
    app.mount(PREFIX, StaticFiles(directory=ASSETS, check_dir=False), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        if not installed():
            return HTMLResponse(_MISSING.format(url=openapi), 503)
        # validatorUrl null: Swagger UI would otherwise fetch a badge from validator.swagger.io.
        return get_swagger_ui_html(
            openapi_url=openapi, title=title, swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css", swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 0})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        if not installed():
            return HTMLResponse(_MISSING.format(url=openapi), 503)
        return get_redoc_html(openapi_url=openapi, title=title, redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{PREFIX}/favicon-32x32.png", with_google_fonts=False)
