"""The benchmark's hospitals: registered in the stack's database, one API key each."""

from __future__ import annotations

from sqlmodel import Session

from api.auth import accounts, keys
from store.db import make_engine

PREFIX = "RS-BENCH"


def hospital_ids(count: int) -> list[str]:
    return [f"{PREFIX}-{i:02d}" for i in range(count)]


def issue_bench_keys(database_url: str, count: int) -> list[str]:
    """A fresh key for each of `count` bench hospitals (registered if new) in the API's database."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            out = []
            for hospital in hospital_ids(count):
                if s.get(accounts.Hospital, hospital) is None:
                    accounts.create_hospital(session=s, hospital_id=hospital, name=f"Benchmark {hospital}")
                out.append(keys.issue_key(session=s, hospital_id=hospital, label="bench").key)
            return out
    finally:
        engine.dispose()
