"""Reading a posted Bundle: JSON syntax (400), the base FHIR R4 structure (422), and an index of it.

The base structure is checked by fhirkit-rs, generated from the FHIR R4 (4.0.1) specification: unknown
elements, cardinality, primitive formats, choice types and required elements, reported with FHIRPath
paths. (fhir.resources dropped plain R4 in 7.0; its R4B models are a different release.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import fhirkit

from api.fhir.outcome import FhirError, Issue


def read_json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, decimals kept exact (3.1 kg is 3100 g, not 3100.0000000000005)."""
    try:
        # FHIR JSON is UTF-8, a BOM tolerated (json.loads would also take UTF-16 and UTF-32).
        data = json.loads(body.decode("utf-8-sig"), parse_float=Decimal, parse_constant=_no_constant,
                          object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise FhirError(400, [Issue("Bundle", f"the body is not valid JSON: {_why(exc)}", "structure",
                                    "fatal")]) from None
    if not isinstance(data, dict):
        raise FhirError(400, [Issue("Bundle", "the body must be a JSON object (a FHIR resource)",
                                    "structure", "fatal")])
    return data


def _why(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(":")[0]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # FHIR JSON forbids repeated properties; json.loads would silently keep the last one.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"property {key!r} appears twice in one object")
        out[key] = value
    return out


def check_structure(body: bytes, data: dict[str, Any]) -> None:
    """Base R4 rules (422 with every problem); then: only a transaction Bundle is taken here."""
    try:
        found = fhirkit.validate(body)
    except ValueError as exc:  # fhirkit.ParseError; read_json let nothing unreadable through
        raise FhirError(400, [Issue("Bundle", str(exc), "structure", "fatal")]) from None
    issues = [Issue(i.path, i.message, _issue_code(i.message), i.severity) for i in found]
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise FhirError(422, errors)
    if data.get("resourceType") != "Bundle":
        raise FhirError(422, [Issue(str(data.get("resourceType")), "POST a Bundle of type transaction",
                                    "not-supported")])


def _issue_code(message: str) -> str:
    if message.startswith("required element missing"):
        return "required"
    structural = ("unknown element", "resource type", "resourceType", "only one type")
    return "structure" if any(s in message for s in structural) else "value"


@dataclass(frozen=True)
class Entry:
    index: int
    resource: dict[str, Any]

    @property
    def type(self) -> str:
        return self.resource["resourceType"]

    @property
    def path(self) -> str:
        return f"Bundle.entry[{self.index}].resource"


class BundleIndex:
    """The Bundle's resources by type, and references resolved inside the Bundle."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.entries: list[Entry] = []
        self._by_url: dict[str, Entry] = {}
        for i, raw in enumerate(bundle.get("entry", [])):
            if "resource" not in raw:
                continue
            entry = Entry(i, raw["resource"])
            self.entries.append(entry)
            if "fullUrl" in raw:
                self._by_url[raw["fullUrl"]] = entry
        for entry in self.entries:
            if "id" in entry.resource:
                self._by_url.setdefault(f"{entry.type}/{entry.resource['id']}", entry)

    def of_type(self, resource_type: str) -> list[Entry]:
        return [e for e in self.entries if e.type == resource_type]

    def resolve(self, reference: dict[str, Any] | None) -> Entry | None:
        """`urn:uuid:...`, an absolute fullUrl, or `Type/id` of a resource in this Bundle."""
        ref = (reference or {}).get("reference")
        if not ref:
            return None
        if ref in self._by_url:
            return self._by_url[ref]
        tail = "/".join(ref.rstrip("/").split("/")[-2:])  # an absolute URL ending in Type/id
        return self._by_url.get(tail)


def modifier_extensions(value: Any, path: str) -> Iterator[str]:
    """Paths of every modifierExtension: FHIR requires refusing content whose meaning they change."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "modifierExtension":
                yield f"{path}.{key}"
            else:
                yield from modifier_extensions(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from modifier_extensions(item, f"{path}[{i}]")
