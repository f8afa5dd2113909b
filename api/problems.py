"""Every JSON error of the API as `application/problem+json` (RFC 9457), one shape for all of them.

`type` is a stable URI per kind of error (clients branch on it, or on `status`), `title` its short
summary, `detail` what went wrong here. A validation error lists each failing field in `errors[]` with
a machine-readable `code` and a message, and never the value that was sent: request bodies carry NIKs,
names and passwords, and an error body ends up in the client's logs. Under /v1/fhir every error is an
OperationOutcome instead (api/fhir/outcome.py), with the same codes: `answer()` is the one place that
picks the shape by the request path, for the exception handlers here and for api/middleware.py alike.
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

from api.fhir.outcome import (
    FHIR_JSON,
    ISSUE_TYPES,
    OPERATION_OUTCOME_SCHEMA,
    FhirError,
    Issue,
    is_fhir,
    operation_outcome,
)

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


KINDS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media-type",
          422: "validation", 429: "throttled", 503: "unavailable"}


def problem(status: int, detail: str, *, errors: list[dict] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + KINDS.get(status, str(status)),
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


def answer(path: str, status: int, detail: str, *, errors: list[dict] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    """The error for a request to `path`: an OperationOutcome under /v1/fhir, else a problem."""
    if not is_fhir(path):
        return problem(status, detail, errors=errors, headers=headers)
    code = ISSUE_TYPES.get(status, "processing")
    issues = [_field_issue(e) for e in errors or ()] or [Issue(None, detail, code)]
    return fhir_outcome(FhirError(status, issues, headers))


def _field_issue(error: dict) -> Issue:
    loc = error["loc"]
    if loc and loc[0] == "body":  # the Bundle's element, as FHIRPath: Bundle.entry[0].resource.x
        where = "Bundle" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
        return Issue(where, error["message"], "value", rule=error["code"])
    return Issue(None, f"{error['field']}: {error['message']}", "value", rule=error["code"])


def fhir_outcome(exc: FhirError) -> JSONResponse:
    body = operation_outcome(exc.issues, TYPE_BASE + KINDS.get(exc.status, str(exc.status)))
    return JSONResponse(body, exc.status, headers=exc.headers or None, media_type=FHIR_JSON)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return answer(request.url.path, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = field_errors(list(exc.errors()))
    n = len(errors)
    return answer(request.url.path, 422, f"{n} field{'s are' if n != 1 else ' is'} invalid", errors=errors)


async def _fhir_error(_request: Request, exc: FhirError) -> JSONResponse:
    return fhir_outcome(exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FhirError, _fhir_error)
    document(app)


def _described(text: str) -> dict:
    return {"description": text}  # the content and its example: see document()


_REF = {"$ref": "#/components/schemas/Problem"}
_OUTCOME_REF = {"$ref": "#/components/schemas/OperationOutcome"}
# What each error says, as the API words it: the example of every declared answer with that status.
_EXAMPLE_DETAILS = {
    400: "the body is not valid UTF-8",
    401: "authentication required: a hospital API key or an operator session",
    403: "role 'auditor' may not do this",
    404: "Not Found",
    409: "this record id was already reported with different content",
    413: "request body larger than 262144 bytes",
    415: "Content-Type must be application/json",
    422: "1 field is invalid",
    429: "intake rate for this hospital exceeded; retry later",
    503: "Temporal is not reachable yet",
}
_EXAMPLE_FIELD = {"field": "body.children.0.weight_grams", "loc": ["body", "children", 0, "weight_grams"],
                  "code": "greater_than", "message": "Input should be greater than 0"}
_FHIR_DETAILS = {415: "Content-Type must be application/json or application/fhir+json"}
_FHIR_INVALID = Issue("Bundle.entry[2].resource.identifier", "a newborn Patient carries the mother's NIK "
                      "as an identifier with system https://fhir.kemkes.go.id/id/nik-ibu", "required")


def example(status: int, description: str, *, fhir: bool = False) -> dict[str, Any]:
    """An answer with this status as the API sends it (its body's `status` is the status)."""
    detail = (_FHIR_DETAILS if fhir else {}).get(status) or _EXAMPLE_DETAILS.get(status, description)
    if fhir and status == 422:
        response = fhir_outcome(FhirError(422, [_FHIR_INVALID]))
    else:
        errors = [_EXAMPLE_FIELD] if status == 422 else None
        response = answer("/v1/fhir" if fhir else "/v1", status, detail, errors=errors)
    return {KINDS.get(status, str(status)): {"summary": description, "value": json.loads(response.body)}}


def document(app: FastAPI) -> None:
    """The OpenAPI says what is sent: every 4xx/5xx answer of every operation is a Problem (under
    /v1/fhir, an OperationOutcome), with an example of that status, whatever each route declared."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schemas["Problem"].pop("$defs", {}).items():
            schemas[name] = sub
        schemas["OperationOutcome"] = OPERATION_OUTCOME_SCHEMA
        for where, path in spec.get("paths", {}).items():
            fhir = is_fhir(where)
            for op in path.values():
                for status, declared in op.get("responses", {}).items():
                    if status[0] in "45" and not declared.pop("x-own-body", False):
                        found = example(int(status), declared.get("description", ""), fhir=fhir)
                        media, schema = (FHIR_JSON, _OUTCOME_REF) if fhir else (PROBLEM_JSON, _REF)
                        declared["content"] = {media: {"schema": schema, "examples": found}}
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
    400: _described("Bad request: the body is not UTF-8, has control characters, or is malformed"),
    401: _described("No valid credentials: the API key or session is missing, unknown, revoked or expired"),
    403: _described("Authenticated, but not allowed to do this"),
    404: _described("Not found, or not visible to the caller"),
    409: _described("Conflicts with the current state (e.g. the same record id with other content)"),
    413: _described("Body larger than the limit (256 KiB)"),
    415: _described("Content-Type is not application/json"),
    422: _described("A field is invalid: `errors[]` names each field and rule"),
    429: _described("Too many requests: retry after the `Retry-After` header's seconds"),
}
