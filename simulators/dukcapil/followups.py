"""The follow-ups after issue: akta kematian, KK member changes, akta correction, KIA reissue.

Each runs inside one transaction under the issue lock, like the issuing actions in `issuing`.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, select

from simulators.dukcapil import checks
from simulators.dukcapil import rules as r
from simulators.dukcapil.models import (
    Akta,
    AktaDiganti,
    AktaKematian,
    Keluarga,
    Kia,
    KiaTerbitUlang,
    KkBarisLama,
    KkPerubahan,
    Penduduk,
)
from simulators.dukcapil.schemas import KiaTerbit
from simulators.dukcapil.schemas_followup import (
    AktaKematianBaru,
    AktaKematianTerbit,
    AktaKoreksiBaru,
    AktaKoreksiTerbit,
    KiaTerbitUlangBaru,
    KkAnggotaDiubah,
    KkAnggotaUbah,
)

REMOVE_DECEASED = "remove_deceased"


def removed_as_deceased(session: Session, kk_number: str, nik: str) -> bool:
    """True once this person's row was taken off this KK because they died."""
    return session.exec(select(KkPerubahan.id).where(
        KkPerubahan.kk_number == kk_number, KkPerubahan.nik == nik,
        KkPerubahan.action == REMOVE_DECEASED)).first() is not None


def _has_died(session: Session, nik: str) -> bool:
    return session.exec(select(AktaKematian.number).where(
        AktaKematian.child_nik == nik)).first() is not None


def _current_akta(session: Session, child: Penduduk) -> Akta:
    akta = session.exec(select(Akta).where(Akta.child_nik == child.nik)).first()
    if child.akta_number is None or akta is None:
        raise r.Refusal("AKTA_BELUM_TERBIT", "Anak belum memiliki akta kelahiran")
    return akta


def record_death(session: Session, office: str, req: AktaKematianBaru,
                 today: date) -> AktaKematianTerbit:
    """Akta kematian for a child born alive; the akta kelahiran stands."""
    child, birth = checks.newborn(session, req.nik_anak)
    fam = checks.family_in_office(session, req.no_kk, office)
    checks.child_of_family(child, fam)
    _current_akta(session, child)
    if req.tanggal_meninggal < birth.birth_date:
        raise r.Refusal("TANGGAL_MENINGGAL_TIDAK_VALID", "Tanggal meninggal sebelum tanggal lahir")
    if req.tanggal_meninggal > today:
        raise r.Refusal("TANGGAL_MENINGGAL_TIDAK_VALID",
                        "Tanggal meninggal lebih dari tanggal hari ini")
    if _has_died(session, child.nik):
        raise r.Refusal("AKTA_KEMATIAN_SUDAH_TERBIT", "Akta kematian anak ini sudah terbit")
    counter = checks.next_counter(session, AktaKematian, office, today)
    number = r.death_number(office, today, counter)
    session.add(AktaKematian(
        number=number, child_nik=child.nik, kk_number=fam.kk_number, office=office,
        registered_on=today, counter=counter, date_of_death=req.tanggal_meninggal,
        place_of_death=req.tempat_meninggal,
    ))
    return AktaKematianTerbit(no_akta_kematian=number, nik=child.nik, nama=child.name,
                              tanggal_meninggal=req.tanggal_meninggal,
                              tempat_meninggal=req.tempat_meninggal, tanggal_terbit=today)


def change_kk_member(session: Session, office: str, req: KkAnggotaUbah,
                     today: date) -> KkAnggotaDiubah:
    """Remove a deceased member, or bring a member's row in line with a corrected akta.

    Either reissues the KK (same number, new date and signature); a change the KK already
    shows is a no-op answering the current KK.
    """
    fam = checks.family_in_office(session, req.no_kk, office)
    person = session.get(Penduduk, req.nik)
    if person is None:
        raise r.not_found("NIK_TIDAK_DITEMUKAN", "NIK tidak terdaftar")
    member = person.kk_number == fam.kk_number
    if req.action == REMOVE_DECEASED:
        if not _has_died(session, person.nik):
            raise r.Refusal("BELUM_ADA_AKTA_KEMATIAN",
                            "Anggota hanya dikeluarkan dari KK setelah akta kematian terbit")
        if not member:
            if removed_as_deceased(session, fam.kk_number, person.nik):
                return _kk_answer(fam, changed=False)
            raise r.Refusal("BUKAN_ANGGOTA_KK", "NIK tidak tercantum dalam KK ini")
        person.kk_number = None
        session.add(person)
        # A pending correction of the row no longer matters: the row is gone.
        stale = session.get(KkBarisLama, person.nik)
        if stale is not None:
            session.delete(stale)
        fam.children_count = max(0, fam.children_count - (person.relationship == "ANAK"))
        _reissue(session, fam, person.nik, req.action, office, today)
        return _kk_answer(fam, changed=True)
    if not member:
        raise r.Refusal("BUKAN_ANGGOTA_KK", "NIK tidak tercantum dalam KK ini")
    # The KK row follows the register (the latest akta); it never takes other values.
    if req.nama is not None and req.nama != person.name:
        raise r.Refusal("NAMA_BERBEDA_DENGAN_AKTA", "Nama berbeda dengan akta kelahiran terbaru")
    if req.no_akta is not None and req.no_akta != person.akta_number:
        raise r.Refusal("AKTA_TIDAK_SESUAI", "Nomor akta berbeda dengan data anak")
    printed = session.get(KkBarisLama, person.nik)
    if printed is None:
        return _kk_answer(fam, changed=False)  # the KK already shows the current data
    session.delete(printed)
    _reissue(session, fam, person.nik, req.action, office, today)
    return _kk_answer(fam, changed=True)


