"""Each example Bundle maps to exactly the notification the JSON API would take; errors name their element."""

from __future__ import annotations

import copy
import json
import random
from datetime import date

import pytest

from api.fhir.mapping import to_notification
from api.fhir.outcome import FhirError
from api.fhir.parse import check_structure, read_json
from domain.bundle_state import content_hash
from domain.notification import BirthNotification
from tests.support import payloads
from tests.support.fhir_examples import example, made_up_family

BORN = date(2026, 11, 26)
FAM = made_up_family()
# Entry positions in the examples (single_live_birth and stillbirth; twins below).
ORG, MOTHER, BABY, RP_MOTHER, RP_FATHER, ENC, WEIGHT, LENGTH, GA = range(9)


def bundle(name: str = "single_live_birth") -> dict:
    return example(name, FAM, birth_date=BORN, record_id="RM-FHIR-0001")


def mapped(b: dict):
    raw = json.dumps(b).encode()
    data = read_json(raw)
    check_structure(raw, data)
    return to_notification(data)


def issues(b: dict, status: int = 422) -> list[tuple[str, str]]:
    with pytest.raises(FhirError) as err:
        mapped(b)
    assert err.value.status == status
    return [(i.expression, i.code) for i in err.value.issues]


def res(b: dict, i: int) -> dict:
    return b["entry"][i]["resource"]


def expected(children: list[dict]) -> dict:
    """The JSON API's body for the same family and birth (payloads.from_family, as a hospital posts it)."""
    body = payloads.from_family(FAM, birth_date=BORN, children=children, proof="marriage",
                                record_id="RM-FHIR-0001")
    body["consent"]["given_at"] = f"{BORN.isoformat()}T09:00:00+07:00"
    return body


def test_single_live_birth_maps_to_the_json_notification():
    want = expected([payloads.child(1, sex="female", name="Siti Aminah", gestational_age_weeks=39)])
    got = mapped(bundle()).notification
    assert got == BirthNotification.model_validate(want)
    assert got.model_dump(mode="json") == {
        "record_id": "RM-FHIR-0001", "birth_date": "2026-11-26", "birth_time": "08:30:00",
        "birth_place": {"facility_name": "RSUD dr. Drajat Prawiranegara", "kab_kota_code": "3673"},
        "attendant": "midwife",
        "mother": {"nik": FAM["ibu"]["nik"], "name": "Rina Marlina"},
        "father": {"nik": FAM["ayah"]["nik"], "name": "Agus Salim"},
        "kk_number": "3673051203150004",
        "marriage_proof": {"kind": "buku_nikah", "number": "0123/45/VI/2015"}, "sptjm_marriage": False,
        "witnesses": [{"nik": w["nik"], "name": w["nama"]} for w in FAM["saksi"]],
        "reporter_phone": "081234567890",
        "children": [{"birth_order": 1, "outcome": "live", "sex": "female", "name": "Siti Aminah",
                      "weight_grams": 3100, "length_cm": 49.5, "gestational_age_weeks": 39}],
        "consent": {"given_by": "mother", "given_at": "2026-11-26T09:00:00+07:00", "method": "signed_form",
                    "form_reference": "PERSETUJUAN-01"},
    }
    assert content_hash(got) == content_hash(BirthNotification.model_validate(want))  # the same bundle


def test_twins_are_numbered_by_multiple_birth_integer_with_the_mothers_gestational_age():
    want = expected([payloads.child(1, sex="female", name="Aisyah", weight_grams=2450, length_cm=46,
                                    gestational_age_weeks=36),
                     payloads.child(2, sex="female", name="Azizah", weight_grams=2300, length_cm=45.5,
                                    gestational_age_weeks=36)])
    assert mapped(bundle("twins")).notification == BirthNotification.model_validate(want)


def test_twins_listed_in_any_order_map_by_birth_order():
    b = bundle("twins")
    b["entry"][2], b["entry"][3] = b["entry"][3], b["entry"][2]
    children = mapped(b).notification.children
    assert [(c.birth_order, c.name) for c in children] == [(1, "Aisyah"), (2, "Azizah")]


def test_stillbirth_maps_to_outcome_stillbirth_without_the_placeholder_name():
    want = expected([payloads.stillborn(1, sex="male", weeks=34)])
    got = mapped(bundle("stillbirth")).notification
    assert got == BirthNotification.model_validate(want)
    assert got.children[0].name is None  # "Bayi Ny. <mother>" is SATUSEHAT's "not named yet"


