from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from domain.notification import BirthNotification, intake_problems
from simulators.common.nik import make_nik
from tests.support import payloads


def _errors(body: dict) -> dict[tuple, str]:
    with pytest.raises(ValidationError) as exc:
        BirthNotification.model_validate(body)
    return {tuple(e["loc"]): e["msg"] for e in exc.value.errors()}


def test_valid_payload_parses():
    n = BirthNotification.model_validate(payloads.manual())
    assert n.children[0].birth_order == 1


def test_mother_nik_must_encode_a_woman():
    body = payloads.manual()
    body["mother"]["nik"] = make_nik("367305", date(1995, 3, 12), "male", 7)
    assert "encodes a man" in _errors(body)[("mother", "nik")]


def test_field_paths_for_bad_nik_and_weight():
    body = payloads.manual(children=[payloads.child(weight_grams=50)])
    body["witnesses"][1]["nik"] = "12345"
    errs = _errors(body)
    assert ("witnesses", 1, "nik") in errs
    assert ("children", 0, "weight_grams") in errs


def test_children_numbered_one_to_n():
    body = payloads.manual(children=[payloads.child(1), payloads.child(3)])
    assert "numbered 1..n" in _errors(body)[("children",)]


def test_father_nik_must_encode_a_man_and_proofs_are_exclusive():
    body = payloads.manual(sptjm_marriage=True)
    body["father"]["nik"] = make_nik("367305", date(1990, 1, 1), "female", 9)
    errs = _errors(body)
    assert "encodes a woman" in errs[("father", "nik")]
    assert "not both" in errs[("sptjm_marriage",)]


def test_marriage_proof_needs_a_father():
    body = payloads.manual(father=None)
    assert "father" in _errors(body)[("marriage_proof",)]


def test_stillbirth_needs_28_weeks():
    body = payloads.manual(children=[payloads.stillborn(weeks=24)])
    assert "28 weeks" in " ".join(_errors(body).values())


def test_unknown_fields_refused():
    body = payloads.manual(hobby="x")
    assert ("hobby",) in _errors(body)


def test_future_birth_date_is_an_intake_problem():
    today = date(2026, 1, 10)
    n = BirthNotification.model_validate(payloads.manual(birth_date=today + timedelta(days=1)))
    assert [loc for loc, _ in intake_problems(n, today)] == [("birth_date",)]
    ok = BirthNotification.model_validate(payloads.manual(birth_date=today))
    assert intake_problems(ok, today) == []


def test_consent_is_required_at_intake_and_needs_an_offset():
    today = date(2026, 1, 10)
    body = payloads.manual(birth_date=today)
    without = BirthNotification.model_validate({k: v for k, v in body.items() if k != "consent"})
    assert [loc for loc, _ in intake_problems(without, today)] == [("consent",)]
    naive = {**body, "consent": {**body["consent"], "given_at": "2026-01-10T09:00:00"}}
    assert ("consent", "given_at") in _errors(naive)
    bad = {**body, "consent": {**body["consent"], "method": "assumed"}}
    assert ("consent", "method") in _errors(bad)


def test_consent_is_not_part_of_the_births_content():
    from domain.bundle_state import content_hash

    body = payloads.manual()
    later = {**body, "consent": {**body["consent"], "given_at": "2026-01-11T10:00:00+07:00"}}
    assert content_hash(BirthNotification.model_validate(body)) == content_hash(
        BirthNotification.model_validate(later))
