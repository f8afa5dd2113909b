"""Helpers for the Dukcapil simulator tests: a served simulator per backend and request builders."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest

from simulators.dukcapil.app import create_app
from simulators.dukcapil.settings import DukcapilSimSettings
from tests.support.servers import serve_app

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN = "test-admin-token"
CLIENT = ("test-client", "test-client-secret")  # the simulator's registered OAuth2 client in tests


def fetch_token(base: str, client_id: str = CLIENT[0], secret: str = CLIENT[1]) -> str:
    """A bearer token from the simulator's /oauth/token (client credentials, HTTP Basic)."""
    r = httpx.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                   auth=(client_id, secret), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@dataclass
class Sim:
    base: str
    http: httpx.Client  # sends the bearer token
    backend: str
    bearer: dict[str, str]  # the Authorization header, for clients of a test's own
    database_url: str = ""

    def admin(self, method: str, path: str, **kw) -> httpx.Response:
        return self.http.request(method, path, headers={"X-Admin-Token": ADMIN}, **kw)

    def set_today(self, day: date) -> None:
        """Move the simulated clock so that 'today' in WIB is `day` (at about noon)."""
        target = datetime.combine(day, time(5, 0), tzinfo=UTC)  # 12:00 WIB
        offset = (target - datetime.now(UTC)).total_seconds()
        assert self.admin("PUT", "/admin/clock", json={"offset_seconds": offset}).is_success

    def sample(self, **traits) -> dict:
        got = self.http.get("/v1/sampel/keluarga", params={"belum_ada_kelahiran": True, **traits})
        assert got.status_code == 200, got.text
        assert got.json(), f"no family with {traits}"
        return got.json()[0]

    def issue(self, office: str, action: str, body: dict, key: str | None = None
              ) -> httpx.Response:
        return self.http.post(f"/v1/kantor/{office}/{action}", json=body,
                              headers={"Idempotency-Key": key or new_key()})

    def stats(self) -> dict:
        return self.http.get("/v1/statistik").json()

    def person(self, nik: str) -> dict:
        return self.http.post("/v1/penduduk/detail", json={"nik": nik}).json()

    def kk(self, no_kk: str) -> dict:
        return self.http.post("/v1/kk/detail", json={"no_kk": no_kk}).json()


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def birth(fam: dict, day: date, sex: str = "P", *, order: int = 1, of: int = 1,
          name: str | None = None) -> dict:
    """A register-birth body for a sampled family."""
    return {
        "no_kk": fam["no_kk"], "nik_ibu": fam["ibu"]["nik"],
        "nik_ayah": fam["ayah"]["nik"] if fam["ayah"] else None,
        "nama": name or f"Bayi Ny. {fam['ibu']['nama']}", "jenis_kelamin": sex,
        "tanggal_lahir": day.isoformat(), "jam_lahir": "08:15", "tempat_lahir_kab_kota": "3673",
        "nama_fasilitas": "RSUD Banten", "kelahiran_ke": order, "jenis_kelahiran": of,
        "berat_gram": 3100, "panjang_cm": 49.5,
    }


def akta(fam: dict, nik: str, name: str, *, proof: bool = True, sptjm: bool = False,
         father: str | None = "family", kadis: str | None = None) -> dict:
    """An akta body; by default with the family's own marriage number (when it has one)."""
    father_nik = (fam["ayah"]["nik"] if fam["ayah"] else None) if father == "family" else father
    return {
        "nik_anak": nik, "nama_anak": name, "no_kk": fam["no_kk"], "nik_ibu": fam["ibu"]["nik"],
        "nik_ayah": father_nik,
        "no_bukti_perkawinan": fam["no_buku_nikah"] if proof else None,
        "sptjm_perkawinan": sptjm, "nik_saksi": [w["nik"] for w in fam["saksi"]],
        "tempat_lahir_kab_kota": "3673", "nama_fasilitas": "RSUD Banten", "penolong": "doctor",
        "no_keputusan_kadis": kadis,
    }


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL; fails under CI when unreachable, else skips."""
    import psycopg

    schema = f"dukcapil_{uuid.uuid4().hex[:10]}"
    try:
        conn = psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3,
                               autocommit=True)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required under CI: {exc}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 not reachable (set CI to make this fail): {exc}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{PG_URL}?options=-csearch_path%3D{schema}"
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextlib.contextmanager
def served(backend: str, tmp_dir, *, families: int = 600, **settings) -> Iterator[Sim]:
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(postgres_url()) if backend == "postgres"
               else f"sqlite:///{tmp_dir}/db/dukcapil.db")
        app = create_app(DukcapilSimSettings(database_url=url, admin_token=ADMIN, families=families,
                                             client_id=CLIENT[0], client_secret=CLIENT[1], **settings))
        base = stack.enter_context(serve_app(app))
        bearer = {"Authorization": f"Bearer {fetch_token(base)}"}
        http = stack.enter_context(httpx.Client(base_url=base, timeout=30, headers=bearer))
        yield Sim(base, http, backend, bearer, url)


def sim_fixture(request, tmp_path_factory) -> Iterator[Sim]:
    """Body of the module-scoped `sim` fixture, parametrized by backend."""
    with served(request.param, tmp_path_factory.mktemp(f"dukcapil-{request.param}")) as sim:
        yield sim


BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
ONE_DAY = timedelta(days=1)
