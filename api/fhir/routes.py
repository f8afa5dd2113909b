"""POST /v1/fhir: a SATUSEHAT-style FHIR R4 transaction Bundle, taken exactly like POST /v1/births.

The path is the FHIR base: FHIR's transaction interaction is `POST [base]` with a Bundle of type
transaction (SATUSEHAT takes its bundles the same way); `POST [base]/Bundle` would mean "store this
Bundle as a resource". Success answers like POST /v1/births (202, the bundle id, `Location`): the
delivery becomes a bundle of civil-registry work, not FHIR resources one could read back.
"""

from __future__ import annotations

import json
import pathlib
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from api import intake
from api.auth.deps import AUTH_RESPONSES, HospitalOnly
from api.deps import CipherDep, SettingsDep
from api.fhir import conformance
from api.fhir.mapping import to_notification
from api.fhir.outcome import FHIR_JSON, FhirError, Issue
from api.fhir.parse import check_structure, read_json
from api.schemas import BirthAccepted, FieldWarning
from domain.notification import intake_problems, intake_warnings

router = APIRouter(prefix="/v1/fhir", tags=["fhir"], responses=AUTH_RESPONSES)
R4_VERSIONS = {"4.0", "4.0.1"}  # the fhirVersion media-type parameter, when a client sends one

BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["resourceType", "type", "entry"],
    "description": "A FHIR R4 Bundle of type transaction (see the README's mapping table)",
    "properties": {"resourceType": {"type": "string", "enum": ["Bundle"]},
                   "type": {"type": "string", "enum": ["transaction"]},
                   "entry": {"type": "array", "items": {"type": "object"}}},
}


def _outcome(description: str) -> dict[str, Any]:
    # The content (the OperationOutcome schema, an example of this status): api/problems.document().
    return {"description": description}


_EXAMPLE = pathlib.Path(__file__).parent / "example_bundle.json"  # made-up family, valid NIK structure
EXAMPLES = {"single": {"summary": "One live-born child (SATUSEHAT-style, with our extensions)",
                       "value": json.loads(_EXAMPLE.read_text("utf-8"))}}


def _fhir(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, media_type=FHIR_JSON)


def _base(request: Request) -> str:
    return str(request.url_for("post_fhir_bundle")).rstrip("/")


# Public, as FHIR clients expect to discover a server before they authenticate: no personal data here.
@router.get("/metadata", response_class=JSONResponse,
            responses={200: {"content": {FHIR_JSON: {}}, "description": "The CapabilityStatement"}})
def capability_statement(request: Request) -> JSONResponse:
    """The server's CapabilityStatement: FHIR R4, the transaction interaction, our extensions' definitions."""
    return _fhir(conformance.capability_statement(_base(request), request.app.version))


@router.get("/StructureDefinition", response_class=JSONResponse,
            responses={200: {"content": {FHIR_JSON: {}}, "description": "A searchset Bundle"}})
def list_structure_definitions(request: Request) -> JSONResponse:
    """The StructureDefinitions of the extensions this intake reads."""
    return _fhir(conformance.structure_definitions(_base(request)))


@router.get("/StructureDefinition/{definition_id}", response_class=JSONResponse,
            responses={200: {"content": {FHIR_JSON: {}}, "description": "A StructureDefinition"},
                       404: _outcome("No extension of ours by that id")})
def read_structure_definition(
        definition_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{0,63}$")]) -> JSONResponse:
    """One extension's definition (its canonical URL: `https://kelahiran.example.id/fhir/StructureDefinition/{id}`)."""
    found = conformance.structure_definition(definition_id)
    if found is None:
        raise FhirError(404, [Issue("StructureDefinition", "no such extension", "not-found")])
    return _fhir(found)


@router.post(
    "", status_code=202, response_model=BirthAccepted,
    openapi_extra={"requestBody": {"required": True, "content": {
        FHIR_JSON: {"schema": BUNDLE_SCHEMA, "examples": EXAMPLES},
        "application/json": {"schema": BUNDLE_SCHEMA, "examples": EXAMPLES}}}},
    responses={400: _outcome("Not UTF-8 JSON, not a JSON object, or with control characters, duplicate keys "
                             "or NaN"),
               401: _outcome("No valid hospital API key: missing, unknown, revoked or expired"),
               403: _outcome("An operator session: only hospital API keys report births"),
               413: _outcome("Bundle larger than the limit (256 KiB)"),
               409: _outcome("Record id (the Encounter identifier) already used for different content"),
               415: _outcome("Content-Type neither application/fhir+json nor application/json, or "
                             "a fhirVersion other than 4.0"),
               422: _outcome("Not valid FHIR R4, or breaks SATUSEHAT's or this intake's rules; "
                             "`expression` names each failing element"),
               429: _outcome("This hospital's intake rate is exceeded; retry after `Retry-After` seconds")},
)
async def post_fhir_bundle(request: Request, who: HospitalOnly, response: Response, settings: SettingsDep,
                           cipher: CipherDep) -> Any:
    """Report one delivery as a FHIR R4 transaction Bundle; the same birth as JSON is the same bundle.

    Every error is an OperationOutcome (a FhirError, rendered by api/problems.py)."""
    acc, warnings = await _accept(request, who.subject, settings, cipher)
    url = str(request.url_for("get_birth", bundle_id=acc.bundle_id))
    response.headers["Location"] = url
    return BirthAccepted(bundle_id=acc.bundle_id, status=acc.status, status_url=url, duplicate=acc.duplicate,
                         warnings=warnings)


async def _accept(request: Request, hospital: str, settings,
                  cipher) -> tuple[intake.Accepted, list[FieldWarning]]:
    # The same steps, in the same order, as POST /v1/births: rate limit, rules, then accept_birth.
    _check_media_type(request.headers.get("content-type", ""))
    limiter = request.app.state.intake_limiter
    if wait := limiter.take(hospital):
        raise FhirError(429, [Issue("Bundle", "intake rate for this hospital exceeded; retry later",
                                    "throttled")], {"Retry-After": limiter.retry_after(wait)})
    body = await request.body()
    data = read_json(body)
    check_structure(body, data)
    mapped = to_notification(data)
    problems = intake_problems(mapped.notification, intake.today_wib(), datetime.now(UTC))
    if problems:
        raise FhirError(422, [Issue(mapped.expression(loc), msg, "business-rule") for loc, msg in problems])
    # A warning names the FHIR element it came from, as a 422's `expression` does.
    warnings = [FieldWarning(loc=[mapped.expression(loc)], msg=msg)
                for loc, msg in intake_warnings(mapped.notification)]
    try:
        acc = await intake.accept_birth(notification=mapped.notification, hospital_id=hospital,
                                         settings=settings, engine=request.app.state.engine,
                                        writer=request.app.state.writer, cipher=cipher,
                                         starter=request.app.state.starter)
    except intake.ConflictingRecord:
        raise FhirError(409, [Issue(mapped.expression(("record_id",)), "this record id was already reported "
                                    "with different content", "conflict")]) from None
    return acc, warnings


def _check_media_type(content_type: str) -> None:
    # The middleware admitted only application/json and application/fhir+json; R4 clients may say which.
    params = dict(p.strip().partition("=")[::2] for p in content_type.split(";")[1:])
    version = params.get("fhirVersion")
    if version is not None and version.strip('"') not in R4_VERSIONS:
        raise FhirError(415, [Issue("Bundle", "this endpoint takes FHIR R4: fhirVersion=4.0",
                                    "not-supported")])
