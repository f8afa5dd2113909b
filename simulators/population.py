"""A deterministic synthetic population of families (KK, parents, children, BPJS traits).

Shared by the simulators so Dukcapil and BPJS agree on who exists. Pure and clock-free: everything
is derived from `random.Random(seed)` and the fixed reference date below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Literal

from simulators.common import regions
from simulators.common.nik import make_nik, nik_prefix

REFERENCE_DATE = date(2025, 10, 1)

Sex = Literal["male", "female"]
Relationship = Literal["KEPALA KELUARGA", "ISTRI", "ANAK"]
Marital = Literal["KAWIN_TERCATAT", "KAWIN_BELUM_TERCATAT", "TIDAK_KAWIN"]
Segment = Literal["PBI", "PPU", "PBPU", "NONE", "NONAKTIF"]

# Kota Serang was carved out of Kab. Serang in 2007: adults registered before then may still hold
# a NIK with the old 3604 kecamatan code.
LEGACY_OF: dict[str, str] = {
    "367301": "360401", "367302": "360402", "367303": "360403",
    "367304": "360404", "367305": "360410", "367306": "360421",
}

_MALE_FIRST = (
    "Ahmad", "Budi", "Agus", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rahmat", "Rizki",
    "Slamet", "Teguh", "Wahyu", "Yusuf", "Andi", "Bambang", "Dani", "Hasan", "Imam", "Muhamad",
    "Nanang", "Ujang", "Asep", "Aris", "Dimas", "Firman", "Gilang", "Herman", "Sutrisno",
)
_FEMALE_FIRST = (
    "Siti", "Dewi", "Nur", "Sri", "Ayu", "Fitri", "Indah", "Lestari", "Maya", "Nurul", "Putri",
    "Rina", "Sari", "Wulan", "Yuni", "Aisyah", "Dian", "Eka", "Fatimah", "Intan", "Lia", "Mega",
    "Neng", "Ratna", "Tuti", "Umi", "Yanti", "Euis", "Iis", "Kurniasih",
)
_SECOND = (
    "Hidayat", "Saputra", "Setiawan", "Kurniawan", "Pratama", "Nugroho", "Wijaya", "Santoso",
    "Rahmawati", "Lestari", "Aminah", "Maryam", "Suryani", "Handayani", "Permata", "Fauzi",
    "Ramadhan", "Maulana", "Firmansyah", "Hakim", "Sulaeman", "Supriatna", "Rohmah", "Hasanah",
)
_STREETS = (
    "Jl. Ki Mas Jong", "Jl. Raya Pandeglang", "Jl. Ciwaru", "Jl. KH. Abdul Fatah Hasan",
    "Jl. Raya Serang-Jakarta", "Jl. Ayip Usman", "Jl. Lingkar Selatan", "Jl. Syekh Nawawi",
    "Jl. Raya Cilegon", "Jl. Mayor Safei", "Jl. Sempu", "Jl. Tubagus Suwandi", "Kp. Pasir",
)
_BIRTH_PLACES = ("Serang", "Pandeglang", "Lebak", "Cilegon", "Tangerang", "Bogor", "Jakarta",
                 "Bandung", "Lampung", "Brebes")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class PersonRecord:
    nik: str
    name: str
    sex: Sex
    birth_date: date
    birth_place: str
    relationship: Relationship


@dataclass(frozen=True)
class FamilyRecord:
    kk_number: str
    kab_kota: str
    kecamatan: str
    kelurahan: str  # 10-digit village code
    address: str
    kk_issued_on: date
    marital: Marital
    marriage_number: str | None
    husband: PersonRecord | None
    wife: PersonRecord  # the mother; KEPALA KELUARGA when there is no husband
    children: tuple[PersonRecord, ...]
    bpjs_segment: Segment
    bpjs_class: Literal["1", "2", "3"]
    ppu_wage: int | None

    @property
    def legacy_nik(self) -> bool:
        """True when a parent's NIK carries a kecamatan code that no longer exists."""
        adults = [self.wife] + ([self.husband] if self.husband else [])
        return any(not regions.is_current_kecamatan(p.nik[:6]) for p in adults)


