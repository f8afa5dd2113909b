"""Small readers over FHIR JSON (already checked against the R4 structure, so the types hold)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.fhir.parse import Entry


def identifiers(resource: dict[str, Any], system: str) -> list[tuple[int, str]]:
    """(index, value) of each identifier of this system that has a value."""
    return [(i, ident["value"]) for i, ident in enumerate(resource.get("identifier", []))
            if ident.get("system") == system and "value" in ident]


def has_identifier_system(resource: dict[str, Any], system: str) -> bool:
    return any(ident.get("system") == system for ident in resource.get("identifier", []))


def name_of(resource: dict[str, Any]) -> tuple[int, str] | None:
    """The official name (else the first): its text, or given names then family, as one string."""
    names = resource.get("name", [])
    if isinstance(names, dict):  # RelatedPerson.name and Patient.name are lists; Organization's a string
        names = [names]
    for i, name in sorted(enumerate(names), key=lambda n: n[1].get("use") != "official"):
        # As written (no further normalising): the JSON API keeps names as sent, and the same birth
        # sent both ways must map to the same content.
        text = (name.get("text") or " ".join([*name.get("given", []), name.get("family", "")])).strip()
        if text:
            return i, text
    return None


def codes(concept: dict[str, Any] | None, system: str) -> set[str]:
    return {c["code"] for c in (concept or {}).get("coding", []) if c.get("system") == system and "code" in c}


def any_codes(concepts: Iterable[dict[str, Any]], system: str) -> set[str]:
    out: set[str] = set()
    for concept in concepts:
        out |= codes(concept, system)
    return out


def extensions(element: dict[str, Any], url: str) -> list[tuple[int, dict[str, Any]]]:
    return [(k, ext) for k, ext in enumerate(element.get("extension", [])) if ext.get("url") == url]


def sub_extension(ext: dict[str, Any], url: str, value_key: str) -> tuple[int, Any] | None:
    for k, sub in enumerate(ext.get("extension", [])):
        if sub.get("url") == url and value_key in sub:
            return k, sub[value_key]
    return None


def subject_of(entry: Entry) -> dict[str, Any] | None:
    return entry.resource.get("subject") or entry.resource.get("patient")
