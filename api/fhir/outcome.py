"""Errors as FHIR OperationOutcome: each issue names the failing element as a FHIRPath expression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class Issue:
    expression: str  # e.g. Bundle.entry[2].resource.identifier
    diagnostics: str  # never echoes the submitted values: they are personal data
    code: str = "value"  # FHIR issue-type: structure, required, value, business-rule, ...
    severity: str = "error"


class FhirError(Exception):
    """Answer `status` with these issues (raised anywhere in the intake, rendered by the route)."""

    def __init__(self, status: int, issues: list[Issue], headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {len(issues)} issue(s)")
        self.status, self.issues, self.headers = status, issues, headers or {}


class Problems:
    """Collects every issue found while mapping, so the hospital fixes them in one round trip."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, expression: str, diagnostics: str, code: str = "value") -> None:
        self.issues.append(Issue(expression, diagnostics, code))

    def raise_if_any(self) -> None:
        if self.issues:
            raise FhirError(422, self.issues)


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [
        {"severity": i.severity, "code": i.code, "diagnostics": i.diagnostics, "expression": [i.expression]}
        for i in issues]}


def error_response(exc: FhirError) -> JSONResponse:
    return JSONResponse(operation_outcome(exc.issues), exc.status, headers=exc.headers, media_type=FHIR_JSON)


# The OpenAPI description of an OperationOutcome as this API sends it.
OPERATION_OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["severity", "code", "diagnostics", "expression"],
            "properties": {
                "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                "code": {"type": "string", "description": "FHIR issue-type code"},
                "diagnostics": {"type": "string"},
                "expression": {"type": "array", "items": {"type": "string"},
                               "description": "FHIRPath of the failing element"},
            }}},
    },
}
