"""The birth Encounter: the record id, the hospital (place of birth) and form F-2.01's other fields.

FHIR has no element for the birth attendant's profession, the two witnesses, the marriage proof or
SPTJM, or the reporter's phone: they come as our extensions on the Encounter (the delivery itself).
"""

from __future__ import annotations

from typing import Any

from api.fhir import codes as C
from api.fhir.children import Where
from api.fhir.outcome import Problems
from api.fhir.parse import BundleIndex, Entry
from api.fhir.read import extensions, sub_extension
from api.fhir.satusehat import administrative_codes


def read_encounter(index: BundleIndex, body: dict[str, Any], where: Where, problems: Problems) -> None:
    encounters = index.of_type("Encounter")
    if not encounters:
        problems.add("Bundle.entry", "the birth Encounter is required: its identifier is the hospital's "
                     "record id", "required")
        return
    for extra in encounters[1:]:
        problems.add(extra.path, "one birth Encounter per delivery", "business-rule")
    enc = encounters[0]
    _record_id(enc, body, where, problems)
    _birth_place(index, enc, body, where, problems)
    _form_fields(enc, body, where, problems)


def _record_id(enc: Entry, body: dict[str, Any], where: Where, problems: Problems) -> None:
    ids = list(enumerate(enc.resource.get("identifier", [])))
    # SATUSEHAT's own system wins when the hospital also lists others (a queue number, a SEP...).
    chosen = [(j, i) for j, i in ids if i.get("system", "").startswith(C.SATUSEHAT_ENCOUNTER)] or ids
    if len(chosen) != 1 or "value" not in chosen[0][1]:
        problems.add(f"{enc.path}.identifier", "the Encounter's identifier is the hospital's record id: give "
                     f"one, or one with system {C.SATUSEHAT_ENCOUNTER}<organisation id>", "required")
        return
    j, ident = chosen[0]
    body["record_id"], where[("record_id",)] = ident["value"], f"{enc.path}.identifier[{j}].value"


def _birth_place(index: BundleIndex, enc: Entry, body: dict[str, Any], where: Where,
                 problems: Problems) -> None:
    org = index.resolve(enc.resource.get("serviceProvider"))
    if org is None or org.type != "Organization":
        problems.add(f"{enc.path}.serviceProvider", "the hospital's Organization, in this Bundle, is "
                     "required: its name and address are the place of birth", "required")
        return
    if "name" not in org.resource:
        problems.add(f"{org.path}.name", "the hospital's name is required", "required")
    if not org.resource.get("address"):
        problems.add(f"{org.path}.address", "the hospital's address with its administrativeCode is required",
                     "required")
        return
    found = administrative_codes(org.resource["address"][0], f"{org.path}.address[0]", problems)
    body["birth_place"] = {"facility_name": org.resource.get("name"),
                           "kab_kota_code": (found or {}).get("city")}
    where.update({("birth_place",): org.path, ("birth_place", "facility_name"): f"{org.path}.name",
                  ("birth_place", "kab_kota_code"): f"{org.path}.address[0]"})


def _form_fields(enc: Entry, body: dict[str, Any], where: Where, problems: Problems) -> None:
    r, path = enc.resource, enc.path
    for k, ext in enumerate(r.get("extension", [])):
        if ext.get("url", "").startswith(C.OURS) and ext["url"] not in C.KNOWN_EXTENSIONS:
            problems.add(f"{path}.extension[{k}].url", "no such kelahiran extension (see the README)",
                         "not-supported")
    if (got := _single(enc, C.EXT_ATTENDANT, "valueCode", problems, required=True)) is not None:
        body["attendant"], where[("attendant",)] = got[1], got[0]
    if (got := _single(enc, C.EXT_SPTJM, "valueBoolean", problems)) is not None:
        body["sptjm_marriage"], where[("sptjm_marriage",)] = got[1], got[0]
    if (got := _single(enc, C.EXT_REPORTER_PHONE, "valueContactPoint", problems, required=True)) is not None:
        body["reporter_phone"], where[("reporter_phone",)] = got[1].get("value"), f"{got[0]}.value"
    proof = extensions(r, C.EXT_MARRIAGE_PROOF)
    if len(proof) > 1:
        problems.add(f"{path}.extension[{proof[1][0]}]", "one marriage proof", "business-rule")
    for k, ext in proof[:1]:
        base = f"{path}.extension[{k}]"
        body["marriage_proof"], where[("marriage_proof",)] = {}, base
        for field, url, key in (("kind", "kind", "valueCode"), ("number", "number", "valueString")):
            where[("marriage_proof", field)], body["marriage_proof"][field] = _sub(ext, url, key, base,
                                                                                  problems)
    witnesses = extensions(r, C.EXT_WITNESS)
    if len(witnesses) != 2:
        problems.add(f"{path}.extension", f"form F-2.01 names two witnesses: two {C.EXT_WITNESS} extensions "
                     f"(found {len(witnesses)})", "required")
    body["witnesses"], where[("witnesses",)] = [], f"{path}.extension"
    for i, (k, ext) in enumerate(witnesses):
        base = f"{path}.extension[{k}]"
        witness: dict[str, Any] = {}
        where[("witnesses", i)] = base
        for field in ("nik", "name"):
            where[("witnesses", i, field)], witness[field] = _sub(ext, field, "valueString", base, problems)
        body["witnesses"].append(witness)


def _single(enc: Entry, url: str, key: str, problems: Problems, required: bool = False
            ) -> tuple[str, Any] | None:
    found = extensions(enc.resource, url)
    if len(found) > 1:
        problems.add(f"{enc.path}.extension[{found[1][0]}]", f"{url} is given twice", "business-rule")
    if not found or key not in found[0][1]:
        if required:
            where = f"{enc.path}.extension[{found[0][0]}]" if found else f"{enc.path}.extension"
            problems.add(where, f"extension {url} with {key} is required", "required")
        return None
    return f"{enc.path}.extension[{found[0][0]}].{key}", found[0][1][key]


def _sub(ext: dict[str, Any], url: str, key: str, base: str, problems: Problems) -> tuple[str, Any]:
    """(FHIRPath, value) of a complex extension's part; the value None when missing (and said so)."""
    got = sub_extension(ext, url, key)
    if got is None:
        problems.add(f"{base}.extension", f"sub-extension `{url}` with {key} is required", "required")
        return f"{base}.extension", None
    return f"{base}.extension[{got[0]}].{key}", got[1]
