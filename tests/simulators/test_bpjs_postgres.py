"""The simulator on PostgreSQL (its production-like database), in a schema of its own."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from adapters.bpjs.client import BpjsClient
from domain.contracts import BpjsEnrolInput
from simulators.bpjs.app import create_app
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.nik import make_nik
from simulators.population import generate_population
from tests.support.servers import serve_app

pytestmark = pytest.mark.postgres

PG = "postgresql://postgres@127.0.0.1:5432/test"
FAMILIES = 40


@pytest.fixture
def schema():
    try:
        conn = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG} is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL at {PG} is unreachable (start it to run this test): {exc}")
    name = f"bpjs_{uuid.uuid4().hex[:12]}"
    with conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
        try:
            yield name
        finally:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


async def test_enrolment_and_status_on_postgresql(schema):
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    settings = BpjsSimSettings(database_url=url, families=FAMILIES)
    fam = next(f for f in generate_population(2025, FAMILIES) if f.bpjs_segment == "PBPU")
    born = (datetime.now(UTC) + timedelta(hours=7)).date()
    nik = make_nik(fam.kecamatan, born, "male", 7001)
    req = BpjsEnrolInput(idempotency_key=nik, mother_nik=fam.wife.nik, child_nik=nik,
                         child_name="Bayi Ny. PG", birth_date=born, sex="male")
    with serve_app(create_app(settings)) as base:
        client = BpjsClient(base, cons_id=settings.cons_id, secret=settings.secret,
                            user_key=settings.user_key)
        try:
            first = await client.enrol_newborn(req)
            again = await client.enrol_newborn(req)
            status = await client.membership_status(first.card_number)
        finally:
            await client.aclose()
    assert first.status == "MENUNGGU_PEMBAYARAN" and again.card_number == first.card_number
    assert status.card_number == first.card_number
