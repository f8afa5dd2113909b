"""A checked transaction Bundle -> the BirthNotification the JSON API takes (and where each field came from).

Who is who: the mother is the one Patient with her own NIK (system .../id/nik); every other Patient is a
newborn of this delivery. RelatedPersons link them (MTH: mother, FTH: the father, whose NIK and name
the notification takes). The one Encounter is the delivery: its identifier is the hospital's record id,
its serviceProvider the hospital, and it carries our extensions for what FHIR has no element for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from api.fhir import codes as C
from api.fhir.children import Where, first_birth_time, read_children
from api.fhir.encounter import read_encounter
from api.fhir.outcome import FhirError, Issue, Problems
from api.fhir.parse import BundleIndex, Entry, modifier_extensions
from api.fhir.people import read_consent, read_father, read_mother_links
from api.fhir.read import identifiers, name_of
from domain.notification import BirthNotification


@dataclass(frozen=True)
class Mapped:
    notification: BirthNotification
    where: Where

    def expression(self, loc: tuple[str | int, ...]) -> str:
        """The FHIRPath a notification field came from (its closest mapped ancestor)."""
        return expression(self.where, loc)


def expression(where: Where, loc: tuple[str | int, ...]) -> str:
    for end in range(len(loc), 0, -1):
        if loc[:end] in where:
            return where[loc[:end]]
    return "Bundle"


def to_notification(bundle: dict[str, Any]) -> Mapped:
    """Map, or raise FhirError(422) listing every problem found (each with its FHIRPath)."""
    problems = Problems()
    _transaction_rules(bundle, problems)
    problems.raise_if_any()  # what follows reads the entries' resources
    index = BundleIndex(bundle)
    body: dict[str, Any] = {}
    where: Where = {}
    mother, newborns = _patients(index, problems)
    mother_nik = _mother(mother, body, where, problems)
    kids = read_children(index, newborns, mother, mother_nik, problems)
    body["children"] = kids.items
    where.update(kids.where)
    where[("children",)] = "Bundle.entry"
    if kids.first is not None:
        _delivery_facts(kids.first, newborns, body, where, problems)
    read_mother_links(index, mother, mother_nik, newborns, problems)
    read_father(index, newborns, body, where, problems)
    read_encounter(index, body, where, problems)
    read_consent(index, mother, newborns, body, where, problems)
    problems.raise_if_any()
    try:
        notification = BirthNotification.model_validate(body)
    except ValidationError as exc:
        raise FhirError(422, [Issue(expression(where, tuple(e["loc"])), _message(e)) for e in exc.errors()]
                        ) from None
    return Mapped(notification, where)


def _message(error: Any) -> str:
    msg = error["msg"].removeprefix("Value error, ")
    return f"{'.'.join(str(p) for p in error['loc'])}: {msg}" if error["loc"] else msg


def _transaction_rules(bundle: dict[str, Any], problems: Problems) -> None:
    if bundle.get("type") != "transaction":
        problems.add("Bundle.type", "a delivery is one transaction: Bundle.type must be transaction",
                     "not-supported")
    entries = bundle.get("entry", [])
    if not entries:
        problems.add("Bundle.entry", "the Bundle has no entries", "required")
    for i, entry in enumerate(entries):
        if "resource" not in entry:
            problems.add(f"Bundle.entry[{i}].resource", "every entry of this transaction carries a resource",
                         "required")
        if "request" not in entry:  # bdl-3: a transaction's entries say what to do
            problems.add(f"Bundle.entry[{i}].request", "a transaction entry needs its request", "required")
        for path in modifier_extensions(entry.get("resource"), f"Bundle.entry[{i}].resource"):
            problems.add(path, "modifier extensions are not understood here: the content cannot be "
                         "processed safely", "not-supported")


def _patients(index: BundleIndex, problems: Problems) -> tuple[Entry | None, list[Entry]]:
    patients = index.of_type("Patient")
    mothers = [p for p in patients if identifiers(p.resource, C.NIK)]
    if not mothers:
        problems.add("Bundle.entry", f"the mother's Patient, with her NIK (identifier system {C.NIK}), is "
                     "required", "required")
    for extra in mothers[1:]:
        problems.add(f"{extra.path}.identifier", "only the mother is a Patient with a NIK here: a newborn "
                     "carries nik-ibu, the father is a RelatedPerson (FTH)", "business-rule")
    newborns = [p for p in patients if p.index not in {m.index for m in mothers}]
    if not newborns:
        problems.add("Bundle.entry", f"no newborn Patient (identifier system {C.NIK_IBU})", "required")
    elif len(newborns) > 9:
        problems.add("Bundle.entry", "at most 9 newborns in one delivery", "business-rule")
    return (mothers[0] if mothers else None), newborns


def _mother(mother: Entry | None, body: dict[str, Any], where: Where, problems: Problems) -> str | None:
    if mother is None:
        return None
    j, nik = identifiers(mother.resource, C.NIK)[0]
    name = name_of(mother.resource)
    if name is None:
        problems.add(f"{mother.path}.name", "the mother's name is required", "required")
    body["mother"] = {"nik": nik, "name": name[1] if name else ""}
    where[("mother",)] = mother.path
    where[("mother", "nik")] = f"{mother.path}.identifier[{j}].value"
    where[("mother", "name")] = f"{mother.path}.name"
    return nik


def _delivery_facts(first: Entry, newborns: list[Entry], body: dict[str, Any], where: Where,
                    problems: Problems) -> None:
    """Date, time and KK of the delivery, from the first-born; the others must agree."""
    born = first.resource.get("birthDate")
    if born is None:
        problems.add(f"{first.path}.birthDate", "the newborn's birthDate is required", "required")
    body["birth_date"], where[("birth_date",)] = born, f"{first.path}.birthDate"
    time = first_birth_time(first, problems) if born else None
    if time:
        body["birth_time"], where[("birth_time",)] = time
    kk = identifiers(first.resource, C.KK)
    if not kk:
        problems.add(f"{first.path}.identifier", f"the family's KK number the children join is an identifier "
                     f"with system {C.KK} on each newborn", "required")
    else:
        body["kk_number"], where[("kk_number",)] = kk[0][1], f"{first.path}.identifier[{kk[0][0]}].value"
    for other in newborns:
        if other is first:
            continue
        if born and other.resource.get("birthDate") != born:
            problems.add(f"{other.path}.birthDate", "the children of one delivery share its birth date "
                         "(the notification carries one)", "business-rule")
        theirs = identifiers(other.resource, C.KK)
        if kk and [v for _, v in theirs] != [kk[0][1]]:
            problems.add(f"{other.path}.identifier", "each newborn carries the same KK number (one "
                         f"identifier with system {C.KK})", "business-rule")
