"""Pure builders of activity inputs from the notification and what the bundle has obtained so far."""

from __future__ import annotations

from domain.contracts import (
    AktaInput,
    BpjsEnrolInput,
    KiaInput,
    KkChild,
    KkReissueInput,
    RegisterBirthInput,
    StillbirthInput,
)
from domain.contracts.notification import BirthNotificationData, ChildData
from domain.person_names import placeholder


def placeholder_name(n: BirthNotificationData) -> str:
    """How a baby without a name yet is registered (NIK, BPJS): the one rule in domain/person_names."""
    return placeholder(n.mother.name)


def register_birth(n: BirthNotificationData, c: ChildData, *, office: str, key: str,
                   name: str) -> RegisterBirthInput:
    return RegisterBirthInput(
        office=office, idempotency_key=key, kk_number=n.kk_number, mother_nik=n.mother.nik,
        father_nik=n.father.nik if n.father else None, birth_date=n.birth_date,
        birth_time=n.birth_time.isoformat(timespec="minutes"),
        birth_place_kab_kota=n.birth_place.kab_kota_code, facility_name=n.birth_place.facility_name,
        sex=c.sex, name=name, birth_order=c.birth_order, multiplicity=len(n.children),
        weight_grams=c.weight_grams, length_cm=c.length_cm)


def stillbirth(n: BirthNotificationData, c: ChildData, *, office: str, key: str) -> StillbirthInput:
    return StillbirthInput(
        office=office, idempotency_key=key, kk_number=n.kk_number, mother_nik=n.mother.nik,
        birth_date=n.birth_date, birth_order=c.birth_order,
        gestational_age_weeks=c.gestational_age_weeks or 0, facility_name=n.birth_place.facility_name)


def akta(n: BirthNotificationData, *, office: str, key: str, nik: str, name: str,
         kadis_decision: str | None, mother_only: bool = False) -> AktaInput:
    """`mother_only`: an SPTJM was rejected, so the akta names the mother alone ("anak seorang ibu")."""
    father = None if mother_only or n.father is None else n.father.nik
    return AktaInput(
        office=office, idempotency_key=key, child_nik=nik, child_name=name, kk_number=n.kk_number,
        mother_nik=n.mother.nik, father_nik=father,
        marriage_proof_number=n.marriage_proof.number if n.marriage_proof else None,
        sptjm_marriage=n.sptjm_marriage and not mother_only, witness_niks=[w.nik for w in n.witnesses],
        birth_place_kab_kota=n.birth_place.kab_kota_code, facility_name=n.birth_place.facility_name,
        attendant=n.attendant.value, kadis_decision_number=kadis_decision)


def kia(*, office: str, key: str, nik: str, name: str, akta_number: str) -> KiaInput:
    return KiaInput(office=office, idempotency_key=key, child_nik=nik, child_name=name,
                    akta_number=akta_number)


def kk_reissue(n: BirthNotificationData, *, office: str, key: str, niks: dict[int, str],
               names: dict[int, str],
               aktas: dict[int, str]) -> KkReissueInput:
    children = [KkChild(nik=niks[o], name=names[o], akta_number=aktas[o]) for o in sorted(aktas)]
    return KkReissueInput(office=office, idempotency_key=key, kk_number=n.kk_number, children=children)


def enrol(n: BirthNotificationData, c: ChildData, *, key: str, nik: str, name: str) -> BpjsEnrolInput:
    return BpjsEnrolInput(idempotency_key=key, mother_nik=n.mother.nik, child_nik=nik, child_name=name,
                          birth_date=n.birth_date, sex=c.sex)
