"""The Dukcapil adapter's document calls against the simulator: signed PDFs (akta kelahiran, akta kematian,
KK), the KIA card, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.dukcapil.client import DukcapilClient
from adapters.errors import BusinessRejection, TransientError
from tests.simulators._dukcapil import CLIENT, akta, birth, served
from tests.support import qr

DAY = date(2026, 4, 1)


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-adapter-docs"), families=60) as sim:
        sim.set_today(DAY)
        fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT")
        nik = sim.issue("3673", "kelahiran", birth(fam, DAY)).json()["nik"]
        number = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Kirana Dewi")).json()["no_akta"]
        sim.issue("3673", "kia", {"nik_anak": nik, "nama_anak": "Kirana Dewi", "no_akta": number})
        sim.issue("3673", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": [
            {"nik": nik, "nama": "Kirana Dewi", "no_akta": number}]})
        other = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=77)
        died = sim.issue("3673", "kelahiran", birth(other, DAY)).json()["nik"]
        sim.issue("3673", "akta-kelahiran", akta(other, died, "Laras Ayu"))
        death = sim.issue("3673", "akta-kematian", {"nik_anak": died, "no_kk": other["no_kk"],
                                                    "tanggal_meninggal": DAY.isoformat(),
                                                    "tempat_meninggal": "RSUD Banten"})
        assert death.status_code == 201, death.text
        yield sim.base, {"nik": nik, "akta": number, "no_kk": fam["no_kk"],
                         "kematian": death.json()["no_akta_kematian"]}


async def test_documents_through_the_adapter(issued):
    base, child = issued
    client = DukcapilClient(base, client_id=CLIENT[0], client_secret=CLIENT[1])
    try:
        pdf = await client.akta_pdf(child["akta"])
        kk = await client.kk_pdf(child["no_kk"])
        kematian = await client.kematian_pdf(child["kematian"])
        card = await client.kia_card(child["nik"])
        with pytest.raises(BusinessRejection) as missing:
            await client.akta_pdf("3673-LU-01012020-9999")
        with pytest.raises(BusinessRejection) as no_death:
            await client.kematian_pdf("3673-KM-01012020-9999")
        with pytest.raises(BusinessRejection) as no_card:
            await client.kia_card("3673015001200001")
    finally:
        await client.aclose()
    assert qr.is_a4(pdf) and qr.is_a4(kk) and qr.is_a4(kematian)
    assert qr.qr_texts(pdf)[0].startswith(f"{base}/verifikasi/")
    assert qr.qr_texts(kematian)[0].startswith(f"{base}/verifikasi/")
    assert "Laras Ayu" in qr.page_text(kematian) and child["kematian"] in qr.page_text(kematian)
    assert card.nik == child["nik"] and card.name == "Kirana Dewi" and card.sex == "female"
    assert card.card_type == "0-5" and card.akta_number == child["akta"]
    assert card.collect_at.office == "3673" and card.collect_at.address
    assert missing.value.reason == "AKTA_TIDAK_DITEMUKAN" and no_card.value.reason == "KIA_TIDAK_DITEMUKAN"
    assert no_death.value.reason == "AKTA_KEMATIAN_TIDAK_DITEMUKAN"


async def test_wrong_credentials_are_transient(issued):
    base, child = issued
    client = DukcapilClient(base, client_id=CLIENT[0], client_secret="not-the-secret")
    try:
        with pytest.raises(TransientError):
            await client.kk_pdf(child["no_kk"])
    finally:
        await client.aclose()
