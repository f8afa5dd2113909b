"""Contract tests for the follow-ups after issue: the real adapters against both real simulators
over HTTP, through the whole death flow and the whole correction flow, replays included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from adapters.bpjs.client import BpjsClient
from adapters.bpjs.port import BpjsPort
from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.port import DukcapilPort
from adapters.errors import BusinessRejection, TransientError
from domain.contracts import (
    AktaCorrectionInput,
    AktaInput,
    BpjsEndInput,
    BpjsEnrolInput,
    BpjsUpdateInput,
    DeathInput,
    KiaInput,
    KkChild,
    KkMemberInput,
    KkReissueInput,
    RegisterBirthInput,
)
from simulators.bpjs.app import create_app as create_bpjs
from simulators.bpjs.settings import BpjsSimSettings
from tests.simulators._dukcapil import CLIENT, Sim, new_key, served
from tests.support.servers import serve_app

FAMILIES = 200  # both simulators seed the same synthetic population from (seed, families)
BPJS_ADMIN = {"X-Admin-Token": "followups-admin"}


def wib_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Iterator[Sim]:
    with served("sqlite", tmp_path_factory.mktemp("followups-dukcapil"), families=FAMILIES) as s:
        s.set_today(wib_today())  # BPJS follows the real clock: keep the two on the same day
        yield s


@pytest.fixture(scope="module")
def bpjs_settings(tmp_path_factory) -> BpjsSimSettings:
    db = tmp_path_factory.mktemp("followups-bpjs") / "bpjs.db"
    return BpjsSimSettings(database_url=f"sqlite:///{db}", families=FAMILIES,
                           admin_token=BPJS_ADMIN["X-Admin-Token"], secret="followups-secret")


@pytest.fixture(scope="module")
def bpjs_url(bpjs_settings) -> Iterator[str]:
    with serve_app(create_bpjs(bpjs_settings)) as base:
        yield base


@pytest.fixture
async def dukcapil(sim: Sim) -> AsyncIterator[DukcapilClient]:
    c = DukcapilClient(sim.base, client_id=CLIENT[0], client_secret=CLIENT[1], timeout=10)
    yield c
    await c.aclose()


@pytest.fixture
async def bpjs(bpjs_url, bpjs_settings) -> AsyncIterator[BpjsClient]:
    c = BpjsClient(bpjs_url, cons_id=bpjs_settings.cons_id, secret=bpjs_settings.secret,
                   user_key=bpjs_settings.user_key)
    yield c
    await c.aclose()


@dataclass
class Issued:
    fam: dict
    office: str
    nik: str
    akta: str
    name: str
    card: str
    born: date


async def _bundle(sim: Sim, dukcapil: DukcapilPort, bpjs: BpjsPort, *, name: str, seed: int,
                  segment: str = "PBI") -> Issued:
    """register -> akta -> KIA -> KK -> BPJS, as the bundle workflow does it."""
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", segmen=segment, seed=seed)
    office, born = fam["domisili"]["kode_kab_kota"], wib_today() - timedelta(days=2)
    nik = (await dukcapil.register_birth(RegisterBirthInput(
        office=office, idempotency_key=new_key(), kk_number=fam["no_kk"],
        mother_nik=fam["ibu"]["nik"], father_nik=fam["ayah"]["nik"], birth_date=born,
        birth_time="06:30", birth_place_kab_kota="3673", facility_name="RSUD Banten",
        sex="female", name=f"Bayi Ny. {fam['ibu']['nama']}", birth_order=1, multiplicity=1,
        weight_grams=3200, length_cm=50.0))).nik
    akta = await dukcapil.issue_akta(AktaInput(
        office=office, idempotency_key=new_key(), child_nik=nik, child_name=name,
        kk_number=fam["no_kk"], mother_nik=fam["ibu"]["nik"], father_nik=fam["ayah"]["nik"],
        marriage_proof_number=fam["no_buku_nikah"], sptjm_marriage=False,
        witness_niks=[w["nik"] for w in fam["saksi"]], birth_place_kab_kota="3673",
        facility_name="RSUD Banten", attendant="midwife"))
    await dukcapil.issue_kia(KiaInput(office=office, idempotency_key=new_key(), child_nik=nik,
                                      child_name=name, akta_number=akta.register_number))
    await dukcapil.reissue_kk(KkReissueInput(
        office=office, idempotency_key=new_key(), kk_number=fam["no_kk"],
        children=[KkChild(nik=nik, name=name, akta_number=akta.register_number)]))
    member = await bpjs.enrol_newborn(BpjsEnrolInput(
        idempotency_key=new_key(), mother_nik=fam["ibu"]["nik"], child_nik=nik,
        child_name=name, birth_date=born, sex="female"))
    return Issued(fam, office, nik, akta.register_number, name, member.card_number, born)


def test_clients_satisfy_the_ports():
    d: DukcapilPort = DukcapilClient("http://127.0.0.1:1", client_id="c", client_secret="s")
    b: BpjsPort = BpjsClient("http://127.0.0.1:1", cons_id="1", secret="s", user_key="u")
    assert callable(d.record_death) and callable(d.update_kk_member)
    assert callable(d.correct_akta) and callable(d.reissue_kia)
    assert callable(b.end_membership) and callable(b.update_member)


async def test_death_flow(sim: Sim, dukcapil: DukcapilClient, bpjs: BpjsClient):
    child = await _bundle(sim, dukcapil, bpjs, name="Nur Aini", seed=51)
    today = wib_today()
    kk_before = sim.kk(child.fam["no_kk"])
    remove = KkMemberInput(office=child.office, idempotency_key=new_key(),
                           kk_number=child.fam["no_kk"], nik=child.nik, action="remove_deceased")
    with pytest.raises(BusinessRejection) as exc:
        await dukcapil.update_kk_member(remove)
    assert exc.value.reason == "BELUM_ADA_AKTA_KEMATIAN"
    assert child.nik not in str(exc.value) and child.fam["no_kk"] not in str(exc.value)

    death = DeathInput(office=child.office, idempotency_key=new_key(), child_nik=child.nik,
                       kk_number=child.fam["no_kk"], date_of_death=today,
                       place_of_death="RSUD Banten")
    answers = await asyncio.gather(*(dukcapil.record_death(death) for _ in range(5)))
    assert len({a.certificate_number for a in answers}) == 1
    recorded = answers[0]
    assert recorded.certificate_number.startswith(f"3673-KM-{today:%d%m%Y}-")
    assert recorded.issued_on == today
    with pytest.raises(BusinessRejection) as exc:
        await dukcapil.record_death(death.model_copy(update={"idempotency_key": new_key()}))
    assert exc.value.reason == "AKTA_KEMATIAN_SUDAH_TERBIT"

    # The refused key is not remembered: the same request now succeeds.
    kk = await dukcapil.update_kk_member(remove)
    assert kk.kk_number == child.fam["no_kk"] and kk.issued_on == today
    assert kk.signature_id != kk_before["id_tte"]
    assert await dukcapil.update_kk_member(remove) == kk
    again = await dukcapil.update_kk_member(remove.model_copy(update={"idempotency_key": new_key()}))
    assert again == kk  # already removed: the current KK, not another reissue
    after = sim.kk(child.fam["no_kk"])
    assert child.nik not in {m["nik"] for m in after["anggota"]}
    assert after["jumlah_terbit_ulang"] == kk_before["jumlah_terbit_ulang"] + 1

    end = BpjsEndInput(card_number=child.card, date_of_death=today)
    ended = await bpjs.end_membership(end)
    assert (ended.card_number, ended.status, ended.amount_due) == (child.card, "NONAKTIF", 0)
    assert await bpjs.end_membership(end) == ended
    person = sim.person(child.nik)
    assert person["no_akta_kematian"] == recorded.certificate_number
    assert person["no_akta"] == child.akta  # the akta kelahiran stands


async def test_death_of_a_child_with_a_pending_bill(sim: Sim, dukcapil: DukcapilClient,
                                                    bpjs: BpjsClient):
    child = await _bundle(sim, dukcapil, bpjs, name="Bayu", seed=52, segment="PBPU")
    assert (await bpjs.membership_status(child.card)).status == "MENUNGGU_PEMBAYARAN"
    ended = await bpjs.end_membership(BpjsEndInput(card_number=child.card,
                                                   date_of_death=wib_today()))
    assert (ended.status, ended.amount_due, ended.arrears_from) == ("NONAKTIF", 0, None)
    # The ordinary status check still treats NONAKTIF as nothing an enrolment can act on.
    with pytest.raises(BusinessRejection) as exc:
        await bpjs.membership_status(child.card)
    assert exc.value.reason == "PESERTA_TIDAK_AKTIF"


async def test_correction_flow(sim: Sim, dukcapil: DukcapilClient, bpjs: BpjsClient):
    child = await _bundle(sim, dukcapil, bpjs, name="Aisah", seed=53)
    today = wib_today()
    kk_before = sim.kk(child.fam["no_kk"])
    fix = AktaCorrectionInput(office=child.office, idempotency_key=new_key(),
                              child_nik=child.nik, old_akta_number=child.akta,
                              child_name="Aisyah", reason="Salah tulis nama")
    corrected = await dukcapil.correct_akta(fix)
    assert corrected.superseded_number == child.akta
    assert corrected.register_number != child.akta
    assert corrected.register_number.startswith(f"3673-LU-{today:%d%m%Y}-")
    assert corrected.issued_on == today
    assert await dukcapil.correct_akta(fix) == corrected
    with pytest.raises(BusinessRejection) as exc:
        await dukcapil.correct_akta(fix.model_copy(update={"idempotency_key": new_key()}))
    assert exc.value.reason == "AKTA_TIDAK_SESUAI"  # the old number is superseded

    kia_req = KiaInput(office=child.office, idempotency_key=new_key(), child_nik=child.nik,
                       child_name="Aisyah", akta_number=corrected.register_number)
    kia = await dukcapil.reissue_kia(kia_req)
    assert (kia.nik, kia.card_type) == (child.nik, "0-5")
    assert kia.valid_until == child.born.replace(year=child.born.year + 5)
    assert await dukcapil.reissue_kia(kia_req) == kia

    update = KkMemberInput(office=child.office, idempotency_key=new_key(),
                           kk_number=child.fam["no_kk"], nik=child.nik, action="update",
                           name="Aisyah", akta_number=corrected.register_number)
    kk = await dukcapil.update_kk_member(update)
    assert kk.kk_number == child.fam["no_kk"] and kk.signature_id != kk_before["id_tte"]
    assert await dukcapil.update_kk_member(update) == kk
    assert await dukcapil.update_kk_member(
        update.model_copy(update={"idempotency_key": new_key()})) == kk

    member = await bpjs.update_member(BpjsUpdateInput(card_number=child.card,
                                                      child_name="Aisyah"))
    assert (member.card_number, member.status, member.segment) == (child.card, "AKTIF", "PBI")
    assert await bpjs.update_member(BpjsUpdateInput(card_number=child.card,
                                                    child_name="Aisyah")) == member

    person = sim.person(child.nik)
    assert (person["nik"], person["nama"], person["no_akta"], person["no_akta_diganti"]) == (
        child.nik, "Aisyah", corrected.register_number, [child.akta])
    assert person["kia"]["tanggal_terbit"] == today.isoformat()
    row = next(m for m in sim.kk(child.fam["no_kk"])["anggota"] if m["nik"] == child.nik)
    assert (row["nama"], row["no_akta"]) == ("Aisyah", corrected.register_number)


async def test_a_correction_that_changes_nothing_is_refused(sim: Sim, dukcapil: DukcapilClient,
                                                             bpjs: BpjsClient):
    child = await _bundle(sim, dukcapil, bpjs, name="Laila", seed=54)
    with pytest.raises(BusinessRejection) as exc:  # the father already on the akta, no new name
        await dukcapil.correct_akta(AktaCorrectionInput(
            office=child.office, idempotency_key=new_key(), child_nik=child.nik,
            old_akta_number=child.akta, child_name="", father_nik=child.fam["ayah"]["nik"],
            reason="NIK ayah salah ketik"))
    assert exc.value.reason == "KOREKSI_TANPA_PERUBAHAN"
    kia = await dukcapil.reissue_kia(KiaInput(
        office=child.office, idempotency_key=new_key(), child_nik=child.nik, child_name="",
        akta_number=child.akta))  # the akta in force is still the first one
    assert kia.nik == child.nik
    assert sim.person(child.nik)["nama"] == "Laila"


async def test_follow_up_refusals_and_faults_are_classified(sim: Sim, dukcapil: DukcapilClient,
                                                           bpjs: BpjsClient, bpjs_url):
    with pytest.raises(BusinessRejection) as exc:
        await bpjs.end_membership(BpjsEndInput(card_number="0099999999999",
                                               date_of_death=wib_today()))
    assert exc.value.reason == "PESERTA_TIDAK_DITEMUKAN"
    with pytest.raises(BusinessRejection) as exc:
        await bpjs.update_member(BpjsUpdateInput(card_number="0099999999999", child_name="A"))
    assert exc.value.reason == "PESERTA_TIDAK_DITEMUKAN"
    with pytest.raises(BusinessRejection) as exc:
        await dukcapil.reissue_kia(KiaInput(office="3673", idempotency_key=new_key(),
                                            child_nik="3673054101250999", child_name="A",
                                            akta_number="3673-LU-01012025-0001"))
    assert exc.value.reason == "NIK_ANAK_TIDAK_DITEMUKAN"

    sim.admin("POST", "/admin/faults", json={"endpoint": "akta_kematian", "status_code": 503,
                                             "remaining": 1})
    with pytest.raises(TransientError) as exc:
        await dukcapil.record_death(DeathInput(
            office="3673", idempotency_key=new_key(), child_nik="3673054101250999",
            kk_number="3673050101250001", date_of_death=wib_today(), place_of_death="Rumah"))
    assert exc.value.status_code == 503
    async with httpx.AsyncClient(base_url=bpjs_url, headers=BPJS_ADMIN) as admin:
        r = await admin.post("/admin/faults", json={"endpoint": "end_membership",
                                                    "status_code": 502, "remaining": 1})
        assert r.status_code == 201
    with pytest.raises(TransientError) as exc:
        await bpjs.end_membership(BpjsEndInput(card_number="0099999999999",
                                               date_of_death=wib_today()))
    assert exc.value.status_code == 502
