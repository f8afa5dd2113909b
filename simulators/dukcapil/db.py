"""Engine, schema creation and one-time seeding of the population."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from simulators.dukcapil.models import Keluarga, Meta, Penduduk
from simulators.population import FamilyRecord, PersonRecord, generate_population

_REL_CODE = {"KEPALA KELUARGA": 1, "ISTRI": 3, "ANAK": 4}


def signature_for(seed_text: str) -> str:
    """A stable electronic-signature id for seeded KKs (new ones are random)."""
    return "TTE-" + hashlib.sha256(seed_text.encode()).hexdigest()[:24].upper()


def _person(p: PersonRecord, f: FamilyRecord) -> dict:
    child = p.relationship == "ANAK"
    father = f.husband if child else None
    single = child or f.marital == "TIDAK_KAWIN"
    status = "BELUM KAWIN" if single else f.marital.replace("_", " ")
    return {
        "nik": p.nik, "name": p.name, "sex": p.sex, "birth_date": p.birth_date,
        "birth_place": p.birth_place, "religion": "ISLAM", "kk_number": f.kk_number, "kk_target": None,
        "relationship": p.relationship, "relationship_code": _REL_CODE[p.relationship],
        "education": "TIDAK/BELUM SEKOLAH" if child else "SLTA/SEDERAJAT",
        "marital_status": status, "citizenship": "WNI",
        "mother_nik": f.wife.nik if child else None, "father_nik": father.nik if father else None,
        "mother_name": f.wife.name if child else None,
        "father_name": father.name if father else None, "akta_number": None, "seeded": True,
    }


def _family(f: FamilyRecord) -> dict:
    return {
        "kk_number": f.kk_number, "kab_kota": f.kab_kota, "kecamatan": f.kecamatan,
        "kelurahan": f.kelurahan, "address": f.address, "marital": f.marital,
        "marriage_number": f.marriage_number,
        "husband_nik": f.husband.nik if f.husband else None, "wife_nik": f.wife.nik,
        "legacy_nik": f.legacy_nik, "bpjs_segment": f.bpjs_segment, "bpjs_class": f.bpjs_class,
        "ppu_wage": f.ppu_wage, "children_count": len(f.children), "issued_on": f.kk_issued_on,
        "signature_id": signature_for(f.kk_number), "reissue_count": 0,
    }


def init_db(engine: Engine, *, seed: int, families: int) -> None:
    """Create the tables and seed the population once; later starts leave the data alone."""
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        if session.get(Meta, "seed") is not None:
            return
        population = generate_population(seed=seed, families=families)
        # Core bulk inserts of plain dicts: building 2,000+ ORM objects costs far more.
        session.execute(insert(Keluarga), [_family(f) for f in population])
        session.execute(insert(Penduduk), [
            _person(p, f)
            for f in population for p in (f.husband, f.wife, *f.children) if p is not None])
        session.add(Meta(key="seed", value=str(seed)))
        session.add(Meta(key="families", value=str(families)))
        try:
            session.commit()
        except IntegrityError:
            # Another process seeded the same database first: its rows win.
            session.rollback()


def is_ready(engine: Engine) -> bool:
    """True when the database answers and has been seeded."""
    try:
        with Session(engine) as session:
            session.connection().execute(text("SELECT 1"))
            return session.get(Meta, "seed") is not None
    except Exception:  # noqa: BLE001 - readiness reports any failure as not ready
        return False