@dataclass(frozen=True)
class _Plan:
    kab_kota: str
    marital: Marital
    segment: Segment
    children: int
    legacy: bool = False
    kecamatan: str | None = None


def _required_plans() -> list[_Plan]:
    """Trait combinations the domain cases need, placed first so every size >= ~30 has them."""
    plans = [_Plan("3673", "KAWIN_TERCATAT", "PBI", 1, kecamatan=k) for k in LEGACY_OF]
    plans += [
        _Plan("3673", "KAWIN_TERCATAT", "PPU", 3), _Plan("3673", "KAWIN_TERCATAT", "PPU", 3),
        _Plan("3673", "KAWIN_TERCATAT", "PPU", 1), _Plan("3673", "KAWIN_TERCATAT", "PBPU", 0),
        _Plan("3673", "KAWIN_TERCATAT", "NONE", 1), _Plan("3673", "KAWIN_TERCATAT", "NONAKTIF", 2),
        _Plan("3673", "KAWIN_BELUM_TERCATAT", "PBI", 1),
        _Plan("3673", "KAWIN_BELUM_TERCATAT", "PBPU", 0),
        _Plan("3673", "TIDAK_KAWIN", "PBI", 0), _Plan("3673", "TIDAK_KAWIN", "NONE", 1),
        _Plan("3673", "KAWIN_TERCATAT", "PBI", 1, legacy=True),
        _Plan("3673", "KAWIN_TERCATAT", "PPU", 0, legacy=True),
        _Plan("3673", "KAWIN_BELUM_TERCATAT", "PBI", 2, legacy=True),
        _Plan("3673", "KAWIN_TERCATAT", "PBI", 0, kecamatan="367302"),
        _Plan("3673", "KAWIN_TERCATAT", "PBI", 2, kecamatan="367305"),
    ]
    for kab in ("3604", "3672", "3201", "3671"):
        plans += [
            _Plan(kab, "KAWIN_TERCATAT", "PBI", 1), _Plan(kab, "KAWIN_TERCATAT", "PPU", 2),
            _Plan(kab, "KAWIN_BELUM_TERCATAT", "PBPU", 0), _Plan(kab, "TIDAK_KAWIN", "NONE", 1),
        ]
    return plans


def _pick(rng: Random, weighted: tuple[tuple[object, float], ...]):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _random_plan(rng: Random) -> _Plan:
    kab = _pick(rng, (("3673", 65), ("3604", 12), ("3672", 10), ("3201", 8), ("3671", 5)))
    marital = _pick(
        rng, (("KAWIN_TERCATAT", 80), ("KAWIN_BELUM_TERCATAT", 10), ("TIDAK_KAWIN", 10))
    )
    segment = _pick(rng, (("PBI", 35), ("PPU", 25), ("PBPU", 20), ("NONE", 15), ("NONAKTIF", 5)))
    children = _pick(rng, ((0, 30), (1, 35), (2, 22), (3, 13)))
    legacy = kab == "3673" and rng.random() < 0.10
    return _Plan(kab, marital, segment, children, legacy)


