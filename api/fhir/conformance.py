"""What the FHIR endpoint conforms to: its CapabilityStatement (`GET /v1/fhir/metadata`) and the
StructureDefinitions of our extensions (`GET /v1/fhir/StructureDefinition[/{id}]`).

The extensions carry what form F-2.01 needs and FHIR does not (api/fhir/codes.py); their canonical
URLs are `codes.OURS + id`, and each definition here is what api/fhir/encounter.py and people.py
read: the context (the resource it sits on), the value type, and a complex extension's parts.
"""

from __future__ import annotations

from typing import Any

from api.fhir import codes as C

FHIR_VERSION = "4.0.1"
STATUS, DATE = "active", "2026-12-07"  # of these definitions; changes to them change the date
PUBLISHER = "kelahiran"

# id -> (title, what it says, the resource it extends, value type or sub-extensions [(url, type, min)])
_EXTENSIONS: dict[str, tuple[str, str, str, str | list[tuple[str, str, int]], int, str]] = {
    "birth-attendant": ("Birth attendant", "Who attended the delivery (form F-2.01: penolong kelahiran): "
                        "doctor, midwife, nurse or other", "Encounter", "code", 1, "1"),
    "birth-witness": ("Birth witness", "One of the two witnesses of form F-2.01, by NIK and name",
                      "Encounter", [("nik", "string", 1), ("name", "string", 1)], 2, "2"),
    "marriage-proof": ("Marriage proof", "The parents' marriage record: kind (buku_nikah, akta_perkawinan) "
                       "and its number", "Encounter", [("kind", "code", 1), ("number", "string", 1)], 0, "1"),
    "sptjm-marriage": ("SPTJM suami-istri", "True when the parents gave an SPTJM instead of a marriage "
                       "record (Permendagri 9/2016)", "Encounter", "boolean", 0, "1"),
    "reporter-phone": ("Reporter's phone", "The mobile number the family's SMS goes to", "Encounter",
                       "ContactPoint", 1, "1"),
    "consent-method": ("Consent method", "How the family's consent was given: signed_form, "
                       "electronic_signature or verbal_witnessed", "Consent", "code", 1, "1"),
}
assert {C.OURS + i for i in _EXTENSIONS} == C.KNOWN_EXTENSIONS  # one definition per extension read


def _value(path: str, kind: str, min_: int) -> dict[str, Any]:
    return {"id": f"{path}.value[x]", "path": f"{path}.value[x]", "min": min_, "max": "1",
            "type": [{"code": kind}]}


def structure_definition(ext_id: str) -> dict[str, Any] | None:
    """The definition of one of our extensions (a differential on Extension), or None."""
    if ext_id not in _EXTENSIONS:
        return None
    title, description, context, value, min_, max_ = _EXTENSIONS[ext_id]
    url = C.OURS + ext_id
    elements: list[dict[str, Any]] = [
        {"id": "Extension", "path": "Extension", "short": title, "definition": description,
         "min": min_, "max": max_},
        {"id": "Extension.url", "path": "Extension.url", "fixedUri": url}]
    if isinstance(value, str):
        elements.append(_value("Extension", value, 1))
    else:
        elements.append({"id": "Extension.value[x]", "path": "Extension.value[x]", "max": "0"})
        for part, kind, part_min in value:
            base = f"Extension.extension:{part}"
            elements += [
                {"id": base, "path": "Extension.extension", "sliceName": part, "min": part_min, "max": "1"},
                {"id": f"{base}.url", "path": "Extension.extension.url", "fixedUri": part},
                _value(f"{base}", kind, 1) | {"path": "Extension.extension.value[x]"}]
    name = "".join(ch for ch in title.title() if ch.isalnum())  # FHIR: a computer-friendly name
    return {"resourceType": "StructureDefinition", "id": ext_id, "url": url, "name": name, "title": title,
            "status": STATUS, "date": DATE, "publisher": PUBLISHER, "description": description,
            "fhirVersion": FHIR_VERSION, "kind": "complex-type", "abstract": False,
            "context": [{"type": "element", "expression": context}],
            "type": "Extension", "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
            "derivation": "constraint", "differential": {"element": elements}}


def structure_definitions(base: str) -> dict[str, Any]:
    """All of them, as a searchset Bundle (what `GET [base]/StructureDefinition` answers in FHIR)."""
    entries = [{"fullUrl": f"{base}/StructureDefinition/{i}", "resource": structure_definition(i),
                "search": {"mode": "match"}} for i in _EXTENSIONS]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


def capability_statement(base: str, software_version: str) -> dict[str, Any]:
    """What this server does: the transaction interaction (POST [base]) and nothing else; the resources
    a transaction may carry, and the definitions of our extensions."""
    carried = ["Organization", "Patient", "RelatedPerson", "Encounter", "Observation", "Condition",
               "Consent"]
    return {
        "resourceType": "CapabilityStatement", "status": STATUS, "date": DATE, "publisher": PUBLISHER,
        "kind": "instance", "fhirVersion": FHIR_VERSION, "format": ["application/fhir+json", "json"],
        "software": {"name": "kelahiran", "version": software_version},
        "implementation": {"description": "Birth notifications as SATUSEHAT-style transaction Bundles: "
                           "one delivery becomes one bundle of civil-registry work", "url": base},
        "rest": [{
            "mode": "server",
            "documentation": "POST [base] with a Bundle of type transaction (a hospital API key in "
                             "X-API-Key); answers 202 with the bundle id, or an OperationOutcome. "
                             "Resources are not stored as FHIR and cannot be read back.",
            "security": {"description": "X-API-Key: a hospital's key (docs/hospital-api.md)"},
            "interaction": [{"code": "transaction"}],
            "resource": [
                *({"type": t, "documentation": "only inside a transaction Bundle"} for t in carried),
                {"type": "StructureDefinition", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "documentation": "the definitions of this server's extensions"}],
        }],
    }
