"""The five issuing actions. Each runs inside one transaction under the issue lock."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from simulators.common import regions
from simulators.common.nik import make_nik, nik_prefix
from simulators.dukcapil import checks, followups
from simulators.dukcapil import rules as r
from simulators.dukcapil.models import Akta, Kelahiran, Keluarga, Kia, KkTerbit, LahirMati, Penduduk
from simulators.dukcapil.schemas import (
    AktaBaru,
    AktaTerbit,
    KelahiranBaru,
    KiaBaru,
    KiaTerbit,
    KkTerbitUlang,
    KkTerbitUlangBaru,
    LahirMatiBaru,
    LahirMatiTercatat,
    NikTerbit,
)

_SEX = {"L": "male", "P": "female"}


def _next_serial(session: Session, prefix: str) -> int:
    top = session.exec(select(func.max(Penduduk.nik)).where(
        Penduduk.nik.between(prefix + "0001", prefix + "9999"))).one()
    serial = int(top[12:]) + 1 if top else 1
    if serial > 9999:
        raise r.Refusal("NOMOR_URUT_HABIS", "Nomor urut NIK untuk tanggal ini habis", 409)
    return serial


def register_birth(session: Session, office: str, req: KelahiranBaru, today: date) -> NikTerbit:
    """A live birth: the child gets a NIK in the KK's kecamatan; it joins the KK later."""
    fam = checks.family_in_office(session, req.no_kk, office)
    mother = checks.mother_on_kk(session, fam, req.nik_ibu)
    checks.not_in_future(req.tanggal_lahir, today)
    _not_registered_yet(session, mother.nik, req)
    father = session.get(Penduduk, req.nik_ayah) if req.nik_ayah else None
    sex = _SEX[req.jenis_kelamin]
    # The prefix follows the KK's current kecamatan, never a parent's (possibly legacy) NIK.
    prefix = nik_prefix(fam.kecamatan, req.tanggal_lahir, sex)
    nik = make_nik(fam.kecamatan, req.tanggal_lahir, sex, _next_serial(session, prefix))
    place = regions.kab_kota_name(req.tempat_lahir_kab_kota) or req.tempat_lahir_kab_kota
    session.add(Penduduk(
        nik=nik, name=req.nama, sex=sex, birth_date=req.tanggal_lahir, birth_place=place,
        religion=mother.religion, kk_target=fam.kk_number, mother_nik=mother.nik,
        father_nik=req.nik_ayah, mother_name=mother.name,
        father_name=father.name if father else None,
    ))
    session.add(Kelahiran(
        child_nik=nik, kk_number=fam.kk_number, mother_nik=mother.nik, father_nik=req.nik_ayah,
        birth_date=req.tanggal_lahir, birth_time=req.jam_lahir,
        birth_place_kab_kota=req.tempat_lahir_kab_kota, facility_name=req.nama_fasilitas,
        birth_order=req.kelahiran_ke, multiplicity=req.jenis_kelahiran,
        weight_grams=req.berat_gram, length_cm=req.panjang_cm, office=office, registered_on=today,
    ))
    return NikTerbit(nik=nik, nama=req.nama, tanggal_daftar=today)


def _not_registered_yet(session: Session, mother_nik: str, req: KelahiranBaru) -> None:
    """One child, one NIK, whoever asks: the same mother, birth date and birth order is the same child.

    A retry with the same Idempotency-Key never gets here (the first answer is replayed)."""
    earlier = session.exec(select(Kelahiran).where(
        Kelahiran.mother_nik == mother_nik, Kelahiran.birth_date == req.tanggal_lahir,
        Kelahiran.birth_order == req.kelahiran_ke)).first()
    if earlier is not None:
        # The registration by its number, date and office; never the child's NIK (it is not the
        # caller's to learn from a refusal).
        raise r.Refusal("KELAHIRAN_SUDAH_TERDAFTAR",
                        f"Kelahiran ini sudah terdaftar: pendaftaran no. {earlier.id} tanggal "
                        f"{earlier.registered_on.isoformat()} di kantor {earlier.office}", 409)


