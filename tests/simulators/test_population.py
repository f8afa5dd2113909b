"""The synthetic population: deterministic, valid identifiers, every trait the domain cases need."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from domain import regions
from domain.nik import parse_nik
from simulators.population import REFERENCE_DATE, FamilyRecord, generate_population


@pytest.fixture(scope="module")
def population() -> list[FamilyRecord]:
    return generate_population()


def _adults(f: FamilyRecord):
    return [f.wife] + ([f.husband] if f.husband else [])


def test_deterministic_for_a_seed(population):
    assert generate_population() == population
    assert generate_population(seed=7) != population
    assert len(generate_population(seed=7, families=40)) == 40


def test_fast():
    started = time.perf_counter()
    generate_population()
    assert time.perf_counter() - started < 1.0


def test_identifiers_are_valid_and_unique(population):
    people = [p for f in population for p in (*_adults(f), *f.children)]
    niks = [p.nik for p in people]
    assert len(set(niks)) == len(niks)
    for p in people:
        parsed = parse_nik(p.nik)
        assert (parsed.birth_date, parsed.sex) == (p.birth_date, p.sex)
    kks = [f.kk_number for f in population]
    assert len(set(kks)) == len(kks)
    assert all(len(k) == 16 and k.isdigit() and k.startswith(f.kecamatan)
               for k, f in zip(kks, population, strict=True))


def test_people_are_plausible(population):
    for f in population:
        for a in _adults(f):
            assert 1975 <= a.birth_date.year <= 2003
        assert f.wife.sex == "female"
        assert 0 <= len(f.children) <= 3
        for c in f.children:
            assert c.relationship == "ANAK"
            assert c.birth_date < REFERENCE_DATE
            assert (c.birth_date - f.wife.birth_date).days > 17 * 365
            assert c.nik.startswith(f.kecamatan)
        assert regions.kecamatan_name(f.kecamatan) and f.kelurahan.startswith(f.kecamatan)


def test_marital_shapes(population):
    for f in population:
        if f.marital == "TIDAK_KAWIN":
            assert f.husband is None and f.marriage_number is None
            assert f.wife.relationship == "KEPALA KELUARGA"
        else:
            assert f.husband is not None and f.husband.relationship == "KEPALA KELUARGA"
            assert f.wife.relationship == "ISTRI"
            assert (f.marriage_number is not None) == (f.marital == "KAWIN_TERCATAT")
    numbers = [f.marriage_number for f in population if f.marriage_number]
    assert len(set(numbers)) == len(numbers)


def test_mix_is_roughly_as_specified(population):
    n = len(population)
    kab = Counter(f.kab_kota for f in population)
    assert kab["3673"] > n * 0.5 and all(kab[k] > 10 for k in ("3604", "3672", "3201", "3671"))
    assert {f.kecamatan for f in population if f.kab_kota == "3673"} == set(
        regions.kecamatan_of("3673"))
    assert all(regions.is_current_kecamatan(f.kecamatan) for f in population)
    seg = Counter(f.bpjs_segment for f in population)
    for name, share in {"PBI": .35, "PPU": .25, "PBPU": .20, "NONE": .15, "NONAKTIF": .05}.items():
        assert abs(seg[name] / n - share) < 0.07, name
    marital = Counter(f.marital for f in population)
    assert marital["KAWIN_TERCATAT"] / n > 0.7
    serang = [f for f in population if f.kab_kota == "3673"]
    assert 0.05 < sum(f.legacy_nik for f in serang) / len(serang) < 0.2
    assert not any(f.legacy_nik for f in population if f.kab_kota != "3673")
    for f in population:
        assert (f.ppu_wage is not None) == (f.bpjs_segment == "PPU")


@pytest.mark.parametrize(
    "traits",
    [
        {"kab_kota": "3673", "marital": "KAWIN_TERCATAT", "bpjs_segment": "PBI"},
        {"kecamatan": "367302", "marital": "KAWIN_TERCATAT"},
        {"kecamatan": "367305", "marital": "KAWIN_TERCATAT"},
        {"bpjs_segment": "PPU", "n_children": 3, "kab_kota": "3673"},
        {"bpjs_segment": "PBPU", "kab_kota": "3673"},
        {"bpjs_segment": "NONE", "kab_kota": "3673"},
        {"bpjs_segment": "NONAKTIF"},
        {"marital": "KAWIN_BELUM_TERCATAT", "kab_kota": "3673"},
        {"marital": "TIDAK_KAWIN", "kab_kota": "3673"},
        {"kab_kota": "3604", "marital": "KAWIN_TERCATAT"},
        {"kab_kota": "3672", "marital": "KAWIN_TERCATAT"},
        {"kab_kota": "3201", "marital": "KAWIN_TERCATAT"},
        {"kab_kota": "3671"},
        {"legacy_nik": True, "kab_kota": "3673", "marital": "KAWIN_TERCATAT"},
    ],
)
def test_every_case_has_a_family(population, traits):
    def matches(f: FamilyRecord) -> bool:
        facts = {"kab_kota": f.kab_kota, "kecamatan": f.kecamatan, "marital": f.marital,
                 "bpjs_segment": f.bpjs_segment, "n_children": len(f.children),
                 "legacy_nik": f.legacy_nik}
        return all(facts[k] == v for k, v in traits.items())

    assert any(matches(f) for f in population)
