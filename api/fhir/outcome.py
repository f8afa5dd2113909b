"""Errors as FHIR OperationOutcome: each issue names the failing element as a FHIRPath expression.

Every error under /v1/fhir is one, whoever answers it (a route, the auth dependency, the body checks of
api/middleware.py): api/problems.py picks this shape by the request path, in one place, and codes each
issue as the JSON API codes the same error (`details.coding`: the problem type, the field rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FHIR_JSON = "application/fhir+json"
FHIR_PREFIX = "/v1/fhir"

# The FHIR issue-type (http://hl7.org/fhir/issue-type) of each HTTP status this API answers.
ISSUE_TYPES = {400: "structure", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               409: "conflict", 413: "too-long", 415: "not-supported", 422: "invalid", 429: "throttled",
               503: "transient"}


def is_fhir(path: str) -> bool:
    return path == FHIR_PREFIX or path.startswith(FHIR_PREFIX + "/")


@dataclass(frozen=True)
class Issue:
    expression: str | None  # e.g. Bundle.entry[2].resource.identifier; None: the request as a whole
    diagnostics: str  # never echoes the submitted values: they are personal data
    code: str = "value"  # FHIR issue-type: structure, required, value, business-rule, ...
    severity: str = "error"
    rule: str | None = None  # the JSON API's `errors[].code` for the same fault (e.g. duplicate_key)


class FhirError(Exception):
    """Answer `status` with these issues (raised anywhere in the intake, rendered by api/problems.py)."""

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


def operation_outcome(issues: list[Issue], problem_type: str | None = None) -> dict[str, Any]:
    """`problem_type`: the `type` URI a problem+json answer would carry (each issue's first coding)."""
    system, _, kind = (problem_type or "").rpartition("/")
    return {"resourceType": "OperationOutcome", "issue": [_issue(i, system, kind) for i in issues]}


def _issue(i: Issue, system: str, kind: str) -> dict[str, Any]:
    item: dict[str, Any] = {"severity": i.severity, "code": i.code}
    coding = [{"system": system, "code": kind}] if kind else []
    if i.rule:
        coding.append({"system": f"{system}/{kind}" if kind else "urn:kelahiran:rule", "code": i.rule})
    if coding:
        item["details"] = {"coding": coding}
    item["diagnostics"] = i.diagnostics
    if i.expression:
        item["expression"] = [i.expression]
    return item


# The OpenAPI description of an OperationOutcome as this API sends it (components/schemas/OperationOutcome).
OPERATION_OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["resourceType", "issue"],
    "description": "A FHIR R4 OperationOutcome: every error of the FHIR endpoints",
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["severity", "code", "diagnostics"],
            "properties": {
                "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                "code": {"type": "string", "description": "FHIR issue-type code"},
                "details": {"type": "object", "description": (
                    "the JSON API's codes for the same error: the problem type (system "
                    "`https://kelahiran.dev/problems`, code e.g. `unauthorized`), and for a field its rule "
                    "(system the problem type, code e.g. `duplicate_key`)"),
                    "properties": {"coding": {"type": "array", "items": {
                        "type": "object", "required": ["system", "code"],
                        "properties": {"system": {"type": "string"}, "code": {"type": "string"}}}}}},
                "diagnostics": {"type": "string", "description": "what is wrong (never the value sent)"},
                "expression": {"type": "array", "items": {"type": "string"},
                               "description": "FHIRPath of the failing element (absent when the whole "
                                              "request is refused: credentials, size, media type)"},
            }}},
    },
}
