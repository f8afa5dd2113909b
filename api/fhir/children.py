"""The newborn Patients and their birth Observations -> the notification's children.

SATUSEHAT numbers births with multipleBirthInteger: 0 for a single birth, 1, 2... for twins and other
multiples (the domain notes), so 0 maps to birth_order 1. A stillbirth is a Patient with
deceasedBoolean true plus the finding SNOMED CT 237364002 |Stillbirth| (a Condition or an Observation
about that Patient): a baby born alive who then died is a live birth followed by a death report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from api.fhir import codes as C
from api.fhir.outcome import Problems
from api.fhir.parse import BundleIndex, Entry
from api.fhir.read import codes, has_identifier_system, identifiers, name_of, subject_of
from api.fhir.satusehat import administrative_codes
from domain.person_names import is_placeholder

# UCUM units taken, as exact factors to grams, centimetres and weeks (266 d is 38 wk, not 37.99...).
UNITS = {"weight": {"g": Fraction(1), "kg": Fraction(1000)},
         "length": {"cm": Fraction(1), "mm": Fraction(1, 10)},
         "gestation": {"wk": Fraction(1), "d": Fraction(1, 7)}}
KINDS = (("weight", C.BIRTH_WEIGHT), ("length", C.BIRTH_LENGTH), ("gestation", C.GESTATIONAL_AGE))
LABEL = {"weight": "birth weight", "length": "birth length", "gestation": "gestational age"}
FIELDS = (("weight", "weight_grams"), ("length", "length_cm"), ("gestation", "gestational_age_weeks"))
Where = dict[tuple[str | int, ...], str]


@dataclass
class Children:
    items: list[dict[str, Any]] = field(default_factory=list)  # in birth order
    where: Where = field(default_factory=dict)
    first: Entry | None = None  # the first-born: the delivery's date, time and KK


def read_children(index: BundleIndex, newborns: list[Entry], mother: Entry | None, mother_nik: str | None,
                  problems: Problems) -> Children:
    orders = _birth_orders(newborns, problems)
    measured = _measurements(index, {e.index for e in newborns}, mother, problems)
    stillborn = _stillbirth_findings(index, problems)
    out = Children()
    for entry in sorted(newborns, key=lambda e: orders.get(e.index, 99)):
        _identity(entry, mother_nik, problems)
        if entry.index not in orders:
            continue  # its multipleBirthInteger was refused: the children could not be numbered
        i = len(out.items)
        out.first = out.first or entry
        child: dict[str, Any] = {"birth_order": orders[entry.index], "outcome": "live"}
        out.where[("children", i)] = entry.path
        _sex_and_name(entry, child, out.where, i, problems)
        if _deceased(entry, entry.index in stillborn, problems):
            child["outcome"] = "stillbirth"
        for kind, key in FIELDS:
            # Gestational age is often recorded on the mother: it is the delivery's, so every child's.
            found = measured.get((entry.index, kind)) or measured.get(("mother", kind))
            out.where[("children", i, key)] = found[0] if found else entry.path
            if found and found[1] is not None:
                child[key] = found[1]
            elif not found and (kind != "gestation" or child["outcome"] == "stillbirth"):
                why = "; a stillbirth is registrable from 28 weeks" if kind == "gestation" else ""
                problems.add(entry.path, f"no {LABEL[kind]} Observation (LOINC {_loinc(kind)}) for this "
                             f"newborn{why}", "required")
        out.items.append(child)
    return out


def _loinc(kind: str) -> str:
    return ", ".join(sorted(dict(KINDS)[kind]))


def _birth_orders(newborns: list[Entry], problems: Problems) -> dict[int, int]:
    n, orders = len(newborns), {}
    for e in newborns:
        r, path = e.resource, f"{e.path}.multipleBirthInteger"
        if "multipleBirthBoolean" in r:
            problems.add(f"{e.path}.multipleBirthBoolean", "SATUSEHAT records multipleBirthInteger: 0 for a "
                         "single birth, 1, 2... for twins and other multiples")
        elif "multipleBirthInteger" not in r:
            problems.add(path, "multipleBirthInteger is required: 0 for a single birth, 1, 2... for twins "
                         "and other multiples", "required")
        elif n == 1 and r["multipleBirthInteger"] != 0:
            problems.add(path, "a single birth has multipleBirthInteger 0 (SATUSEHAT); 1, 2... number the "
                         "children of twins and other multiples")
        elif n > 1 and not 1 <= r["multipleBirthInteger"] <= n:
            problems.add(path, f"this delivery has {n} newborn Patients: number them 1..{n} "
                         "(0 means a single birth)")
        elif r["multipleBirthInteger"] in orders.values() and n > 1:
            problems.add(path, "this birth order is given to two newborns")
        else:
            orders[e.index] = max(1, r["multipleBirthInteger"])
    return orders


def _identity(e: Entry, mother_nik: str | None, problems: Problems) -> None:
    """SATUSEHAT's newborn rules: the mother's NIK (nik-ibu) until the baby has its own; an address."""
    found = identifiers(e.resource, C.NIK_IBU)
    if not found:
        problems.add(f"{e.path}.identifier", f"a newborn Patient carries the mother's NIK as an identifier "
                     f"with system {C.NIK_IBU}", "required")
    for j, value in found:
        if mother_nik and value != mother_nik:
            problems.add(f"{e.path}.identifier[{j}].value", "nik-ibu differs from the NIK of the mother's "
                         "Patient", "business-rule")
    if has_identifier_system(e.resource, C.NIK):
        problems.add(f"{e.path}.identifier", "a newborn has no NIK of its own yet: Dukcapil issues it",
                     "business-rule")
    if not e.resource.get("address"):
        problems.add(f"{e.path}.address", "SATUSEHAT: the newborn's address with its administrativeCode "
                     "extension is required", "required")
    else:
        administrative_codes(e.resource["address"][0], f"{e.path}.address[0]", problems)


def _sex_and_name(e: Entry, child: dict[str, Any], where: Where, i: int, problems: Problems) -> None:
    gender = e.resource.get("gender")
    where[("children", i, "sex")] = f"{e.path}.gender"
    if gender in ("male", "female"):
        child["sex"] = gender
    else:
        problems.add(f"{e.path}.gender", "form F-2.01 records a newborn as male or female",
                     "required" if gender is None else "value")
    name = name_of(e.resource)
    if name and not is_placeholder(name[1]):  # "Bayi Ny. ..." means: not named yet (domain/person_names)
        child["name"] = name[1]
        where[("children", i, "name")] = f"{e.path}.name[{name[0]}]"


def _deceased(e: Entry, finding: bool, problems: Problems) -> bool:
    r = e.resource
    deceased = r.get("deceasedBoolean") is True or "deceasedDateTime" in r
    if finding and not deceased:
        problems.add(f"{e.path}.deceasedBoolean", "a stillborn Patient is deceased: deceasedBoolean true",
                     "business-rule")
    elif deceased and not finding:
        key = "deceasedBoolean" if "deceasedBoolean" in r else "deceasedDateTime"
        problems.add(f"{e.path}.{key}", "a deceased newborn is either a stillbirth (add the finding SNOMED "
                     "CT 237364002 about it, as a Condition) or a baby born alive who died: send it alive, "
                     "then POST /v1/births/{id}/children/{n}/death", "business-rule")
    return deceased and finding


def _stillbirth_findings(index: BundleIndex, problems: Problems) -> set[int]:
    found: set[int] = set()
    for e in index.of_type("Condition") + index.of_type("Observation"):
        if C.STILLBIRTH not in codes(e.resource.get("code"), C.SNOMED) or _void(e):
            continue
        subject = index.resolve(subject_of(e))
        if subject is None or subject.type != "Patient":
            problems.add(f"{e.path}.subject", "the stillbirth finding's subject must be the newborn Patient "
                         "in this Bundle", "business-rule")
        else:
            found.add(subject.index)
    return found


def _void(e: Entry) -> bool:
    """An Observation cancelled or entered in error, or a Condition refuted: it never held."""
    if e.resource.get("status") in C.VOID_STATUSES:
        return True
    return bool(codes(e.resource.get("verificationStatus"), C.CONDITION_VERIFICATION) & C.VOID_STATUSES)


def _measurements(index: BundleIndex, newborns: set[int], mother: Entry | None,
                  problems: Problems) -> dict[tuple[int | str, str], tuple[str, Any]]:
    """(subject, kind) -> (FHIRPath of the value, value in our unit); the mother only for gestation."""
    out: dict[tuple[int | str, str], tuple[str, Any]] = {}
    for e in index.of_type("Observation"):
        kind = next((k for k, loinc in KINDS if codes(e.resource.get("code"), C.LOINC) & loinc), None)
        if kind is None or _void(e):
            continue
        subject = index.resolve(e.resource.get("subject"))
        is_mother = mother is not None and subject is not None and subject.index == mother.index
        if subject is None or not (subject.index in newborns or (kind == "gestation" and is_mother)):
            problems.add(f"{e.path}.subject", f"the {LABEL[kind]} Observation's subject must be a newborn "
                         "Patient in this Bundle" + (" (or the mother)" if kind == "gestation" else ""),
                         "business-rule")
            continue
        key = ("mother" if is_mother else subject.index, kind)
        if key in out:
            problems.add(e.path, f"a second {LABEL[kind]} Observation for the same Patient", "business-rule")
            continue
        out[key] = (f"{e.path}.valueQuantity", _quantity(e, kind, problems))  # None: said why already
    return out


def _quantity(e: Entry, kind: str, problems: Problems) -> Any:
    q = e.resource.get("valueQuantity")
    if q is None or "value" not in q:
        problems.add(f"{e.path}.valueQuantity", f"the {LABEL[kind]} is a valueQuantity with a value",
                     "required")
        return None
    unit = q.get("code") if q.get("system") == C.UCUM and "code" in q else q.get("unit")
    factor = UNITS[kind].get(unit or "")
    if factor is None:
        problems.add(f"{e.path}.valueQuantity", f"the {LABEL[kind]} unit must be one of "
                     f"{', '.join(UNITS[kind])} (UCUM)")
        return None
    value = Fraction(Decimal(q["value"])) * factor
    if kind == "weight":
        if value.denominator != 1:
            problems.add(f"{e.path}.valueQuantity.value", "the birth weight is recorded in whole grams")
            return None
        return int(value)
    if kind == "gestation":
        return math.floor(value)  # completed weeks: 38 weeks 6 days is 38 weeks
    return float(value)


def first_birth_time(e: Entry, problems: Problems) -> tuple[str, str] | None:
    """(the time of birth as written, its FHIRPath) from the standard patient-birthTime extension."""
    for k, ext in enumerate(e.resource.get("_birthDate", {}).get("extension", [])):
        if ext.get("url") == C.BIRTH_TIME and "valueDateTime" in ext:
            path = f"{e.path}._birthDate.extension[{k}].valueDateTime"
            value = ext["valueDateTime"]
            if "T" not in value:
                problems.add(path, "the birth time needs hours and minutes")
                return None
            try:
                born = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                problems.add(path, "the birth time is not a date and time Python can read")
                return None
            if born.date().isoformat() != e.resource.get("birthDate"):
                problems.add(path, "the birth time's date differs from birthDate", "business-rule")
                return None
            return born.time().isoformat(), path  # local time as the hospital wrote it (WIB, WITA, WIT)
    problems.add(f"{e.path}.birthDate", f"the time of birth is required: extension {C.BIRTH_TIME} on "
                 "birthDate", "required")
    return None