def test_missing_nik_ibu_names_the_newborns_identifier():
    b = bundle()
    baby = res(b, BABY)
    baby["identifier"] = [i for i in baby["identifier"] if not i["system"].endswith("nik-ibu")]
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.identifier", "required")]


def test_nik_ibu_of_another_woman_is_refused_at_its_value():
    b = bundle()
    res(b, BABY)["identifier"][0]["value"] = FAM["saksi"][1]["nik"]
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.identifier[0].value", "business-rule")]


@pytest.mark.parametrize("value", [1, 2, -1])
def test_single_birth_is_multiple_birth_integer_zero(value):
    b = bundle()
    res(b, BABY)["multipleBirthInteger"] = value
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.multipleBirthInteger", "value")]


@pytest.mark.parametrize(("first", "second", "bad"), [(0, 2, 2), (1, 1, 3), (1, 3, 3)])
def test_twins_are_numbered_one_and_two(first, second, bad):
    b = bundle("twins")
    res(b, 2)["multipleBirthInteger"], res(b, 3)["multipleBirthInteger"] = first, second
    assert issues(b) == [(f"Bundle.entry[{bad}].resource.multipleBirthInteger", "value")]


def test_multiple_birth_integer_is_required_and_boolean_refused():
    b = bundle()
    del res(b, BABY)["multipleBirthInteger"]
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.multipleBirthInteger", "required")]
    res(b, BABY)["multipleBirthBoolean"] = False
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.multipleBirthBoolean", "value")]


def test_bad_administrative_codes_name_the_failing_level():
    b = bundle()
    codes = res(b, BABY)["address"][0]["extension"][0]["extension"]
    codes[2]["valueCode"] = "367399"  # no such kecamatan in Kota Serang
    res(b, ORG)["address"][0]["extension"][0]["extension"][1]["valueCode"] = "3273"  # not in province 36
    assert issues(b) == [
        (f"Bundle.entry[{BABY}].resource.address[0].extension[0].extension[2].valueCode", "value"),
        (f"Bundle.entry[{ORG}].resource.address[0].extension[0].extension[1].valueCode", "value"),
    ]


def test_missing_administrative_code_is_required():
    b = bundle()
    res(b, BABY)["address"][0]["extension"] = []
    del res(b, BABY)["address"][0]["extension"]
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.address[0].extension", "required")]


def test_only_a_transaction_bundle_is_taken():
    b = bundle()
    b["type"] = "batch"
    assert issues(b) == [("Bundle.type", "not-supported")]


def test_deceased_without_the_stillbirth_finding_and_the_reverse():
    b = bundle("stillbirth")
    b["entry"] = [e for e in b["entry"] if e["resource"]["resourceType"] != "Condition"]
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.deceasedBoolean", "business-rule")]
    b = bundle("stillbirth")
    res(b, BABY)["deceasedBoolean"] = False
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource.deceasedBoolean", "business-rule")]


def test_a_stillbirth_before_28_weeks_is_refused_at_the_newborn():
    b = bundle("stillbirth")
    ga = next(e["resource"] for e in b["entry"] if e["resource"].get("code", {}).get("coding", [{}])[0]
              .get("code") == "11884-4")
    ga["valueQuantity"]["value"] = 26
    assert issues(b) == [(f"Bundle.entry[{BABY}].resource", "value")]


def test_missing_weight_observation_and_units():
    b = bundle()
    res(b, LENGTH)["valueQuantity"].update(code="[in_i]", unit="[in_i]")
    b["entry"].pop(WEIGHT)
    assert issues(b) == [(f"Bundle.entry[{WEIGHT}].resource.valueQuantity", "value"),
                         (f"Bundle.entry[{BABY}].resource", "required")]


def test_weight_in_kilograms_is_converted_exactly():
    b = bundle()
    res(b, WEIGHT)["valueQuantity"].update(value=3.1, code="kg", unit="kg")
    assert mapped(b).notification.children[0].weight_grams == 3100