class _Builder:
    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.serials: dict[str, int] = {}
        self.kk_serials: dict[str, int] = {}
        self.marriages = 0

    def nik(self, kecamatan: str, born: date, sex: Sex) -> str:
        prefix = nik_prefix(kecamatan, born, sex)
        serial = self.serials.get(prefix, 0) + 1
        self.serials[prefix] = serial
        return make_nik(kecamatan, born, sex, serial)

    def name(self, sex: Sex) -> str:
        first = self.rng.choice(_MALE_FIRST if sex == "male" else _FEMALE_FIRST)
        return f"{first} {self.rng.choice(_SECOND)}"

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def adult(self, kecamatan: str, sex: Sex, born: date, rel: Relationship) -> PersonRecord:
        return PersonRecord(self.nik(kecamatan, born, sex), self.name(sex), sex, born,
                            self.rng.choice(_BIRTH_PLACES), rel)

    def kk_number(self, kecamatan: str, registered: date) -> str:
        prefix = f"{kecamatan}{registered:%d%m%y}"
        serial = self.kk_serials.get(prefix, 0) + 1
        self.kk_serials[prefix] = serial
        return f"{prefix}{serial:04d}"

    def marriage_number(self, married: date) -> str:
        # Buku nikah style: register number / KUA volume / Roman month / year.
        self.marriages += 1
        vol = self.rng.randint(1, 120)
        return f"{self.marriages:04d}/{vol:03d}/{_ROMAN[married.month - 1]}/{married.year}"

    def family(self, plan: _Plan) -> FamilyRecord:
        rng = self.rng
        kec = plan.kecamatan or rng.choice(regions.kecamatan_of(plan.kab_kota))
        village = rng.choice(regions.villages_of(kec))
        wife_born = self.day_between(date(1975, 1, 1), date(2003 - 2 * plan.children, 12, 31))
        legacy_wife = plan.legacy and (plan.marital == "TIDAK_KAWIN" or rng.random() < 0.7)
        wife_kec = LEGACY_OF[kec] if legacy_wife else kec
        married = plan.marital != "TIDAK_KAWIN"
        wife = self.adult(wife_kec, "female", wife_born, "ISTRI" if married else "KEPALA KELUARGA")
        husband = None
        if married:
            h_born = max(date(1975, 1, 1), wife_born - timedelta(days=rng.randint(-400, 2500)))
            h_born = min(h_born, date(2003, 12, 31))
            legacy_h = plan.legacy and (not legacy_wife or rng.random() < 0.4)
            husband = self.adult(LEGACY_OF[kec] if legacy_h else kec, "male", h_born,
                                 "KEPALA KELUARGA")
        # The family forms when the mother is 19-25 (earlier if needed to fit the children),
        # children follow at least ~11 months apart and before the reference date.
        n = plan.children
        formed = min(wife_born + timedelta(days=rng.randint(19 * 365, 25 * 365)),
                     REFERENCE_DATE - timedelta(days=400 + 460 * n))
        start = max(formed + timedelta(days=300), REFERENCE_DATE - timedelta(days=15 * 365))
        gap = (REFERENCE_DATE - timedelta(days=60) - start).days // max(n, 1)
        children: list[PersonRecord] = []
        for i in range(n):
            born = start + timedelta(days=i * gap + rng.randint(0, gap // 4))
            sex: Sex = rng.choice(("male", "female"))
            children.append(PersonRecord(self.nik(kec, born, sex), self.name(sex), sex, born,
                                         regions.kab_kota_name(plan.kab_kota) or "Serang", "ANAK"))
        registered = formed + timedelta(days=rng.randint(7, 90))
        issued = max([registered] + [c.birth_date + timedelta(days=rng.randint(3, 40))
                                     for c in children])
        wage = None
        if plan.segment == "PPU":
            wage = rng.randrange(2_800_000, 15_000_000, 50_000)
        klass = {"PBI": "3", "NONE": "3"}.get(plan.segment) or (
            ("2" if wage <= 4_000_000 else "1") if wage else rng.choice(("1", "2", "3")))
        return FamilyRecord(
            kk_number=self.kk_number(kec, registered),
            kab_kota=plan.kab_kota, kecamatan=kec, kelurahan=village,
            address=f"{rng.choice(_STREETS)} No. {rng.randint(1, 150)}, "
                    f"RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}",
            kk_issued_on=issued, marital=plan.marital,
            marriage_number=self.marriage_number(formed) if plan.marital == "KAWIN_TERCATAT"
            else None,
            husband=husband, wife=wife, children=tuple(children),
            bpjs_segment=plan.segment, bpjs_class=klass, ppu_wage=wage,
        )


def generate_population(seed: int = 2025, families: int = 600) -> list[FamilyRecord]:
    """The same families for the same seed: required trait combinations first, then a random mix."""
    rng = Random(seed)  # noqa: S311 - synthetic test data, not security
    builder = _Builder(rng)
    plans = _required_plans()[:families]
    plans += [_random_plan(rng) for _ in range(families - len(plans))]
    return [builder.family(p) for p in plans]
