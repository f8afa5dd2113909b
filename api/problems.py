"""Every JSON error of the API as `application/problem+json` (RFC 9457), one shape for all of them.

`type` is a stable URI per kind of error (clients branch on it, or on `status`), `title` its short
summary, `detail` what went wrong here. A validation error lists each failing field in `errors[]` with
a machine-readable `code` and a message, and never the value that was sent: request bodies carry NIKs,
names and passwords, and an error body ends up in the client's logs. The FHIR intake answers
OperationOutcome instead (api/fhir/outcome.py), with the same codes.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://kelahiran.dev/problems/"


class FieldError(BaseModel):
    field: str = Field(description="where, as a dotted path: `body.children.0.name`, `query.status`",
                       examples=["body.children.0.weight_grams"])
    loc: list[str | int] = Field(description="the same path as a list", examples=[["body", "children", 0]])
    code: str = Field(description="pydantic's error type, or ours", examples=["greater_than"])
    message: str = Field(description="what the rule is, in English (never the value sent)",
                         examples=["Input should be greater than 0"])


class Problem(BaseModel):
    """RFC 9457 problem details, with `errors[]` for invalid fields."""

    type: str = Field(examples=[TYPE_BASE + "validation"])
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["1 field is invalid"])
    errors: list[FieldError] | None = Field(default=None, description="422 only: each invalid field")


_KINDS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media-type",
          422: "validation", 429: "throttled", 503: "unavailable"}


def problem(status: int, detail: str, *, errors: list[dict] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + _KINDS.get(status, str(status)),
                            "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_JSON)


def field_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors without their `input` (and `ctx`, which can quote it)."""
    return [{"field": ".".join(str(part) for part in e.get("loc", ())) or "body",
             "loc": list(e.get("loc", ())), "code": str(e.get("type", "invalid")), "message": _message(e)}
            for e in errors]


def _message(error: dict) -> str:
    msg = str(error.get("msg", "invalid"))
    # A JSON decode error quotes the document around the fault; keep only the kind of fault.
    return "the body is not valid JSON" if error.get("type") == "json_invalid" else msg


async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = field_errors(list(exc.errors()))
    n = len(errors)
    return problem(422, f"{n} field{'s are' if n != 1 else ' is'} invalid", errors=errors)


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    document(app)


def _described(text: str) -> dict:
    return {"description": text}  # the content: see document()


_REF = {"$ref": "#/components/schemas/Problem"}
_FHIR = "application/fhir+json"


def document(app: FastAPI) -> None:
    """The OpenAPI says what is sent: every 4xx/5xx answer of every operation is a Problem (the FHIR
    intake's, an OperationOutcome), whatever each route declared before this module existed."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schemas["Problem"].pop("$defs", {}).items():
            schemas[name] = sub
        for path in spec.get("paths", {}).values():
            for op in path.values():
                for status, answer in op.get("responses", {}).items():
                    if status[0] in "45" and _FHIR not in answer.get("content", {}):
                        answer["content"] = {PROBLEM_JSON: {"schema": _REF}}
        for hook in spec.get("webhooks", {}).values():  # answers the hospital's endpoint gives, not ours:
            for op in hook.values():  # FastAPI's default 422 there means nothing
                op.get("responses", {}).pop("422", None)
        used = json.dumps({k: v for k, v in spec.items() if k != "components"})  # paths, webhooks
        for name in ("HTTPValidationError", "ValidationError", "ErrorOut"):
            if f"/{name}\"" not in used:
                schemas.pop(name, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi


# Declared on every operation (FastAPI merges them with each route's own).
RESPONSES: dict[int | str, dict] = {
    400: _described("Bad request: the body is not UTF-8, or the request is malformed"),
    401: _described("No valid credentials (API key, session or token)"),
    403: _described("Authenticated, but not allowed to do this"),
    404: _described("Not found, or not visible to the caller"),
    409: _described("Conflicts with the current state (e.g. the same record id with other content)"),
    413: _described("Body larger than the limit (256 KiB)"),
    415: _described("Content-Type is not application/json"),
    422: _described("A field is invalid: `errors[]` names each field and rule"),
    429: _described("Too many requests: retry after the `Retry-After` header's seconds"),
}