def _reissue(session: Session, fam: Keluarga, nik: str, action: str, office: str,
             today: date) -> None:
    fam.issued_on = today
    fam.signature_id = "TTE-" + uuid.uuid4().hex[:24].upper()
    fam.reissue_count += 1
    session.add(fam)
    session.add(KkPerubahan(kk_number=fam.kk_number, nik=nik, action=action, office=office,
                            issued_on=today, signature_id=fam.signature_id))


def _kk_answer(fam: Keluarga, *, changed: bool) -> KkAnggotaDiubah:
    return KkAnggotaDiubah(no_kk=fam.kk_number, tanggal_terbit=fam.issued_on,
                           id_tte=fam.signature_id, jumlah_terbit_ulang=fam.reissue_count,
                           diubah=changed)


def correct_akta(session: Session, office: str, req: AktaKoreksiBaru,
                 today: date) -> AktaKoreksiTerbit:
    """Reissue the akta under a new register number; the old number is recorded as superseded.

    The NIK never changes. A new father reapplies the parents' wording rule with the proof the
    akta was issued on; the KK keeps printing the old row until it is updated.
    """
    child, birth = checks.newborn(session, req.nik_anak)
    fam = checks.family_in_office(session, child.kk_number or birth.kk_number, office)
    old = _current_akta(session, child)
    if req.no_akta_lama != old.register_number:
        raise r.Refusal("AKTA_TIDAK_SESUAI", "Nomor akta lama bukan akta yang berlaku untuk anak ini")
    name = req.nama_anak or old.child_name
    if name == old.child_name and req.nik_ayah in (None, old.father_nik):
        # Reissuing an akta identical to the one in force would only supersede a valid number.
        raise r.Refusal("KOREKSI_TANPA_PERUBAHAN", "Data koreksi sama dengan akta yang berlaku")
    checks.child_name(name)  # Permendagri 73/2022, as at first issue: NAMA_TIDAK_SESUAI
    wording, father_nik = old.parents_wording, old.father_nik
    if req.nik_ayah is not None:
        wording = checks.wording(
            fam, mother_nik=old.mother_nik, father_nik=req.nik_ayah,
            proof=old.marriage_proof_number,
            sptjm=old.parents_wording == "perkawinan_belum_tercatat")
        father_nik = req.nik_ayah if wording != "anak_seorang_ibu" else None
    father = session.get(Penduduk, father_nik) if father_nik else None
    father_name = father.name if father else None
    father_nik = father_nik if father else None
    mother = session.get(Penduduk, old.mother_nik)
    # Counted before the old row goes, so the new number can never repeat the old one.
    counter = checks.next_counter(session, Akta, office, today)
    number = r.akta_number(office, old.late, today, counter)  # LU/LT as first registered
    text = r.akta_text(child=name, sex=child.sex, born=birth.birth_date,
                       place_code=old.birth_place_kab_kota, facility=old.facility_name,
                       order=birth.birth_order, multiplicity=birth.multiplicity,
                       wording=wording, mother=mother.name if mother else "", father=father_name)
    old_number, late = old.register_number, old.late
    kept = old.model_dump(exclude={"register_number", "child_name", "office", "registered_on",
                                   "counter", "parents_wording", "father_nik", "text"})
    session.delete(old)
    session.flush()  # the child's akta is unique: the old row must be gone before the new one
    session.add(Akta(**kept, register_number=number, child_name=name, office=office,
                     registered_on=today, counter=counter, parents_wording=wording,
                     father_nik=father_nik, text=text))
    session.add(AktaDiganti(old_number=old_number, new_number=number,
                            child_nik=child.nik, office=office, superseded_on=today,
                            reason=req.alasan))
    if child.kk_number is not None and session.get(KkBarisLama, child.nik) is None:
        # The printed KK still shows the row as it was, until the KK is updated.
        session.add(KkBarisLama(nik=child.nik, kk_number=child.kk_number, name=child.name,
                                akta_number=child.akta_number, father_name=child.father_name))
    child.name, child.akta_number = name, number
    child.father_name, child.father_nik = father_name, father_nik
    session.add(child)
    return AktaKoreksiTerbit(no_akta=number, no_akta_lama=old_number, nik=child.nik,
                             nama=name, terlambat=late, keterangan_orang_tua=wording,
                             tanggal_terbit=today, teks=text)


def reissue_kia(session: Session, office: str, req: KiaTerbitUlangBaru, today: date) -> KiaTerbit:
    """The same KIA (same NIK) with a new issue date and the registered, corrected name."""
    child = session.get(Penduduk, req.nik_anak)
    if child is None:
        raise r.not_found("NIK_ANAK_TIDAK_DITEMUKAN", "NIK anak tidak terdaftar")
    checks.family_in_office(session, child.kk_number or child.kk_target or "", office)
    kia = session.get(Kia, child.nik)
    if kia is None:
        raise r.Refusal("KIA_BELUM_TERBIT", "KIA anak ini belum pernah terbit")
    if req.no_akta != child.akta_number:
        raise r.Refusal("AKTA_TIDAK_SESUAI", "Nomor akta berbeda dengan data anak")
    if req.nama_anak is not None and req.nama_anak != child.name:
        raise r.Refusal("NAMA_BERBEDA_DENGAN_AKTA", "Nama berbeda dengan akta kelahiran terbaru")
    card_type, valid_until = r.kia_card(child.birth_date, today)
    kia.card_type, kia.valid_until, kia.issued_on, kia.office = (
        card_type, valid_until, today, office)
    session.add(kia)
    session.add(KiaTerbitUlang(nik=child.nik, office=office, issued_on=today, name=child.name,
                               akta_number=child.akta_number or ""))
    return KiaTerbit(nik=child.nik, nama=child.name, jenis=card_type,
                     berlaku_sampai=valid_until, tanggal_terbit=today)