def record_stillbirth(session: Session, office: str, req: LahirMatiBaru,
                      today: date) -> LahirMatiTercatat:
    """Surat keterangan lahir mati only: no NIK, no KK row."""
    fam = checks.family_in_office(session, req.no_kk, office)
    checks.mother_on_kk(session, fam, req.nik_ibu)
    checks.not_in_future(req.tanggal_lahir, today)
    if req.usia_kandungan_minggu < 28:
        raise r.Refusal("USIA_KANDUNGAN_KURANG",
                        "Lahir mati dicatat hanya untuk usia kandungan 28 minggu atau lebih")
    counter = checks.next_counter(session, LahirMati, office, today)
    number = r.stillbirth_number(office, today, counter)
    session.add(LahirMati(
        number=number, office=office, registered_on=today, counter=counter,
        kk_number=fam.kk_number, mother_nik=req.nik_ibu, birth_date=req.tanggal_lahir,
        birth_order=req.kelahiran_ke, gestational_age_weeks=req.usia_kandungan_minggu,
        facility_name=req.nama_fasilitas,
    ))
    return LahirMatiTercatat(nomor_surat=number, tanggal_daftar=today)


def issue_akta(session: Session, office: str, req: AktaBaru, today: date) -> AktaTerbit:
    """Akta kelahiran: LU/LT by registration date, parents' wording by the proof given."""
    child, birth = checks.newborn(session, req.nik_anak)
    fam = checks.family_in_office(session, req.no_kk, office)
    checks.child_of_family(child, fam)
    mother = checks.mother_on_kk(session, fam, req.nik_ibu)
    if mother.nik != birth.mother_nik:
        raise r.Refusal("IBU_TIDAK_SESUAI", "NIK ibu berbeda dengan data kelahiran")
    if child.akta_number is not None:
        raise r.Refusal("AKTA_SUDAH_TERBIT", "Akta kelahiran anak ini sudah terbit")
    checks.child_name(req.nama_anak)  # Permendagri 73/2022: NAMA_TIDAK_SESUAI
    checks.witnesses(session, req.nik_saksi, exclude={child.nik})
    late = r.is_late(birth.birth_date, today)
    if late and not req.no_keputusan_kadis:
        raise r.Refusal("KEPUTUSAN_KADIS_DIPERLUKAN",
                        "Pelaporan lebih dari 60 hari: diperlukan keputusan Kepala Dinas")
    wording = checks.parents_wording(fam, req)
    father = session.get(Penduduk, req.nik_ayah) if req.nik_ayah else None
    father_name = father.name if father and wording != "anak_seorang_ibu" else None
    counter = checks.next_counter(session, Akta, office, today)
    number = r.akta_number(office, late, today, counter)
    text = r.akta_text(child=req.nama_anak, sex=child.sex, born=birth.birth_date,
                       place_code=req.tempat_lahir_kab_kota, facility=req.nama_fasilitas,
                       order=birth.birth_order, multiplicity=birth.multiplicity,
                       wording=wording, mother=mother.name, father=father_name)
    session.add(Akta(
        register_number=number, child_nik=child.nik, child_name=req.nama_anak, office=office,
        registered_on=today, counter=counter, late=late,
        kadis_decision_number=req.no_keputusan_kadis if late else None,
        parents_wording=wording, mother_nik=mother.nik,
        father_nik=req.nik_ayah if father_name else None,
        marriage_proof_number=req.no_bukti_perkawinan, witness_1=req.nik_saksi[0],
        witness_2=req.nik_saksi[1], attendant=req.penolong,
        birth_place_kab_kota=req.tempat_lahir_kab_kota, facility_name=req.nama_fasilitas,
        text=text,
    ))
    # The akta fixes the child's name and which parents the KK row shows.
    child.name = req.nama_anak
    child.akta_number = number
    child.father_name = father_name
    child.father_nik = req.nik_ayah if father_name else None
    session.add(child)
    return AktaTerbit(no_akta=number, nik=child.nik, nama=child.name, terlambat=late,
                      keterangan_orang_tua=wording, tanggal_terbit=today, teks=text)


