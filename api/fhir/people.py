"""RelatedPersons (the mother's link to each newborn, the father) and the parent's Consent."""

from __future__ import annotations

from typing import Any

from api.fhir import codes as C
from api.fhir.children import Where
from api.fhir.outcome import Problems
from api.fhir.parse import BundleIndex, Entry
from api.fhir.read import any_codes, extensions, identifiers, name_of


def _roles(rp: Entry) -> set[str]:
    return any_codes(rp.resource.get("relationship", []), C.ROLE_CODE)


def _points_to_newborn(index: BundleIndex, rp: Entry, newborns: set[int], problems: Problems,
                       who: str) -> bool:
    target = index.resolve(rp.resource.get("patient"))
    if target is None or target.index not in newborns:
        problems.add(f"{rp.path}.patient", f"the {who}'s RelatedPerson points to a newborn Patient in this "
                     "Bundle", "business-rule")
        return False
    return True


def read_mother_links(index: BundleIndex, mother: Entry | None, mother_nik: str | None,
                      newborns: list[Entry], problems: Problems) -> None:
    """SATUSEHAT links each newborn to its mother by a RelatedPerson with relationship MTH."""
    ids, linked = {e.index for e in newborns}, set()
    for rp in index.of_type("RelatedPerson"):
        if not _roles(rp) & C.MOTHER_ROLES or not _points_to_newborn(index, rp, ids, problems, "mother"):
            continue
        linked.add(index.resolve(rp.resource["patient"]).index)
        for j, nik in identifiers(rp.resource, C.NIK):
            if mother_nik and nik != mother_nik:
                problems.add(f"{rp.path}.identifier[{j}].value", "the mother's RelatedPerson has another NIK "
                             "than the mother's Patient", "business-rule")
    for newborn in newborns:
        if newborn.index not in linked:
            problems.add(newborn.path, "no RelatedPerson (relationship MTH, system "
                         f"{C.ROLE_CODE}) links this newborn to its mother", "required")


def read_father(index: BundleIndex, newborns: list[Entry], body: dict[str, Any], where: Where,
                problems: Problems) -> None:
    """The father, when known: a RelatedPerson with relationship FTH, his NIK and his name."""
    ids, father = {e.index for e in newborns}, None
    for rp in index.of_type("RelatedPerson"):
        if not _roles(rp) & C.FATHER_ROLES or not _points_to_newborn(index, rp, ids, problems, "father"):
            continue
        niks, name = identifiers(rp.resource, C.NIK), name_of(rp.resource)
        if not niks:
            problems.add(f"{rp.path}.identifier", f"the father's NIK (identifier system {C.NIK}) is required",
                         "required")
        if name is None:
            problems.add(f"{rp.path}.name", "the father's name is required", "required")
        if not niks or name is None:
            continue
        if father is None:
            father = rp.path, niks[0], name
        elif niks[0][1] != father[1][1]:
            problems.add(f"{rp.path}.identifier[{niks[0][0]}].value", "the father's RelatedPersons of this "
                         "delivery name different people", "business-rule")
    body["father"] = None
    if father:
        path, (j, nik), (k, name) = father
        body["father"] = {"nik": nik, "name": name}
        where.update({("father",): path, ("father", "nik"): f"{path}.identifier[{j}].value",
                      ("father", "name"): f"{path}.name[{k}]"})


def read_consent(index: BundleIndex, mother: Entry | None, newborns: list[Entry], body: dict[str, Any],
                 where: Where, problems: Problems) -> None:
    """The parent's consent (UU 27/2022) as a FHIR Consent; twins may carry one each, all alike."""
    where[("consent",)] = "Bundle.entry"  # none at all: intake_problems says it is required
    first: dict[str, Any] | None = None
    for c in index.of_type("Consent"):
        mapped = _consent(index, c, mother, {e.index for e in newborns}, problems,
                          where if first is None else {})
        if first is None:
            first = body["consent"] = mapped
        elif mapped != first:
            problems.add(c.path, "the Consents of this delivery differ: the notification carries one",
                         "business-rule")


def _consent(index: BundleIndex, c: Entry, mother: Entry | None, newborns: set[int], problems: Problems,
             where: Where) -> dict[str, Any]:
    r, out = c.resource, {}
    where.update({("consent",): c.path, ("consent", "given_at"): f"{c.path}.dateTime",
                  ("consent", "given_by"): f"{c.path}.performer"})
    if r.get("status") != "active":
        problems.add(f"{c.path}.status", "the consent in force has status active", "business-rule")
    subject = index.resolve(r.get("patient"))
    if subject is None or subject.index not in newborns:
        problems.add(f"{c.path}.patient", "the consent is about a newborn Patient in this Bundle (its data)",
                     "required" if "patient" not in r else "business-rule")
    if "dateTime" in r:
        out["given_at"] = r["dateTime"]
    else:
        problems.add(f"{c.path}.dateTime", "when the consent was given is required", "required")
    out["given_by"] = _given_by(index, c, mother, problems)
    for k, ext in extensions(r, C.EXT_CONSENT_METHOD)[:1]:
        out["method"] = ext.get("valueCode")
        where[("consent", "method")] = f"{c.path}.extension[{k}].valueCode"
    if "method" not in out:
        problems.add(f"{c.path}.extension", f"how consent was given: extension {C.EXT_CONSENT_METHOD} "
                     "(signed_form, electronic_signature or verbal_witnessed)", "required")
    form = next(((j, i["value"]) for j, i in enumerate(r.get("identifier", [])) if "value" in i), None)
    if form:
        out["form_reference"] = form[1]
        where[("consent", "form_reference")] = f"{c.path}.identifier[{form[0]}].value"
    return out


def _given_by(index: BundleIndex, c: Entry, mother: Entry | None, problems: Problems) -> str | None:
    who = index.resolve((c.resource.get("performer") or [None])[0])
    if who is not None and mother is not None and who.index == mother.index:
        return "mother"
    if who is not None and who.type == "RelatedPerson":
        roles = _roles(who)
        return "mother" if roles & C.MOTHER_ROLES else "father" if roles & C.FATHER_ROLES else "guardian"
    problems.add(f"{c.path}.performer", "who gave consent: the mother's Patient, or a RelatedPerson "
                 "(mother, father or guardian) in this Bundle", "required")
    return None
