"""Reading a Bundle: malformed JSON is 400; the base R4 structure (fhirkit-rs) and references."""

from __future__ import annotations

import json
from datetime import date

import pytest

from api.fhir.outcome import FhirError
from api.fhir.parse import BundleIndex, check_structure, read_json
from tests.support.fhir_examples import example, made_up_family

BABY, ENC, WEIGHT, GA = 2, 5, 6, 8


def bundle() -> dict:
    return example("single_live_birth", made_up_family(), birth_date=date(2026, 11, 26), record_id="RM-1")


def structure_issues(b: dict) -> list[tuple[str, str]]:
    with pytest.raises(FhirError) as err:
        check_structure(json.dumps(b).encode(), b)
    assert err.value.status == 422
    return [(i.expression, i.code) for i in err.value.issues]


def res(b: dict, i: int) -> dict:
    return b["entry"][i]["resource"]


def test_the_examples_are_valid_r4():
    for name in ("single_live_birth", "twins", "stillbirth"):
        b = example(name, made_up_family(), birth_date=date(2026, 11, 26), record_id="RM-1")
        check_structure(json.dumps(b).encode(), b)


def test_base_r4_structure_errors_name_the_element():
    b = bundle()
    res(b, WEIGHT)["weightUnit"] = "g"  # no such element in an R4 Observation
    res(b, BABY)["multipleBirthInteger"] = "0"
    del res(b, ENC)["status"]
    assert sorted(structure_issues(b)) == sorted([
        (f"Bundle.entry[{WEIGHT}].resource.weightUnit", "structure"),
        (f"Bundle.entry[{BABY}].resource.multipleBirthInteger", "value"),
        (f"Bundle.entry[{ENC}].resource.status", "required"),
    ])


def test_a_resource_type_r4_does_not_have_is_a_structure_error():
    b = bundle()
    res(b, GA)["resourceType"] = "ObservationDefinitionX"
    assert structure_issues(b) == [(f"Bundle.entry[{GA}].resource", "structure")]


def test_a_resource_other_than_a_bundle_is_refused():
    patient = res(bundle(), BABY)
    assert structure_issues(patient) == [("Patient", "not-supported")]


@pytest.mark.parametrize("raw", [b"{not json", b'{"a": 1, "a": 2}', b"[]", b'{"x": NaN}', b"[" * 5000,
                                 b"\xff\xfe{}", b"", json.dumps({"resourceType": "Bundle"}).encode("utf-16")])
def test_malformed_bodies_are_400(raw):
    with pytest.raises(FhirError) as err:
        read_json(raw)
    assert err.value.status == 400 and err.value.issues[0].severity == "fatal"


def test_decimals_stay_exact():
    assert str(read_json(b'{"value": 3.10}')["value"]) == "3.10"


def test_references_resolve_by_full_url_or_type_and_id():
    b = bundle()
    res(b, BABY)["id"] = "bayi-1"
    index = BundleIndex(b)
    assert index.resolve({"reference": b["entry"][BABY]["fullUrl"]}).index == BABY
    assert index.resolve({"reference": "Patient/bayi-1"}).index == BABY
    assert index.resolve({"reference": "https://fhir.example.org/r4/Patient/bayi-1"}).index == BABY
    assert index.resolve({"reference": "Patient/other"}) is None
    assert index.resolve({"display": "no reference"}) is None
