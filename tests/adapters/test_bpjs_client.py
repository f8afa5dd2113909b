"""Contract tests: the real adapter against the real BPJS simulator over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from adapters.bpjs.client import BpjsClient
from adapters.errors import BusinessRejection, TransientError
from domain.contracts import BpjsEnrolInput
from simulators.bpjs.app import create_app
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.nik import make_nik
from simulators.population import FamilyRecord, generate_population
from tests.support.servers import free_port, serve_app

FAMILIES = 120
POPULATION = generate_population(2025, FAMILIES)
ADMIN = {"X-Admin-Token": "test-admin"}
_serials = itertools.count(5001)


def wib_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def family(segment: str, children: int | None = None, skip: int = 0) -> FamilyRecord:
    found = [f for f in POPULATION if f.bpjs_segment == segment
             and (children is None or len(f.children) == children)]
    return found[skip]


def baby(mother_nik: str, kecamatan: str, *, sex="female", born: date | None = None,
         serial: int | None = None) -> BpjsEnrolInput:
    born = born or wib_today()
    nik = make_nik(kecamatan, born, sex, serial or next(_serials))
    return BpjsEnrolInput(idempotency_key=f"k-{nik}", mother_nik=mother_nik, child_nik=nik,
                          child_name="Bayi Ny. Uji", birth_date=born, sex=sex)


def baby_of(fam: FamilyRecord, **kw) -> BpjsEnrolInput:
    return baby(fam.wife.nik, fam.kecamatan, **kw)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> BpjsSimSettings:
    db = tmp_path_factory.mktemp("bpjs") / "bpjs.db"
    return BpjsSimSettings(database_url=f"sqlite:///{db}", families=FAMILIES,
                           admin_token="test-admin", secret="contract-secret")


@pytest.fixture(scope="module")
def base_url(settings):
    with serve_app(create_app(settings)) as base:
        yield base


@pytest.fixture
async def admin(base_url):
    async with httpx.AsyncClient(base_url=base_url, headers=ADMIN) as client:
        yield client
        await client.delete("/admin/faults")
        await client.put("/admin/clock", json={"offset_seconds": 0})


def make_client(base_url, settings, **overrides) -> BpjsClient:
    kwargs = {"cons_id": settings.cons_id, "secret": settings.secret,
              "user_key": settings.user_key} | overrides
    return BpjsClient(base_url, **kwargs)


@pytest.fixture
async def bpjs(base_url, settings):
    client = make_client(base_url, settings)
    yield client
    await client.aclose()


async def test_pbi_mother_baby_is_active_pbi_class_3(bpjs):
    m = await bpjs.enrol_newborn(baby_of(family("PBI")))
    assert (m.status, m.segment, m.class_) == ("AKTIF", "PBI", "3")
    assert (m.amount_due, m.virtual_account, m.arrears_from) == (0, None, None)
    assert len(m.card_number) == 13 and m.card_number.isdigit()


async def test_ppu_children_one_to_three_active_fourth_waits_for_the_extra_percent(bpjs):
    fam = family("PPU", children=0)
    for _ in range(3):
        m = await bpjs.enrol_newborn(baby_of(fam))
        assert (m.status, m.segment, m.class_) == ("AKTIF", "PPU", fam.bpjs_class)
        assert m.amount_due == 0
    fourth = await bpjs.enrol_newborn(baby_of(fam))
    assert (fourth.status, fourth.segment) == ("MENUNGGU_PEMBAYARAN", "PPU")
    assert fourth.amount_due == round(fam.ppu_wage * 0.01)
    assert fourth.virtual_account.startswith("88888") and len(fourth.virtual_account) == 16


async def test_ppu_family_with_three_seeded_children_makes_the_newborn_additional(bpjs):
    fam = family("PPU", children=3)
    m = await bpjs.enrol_newborn(baby_of(fam))
    assert m.status == "MENUNGGU_PEMBAYARAN" and m.amount_due == round(fam.ppu_wage / 100)


async def test_pbpu_baby_waits_for_payment_then_is_active_once_the_va_is_paid(bpjs, base_url):
    fam = family("PBPU")
    m = await bpjs.enrol_newborn(baby_of(fam))
    premium = {"1": 150_000, "2": 100_000, "3": 35_000}[fam.bpjs_class]
    assert (m.status, m.segment, m.class_, m.amount_due) == (
        "MENUNGGU_PEMBAYARAN", "PBPU", fam.bpjs_class, premium)
    assert m.virtual_account.startswith("88888")
    async with httpx.AsyncClient(base_url=base_url) as bank:
        r = await bank.post("/bank/pembayaran",
                            json={"virtualAccount": m.virtual_account, "jumlah": premium - 1})
        assert r.status_code == 200 and r.json()["diaktifkan"] == []
        assert (await bpjs.membership_status(m.card_number)).status == "MENUNGGU_PEMBAYARAN"
        r = await bank.post("/bank/pembayaran",
                            json={"virtualAccount": m.virtual_account, "jumlah": 1})
        assert r.json()["diaktifkan"] == [m.card_number]
    after = await bpjs.membership_status(m.card_number)
    assert (after.status, after.amount_due, after.card_number) == ("AKTIF", 0, m.card_number)


async def test_mother_without_membership_gets_a_new_pbpu_class_3_family(bpjs):
    fam = family("NONE")
    m = await bpjs.enrol_newborn(baby_of(fam))
    assert (m.status, m.segment, m.class_, m.amount_due) == (
        "MENUNGGU_PEMBAYARAN", "PBPU", "3", 35_000)
    assert m.virtual_account == "88888" + m.card_number[-11:]


async def test_mother_nik_unknown_to_bpjs_counts_as_no_membership(bpjs):
    known = {p.nik for f in POPULATION for p in (f.wife, f.husband, *f.children) if p}
    mother = make_nik("367301", date(1991, 3, 4), "female", 9876)
    assert mother not in known
    m = await bpjs.enrol_newborn(baby(mother, "367301"))
    assert (m.segment, m.class_, m.virtual_account) == ("PBPU", "3", "88888" + m.card_number[-11:])


async def test_nonaktif_mother_is_a_business_rejection(bpjs):
    with pytest.raises(BusinessRejection) as exc:
        await bpjs.enrol_newborn(baby_of(family("NONAKTIF")))
    assert exc.value.reason == "PESERTA_TIDAK_AKTIF"


async def test_baby_nik_that_contradicts_sex_is_refused(bpjs):
    req = baby_of(family("PBI"), sex="female").model_copy(update={"sex": "male"})
    with pytest.raises(BusinessRejection) as exc:
        await bpjs.enrol_newborn(req)
    assert exc.value.reason == "NIK_BAYI_TIDAK_SESUAI"


async def test_unknown_card_status_is_a_business_rejection(bpjs):
    with pytest.raises(BusinessRejection) as exc:
        await bpjs.membership_status("0099999999999")
    assert exc.value.reason == "PESERTA_TIDAK_DITEMUKAN"


async def test_re_enrolling_the_same_baby_gives_one_card_sequentially_and_concurrently(
    bpjs, admin
):
    before = (await admin.get("/v1/statistik")).json()["newborn_total"]
    req = baby_of(family("PBPU", skip=1))
    first = await bpjs.enrol_newborn(req)
    assert (await bpjs.enrol_newborn(req)).card_number == first.card_number
    other = baby_of(family("PBI", skip=1))
    results = await asyncio.gather(*(bpjs.enrol_newborn(other) for _ in range(10)))
    assert len({m.card_number for m in results}) == 1
    after = (await admin.get("/v1/statistik")).json()
    assert after["newborn_total"] == before + 2


async def test_late_enrolment_owes_arrears_from_the_birth_month(bpjs, admin):
    r = await admin.put("/admin/clock", json={"offset_seconds": 30 * 86400})
    assert r.status_code == 200
    born = wib_today()
    sim_today = born + timedelta(days=30)
    months = (sim_today.year - born.year) * 12 + sim_today.month - born.month + 1
    late = await bpjs.enrol_newborn(baby_of(family("NONE", skip=1), born=born))
    assert late.status == "MENUNGGU_PEMBAYARAN"
    assert late.arrears_from == born.replace(day=1)
    assert late.amount_due == 35_000 * months
    pbi = await bpjs.enrol_newborn(baby_of(family("PBI", skip=2), born=born))
    assert (pbi.status, pbi.arrears_from, pbi.amount_due) == ("AKTIF", None, 0)


async def test_a_503_fault_is_transient_and_clears(bpjs, admin):
    r = await admin.post("/admin/faults",
                         json={"endpoint": "enrol_newborn", "status_code": 503, "remaining": 1})
    assert r.status_code == 201
    req = baby_of(family("PBI", skip=3))
    with pytest.raises(TransientError) as exc:
        await bpjs.enrol_newborn(req)
    assert exc.value.status_code == 503
    assert (await bpjs.enrol_newborn(req)).status == "AKTIF"


@pytest.mark.parametrize(
    "overrides",
    [
        {"clock": lambda: time.time() - 3600},  # stale timestamp
        {"clock": lambda: time.time() + 3600},  # clock ahead of BPJS
        {"secret": "wrong-secret"},
        {"cons_id": "9999"},
        {"user_key": "not-ours"},
    ],
    ids=["stale", "future", "bad-signature", "unknown-cons-id", "unknown-user-key"],
)
async def test_refused_credentials_are_transient_and_logged_without_secrets(
    base_url, settings, overrides, caplog
):
    client = make_client(base_url, settings, **overrides)
    try:
        with pytest.raises(TransientError) as exc:
            await client.enrol_newborn(baby_of(family("PBI")))
    finally:
        await client.aclose()
    assert exc.value.status_code == 401
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors and all(settings.secret not in r.getMessage() for r in errors)


async def test_transport_errors_are_transient(settings):
    client = make_client(f"http://127.0.0.1:{free_port()}", settings)
    try:
        with pytest.raises(TransientError):
            await client.membership_status("0000000000001")
    finally:
        await client.aclose()


async def test_adapter_sends_json_with_the_form_urlencoded_quirk(base_url, settings):
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        seen.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        client = make_client(base_url, settings, client=http)
        await client.enrol_newborn(baby_of(family("PBI", skip=4)))
        await client.aclose()  # a borrowed client stays open
        assert not http.is_closed
    req = seen[0]
    assert req.headers["content-type"] == "Application/x-www-form-urlencoded"
    assert req.headers["x-cons-id"] == settings.cons_id and "user_key" in req.headers
    assert req.content.startswith(b'{"request": {"nikIbu"')