def issue_kia(session: Session, office: str, req: KiaBaru, today: date) -> KiaTerbit:
    """KIA after the akta: 0-5 until the 5th birthday, 5-17 until the day before the 17th."""
    child = session.get(Penduduk, req.nik_anak)
    if child is None:
        raise r.not_found("NIK_ANAK_TIDAK_DITEMUKAN", "NIK anak tidak terdaftar")
    checks.family_in_office(session, child.kk_number or child.kk_target or "", office)
    if child.akta_number is None:
        raise r.Refusal("AKTA_BELUM_TERBIT", "KIA diterbitkan setelah akta kelahiran")
    if req.no_akta != child.akta_number:
        raise r.Refusal("AKTA_TIDAK_SESUAI", "Nomor akta berbeda dengan data anak")
    if session.get(Kia, child.nik) is not None:
        raise r.Refusal("KIA_SUDAH_TERBIT", "KIA anak ini sudah terbit")
    card_type, valid_until = r.kia_card(child.birth_date, today)
    session.add(Kia(nik=child.nik, card_type=card_type, valid_until=valid_until,
                    issued_on=today, office=office))
    return KiaTerbit(nik=child.nik, nama=child.name, jenis=card_type,
                     berlaku_sampai=valid_until, tanggal_terbit=today)


def reissue_kk(session: Session, office: str, req: KkTerbitUlangBaru,
               today: date) -> KkTerbitUlang:
    """Add children as ANAK rows; same KK number, new issue date and signature."""
    fam = checks.family_in_office(session, req.no_kk, office)
    new: dict[str, Penduduk] = {}
    for item in req.anak:
        child = session.get(Penduduk, item.nik)
        if child is None:
            raise r.not_found("NIK_ANAK_TIDAK_DITEMUKAN", "NIK anak tidak terdaftar")
        if child.kk_number == fam.kk_number:
            continue  # already on this KK: adding it again changes nothing
        if followups.removed_as_deceased(session, fam.kk_number, child.nik):
            continue  # taken off this KK after an akta kematian: it never comes back
        checks.child_of_family(child, fam)
        if child.akta_number is None:
            raise r.Refusal("AKTA_BELUM_TERBIT", "Anak belum memiliki akta kelahiran")
        if item.no_akta != child.akta_number:
            raise r.Refusal("AKTA_TIDAK_SESUAI", "Nomor akta berbeda dengan data anak")
        new[child.nik] = child
    if new:
        _add_rows(session, fam, list(new.values()), office, today)
    return KkTerbitUlang(no_kk=fam.kk_number, tanggal_terbit=fam.issued_on,
                         id_tte=fam.signature_id, ditambahkan=sorted(new))


def _add_rows(session: Session, fam: Keluarga, children: list[Penduduk], office: str,
              today: date) -> None:
    for child in children:
        child.kk_number = fam.kk_number
        child.relationship, child.relationship_code = "ANAK", 4
        child.education, child.marital_status, child.citizenship = (
            "TIDAK/BELUM SEKOLAH", "BELUM KAWIN", "WNI")
        session.add(child)
    fam.issued_on = today
    fam.signature_id = "TTE-" + uuid.uuid4().hex[:24].upper()
    fam.reissue_count += 1
    fam.children_count += len(children)
    session.add(fam)
    session.add(KkTerbit(kk_number=fam.kk_number, office=office, issued_on=today,
                         signature_id=fam.signature_id,
                         added=",".join(sorted(c.nik for c in children))))