def test_field_rules_of_the_notification_point_at_their_fhir_element():
    b = bundle()
    res(b, RP_FATHER)["identifier"][0]["value"] = FAM["ibu"]["nik"]  # a woman's NIK as the father's
    res(b, ENC)["extension"][0]["valueCode"] = "bidan"
    res(b, ENC)["extension"][1]["extension"][0]["valueString"] = "1234"
    assert sorted(issues(b)) == sorted([
        (f"Bundle.entry[{RP_FATHER}].resource.identifier[0].value", "value"),
        (f"Bundle.entry[{ENC}].resource.extension[0].valueCode", "value"),
        (f"Bundle.entry[{ENC}].resource.extension[1].extension[0].valueString", "value"),
    ])


def test_our_extensions_are_checked_and_modifier_extensions_refused():
    b = bundle()
    res(b, ENC)["extension"].append({"url": "https://kelahiran.example.id/fhir/StructureDefinition/witness",
                                     "valueString": "x"})
    enc = res(b, ENC)
    enc["extension"] = [e for e in enc["extension"] if not e["url"].endswith("reporter-phone")]
    res(b, MOTHER)["modifierExtension"] = [{"url": "https://example.org/not-really", "valueBoolean": True}]
    assert sorted(issues(b)) == sorted([
        (f"Bundle.entry[{MOTHER}].resource.modifierExtension", "not-supported"),
    ])
    del res(b, MOTHER)["modifierExtension"]
    assert sorted(issues(b)) == sorted([(f"Bundle.entry[{ENC}].resource.extension[4].url", "not-supported"),
                                        (f"Bundle.entry[{ENC}].resource.extension", "required")])


def test_every_newborn_is_linked_to_its_mother():
    b = bundle("twins")
    b["entry"].pop(5)  # the MTH RelatedPerson of the second twin
    assert issues(b) == [("Bundle.entry[3].resource", "required")]


def test_consent_and_record_id_paths_for_the_date_rules():
    m = mapped(bundle())
    assert m.expression(("consent", "given_at")) == "Bundle.entry[10].resource.dateTime"
    assert m.expression(("birth_date",)) == f"Bundle.entry[{BABY}].resource.birthDate"
    assert m.expression(("record_id",)) == f"Bundle.entry[{ENC}].resource.identifier[0].value"
    witness = f"Bundle.entry[{ENC}].resource.extension[2]"
    assert m.expression(("witnesses", 1, "nik")) == f"{witness}.extension[0].valueString"
    b = bundle()
    b["entry"] = [e for e in b["entry"] if e["resource"]["resourceType"] != "Consent"]
    m = mapped(b)
    assert m.notification.consent is None and m.expression(("consent",)) == "Bundle.entry"


def test_mutated_examples_map_or_answer_an_outcome_never_crash():
    rnd = random.Random(20261127)
    junk = [None, 0, -1, 2.5, "", "x", [], {}, [{}], {"reference": "urn:uuid:nowhere"}, True, "2026-13-01"]
    for _ in range(300):
        b = bundle(rnd.choice(["single_live_birth", "twins", "stillbirth"]))
        for _ in range(rnd.randint(1, 3)):
            _mutate(b, rnd, junk)
        try:
            mapped(b)
        except FhirError as err:
            assert err.issues and all(i.expression.startswith(("Bundle", "Resource")) for i in err.issues)


def _mutate(value: dict, rnd: random.Random, junk: list) -> None:
    """Drop or replace one element anywhere, or shuffle a reference to another entry."""
    spots: list[tuple[dict | list, str | int]] = []

    def walk(v):
        for k, x in (v.items() if isinstance(v, dict) else enumerate(v)):
            spots.append((v, k))
            if isinstance(x, dict | list):
                walk(x)

    walk(value)
    parent, key = rnd.choice(spots)
    if key == "reference":
        parent[key] = rnd.choice(value["entry"])["fullUrl"]
    elif rnd.random() < 0.4:
        del parent[key]
    else:
        parent[key] = copy.deepcopy(rnd.choice(junk))


def test_gestational_age_in_days_is_completed_weeks_and_length_in_millimetres():
    b = bundle()
    res(b, GA)["valueQuantity"].update(value=272, code="d", unit="d")  # 38 weeks 6 days
    res(b, LENGTH)["valueQuantity"].update(value=495, code="mm", unit="mm")
    child = mapped(b).notification.children[0]
    assert (child.gestational_age_weeks, child.length_cm) == (38, 49.5)
    res(b, GA)["valueQuantity"]["value"] = 266
    assert mapped(b).notification.children[0].gestational_age_weeks == 38
