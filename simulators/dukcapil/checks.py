"""Database-backed checks shared by the issuing actions; each raises a Refusal with its own code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from simulators.dukcapil import rules as r
from simulators.dukcapil.models import Kelahiran, Keluarga, Penduduk
from simulators.dukcapil.schemas import AktaBaru, Keterangan


def family_in_office(session: Session, kk_number: str, office: str) -> Keluarga:
    fam = session.get(Keluarga, kk_number) if kk_number else None
    if fam is None:
        raise r.not_found("KK_TIDAK_DITEMUKAN", "Nomor KK tidak terdaftar")
    if fam.kab_kota != office:
        # Perpres 96/2018: the family's domicile office issues; others forward, never issue.
        raise r.Refusal("BUKAN_WILAYAH_KANTOR",
                        f"KK berdomisili di kab/kota {fam.kab_kota}, bukan wilayah kantor {office}")
    return fam


def mother_on_kk(session: Session, fam: Keluarga, nik: str) -> Penduduk:
    mother = session.get(Penduduk, nik)
    if mother is None:
        raise r.not_found("NIK_IBU_TIDAK_DITEMUKAN", "NIK ibu tidak terdaftar di database kependudukan")
    if mother.kk_number != fam.kk_number or mother.sex != "female":
        raise r.Refusal("IBU_TIDAK_DI_KK", "Ibu tidak tercantum dalam KK yang diberikan")
    return mother


def not_in_future(born: date, today: date) -> None:
    if born > today:
        raise r.Refusal("TANGGAL_LAHIR_TIDAK_VALID", "Tanggal lahir lebih dari tanggal hari ini")


def child_name(nama: str) -> None:
    """A name breaking Permendagri 73/2022 is not recorded (Pasal 7) until a valid one is given."""
    problem = r.nama_anak_tidak_sah(nama)
    if problem is not None:
        raise r.Refusal("NAMA_TIDAK_SESUAI", f"{problem} (Permendagri 73/2022)")


def next_counter(session: Session, table: type, office: str, today: date) -> int:
    """The running register number for this office and registration date."""
    top = session.exec(select(func.max(table.counter)).where(
        table.office == office, table.registered_on == today)).one()
    return (top or 0) + 1


def newborn(session: Session, nik: str) -> tuple[Penduduk, Kelahiran]:
    child = session.get(Penduduk, nik)
    birth = session.exec(select(Kelahiran).where(Kelahiran.child_nik == nik)).first()
    if child is None or birth is None:
        raise r.not_found("NIK_ANAK_TIDAK_DITEMUKAN", "Tidak ada kelahiran terdaftar untuk NIK ini")
    return child, birth


def child_of_family(child: Penduduk, fam: Keluarga) -> None:
    if fam.kk_number not in (child.kk_number, child.kk_target):
        raise r.Refusal("ANAK_BUKAN_KELUARGA_INI", "Anak tidak didaftarkan pada KK ini")


def witnesses(session: Session, niks: list[str], *, exclude: set[str]) -> None:
    if len(set(niks)) != len(niks) or exclude & set(niks):
        raise r.Refusal("SAKSI_TIDAK_SAH", "Diperlukan dua saksi yang berbeda")
    for nik in niks:
        if session.get(Penduduk, nik) is None:
            raise r.not_found("SAKSI_TIDAK_DITEMUKAN", "NIK saksi tidak terdaftar")


def parents_wording(fam: Keluarga, req: AktaBaru) -> Keterangan:
    """Both parents with a matching marriage record or a valid SPTJM; otherwise the mother only."""
    return wording(fam, mother_nik=req.nik_ibu, father_nik=req.nik_ayah,
                   proof=req.no_bukti_perkawinan, sptjm=req.sptjm_perkawinan)


def wording(fam: Keluarga, *, mother_nik: str, father_nik: str | None, proof: str | None,
            sptjm: bool) -> Keterangan:
    """The parents' wording rule itself (an akta correction reapplies it with a new father)."""
    couple = father_nik is not None and father_nik == fam.husband_nik and (
        mother_nik == fam.wife_nik)
    if proof is not None:
        if couple and fam.marital == "KAWIN_TERCATAT" and proof.strip() == fam.marriage_number:
            return "kedua_orang_tua"
        raise r.Refusal("BUKTI_PERKAWINAN_TIDAK_SESUAI",
                        "Bukti perkawinan tidak sesuai dengan data pasangan ini")
    if sptjm:
        # An SPTJM suami-istri is only accepted where the KK already shows the couple married.
        if couple and fam.marital in r.MARRIED_ON_KK:
            return "perkawinan_belum_tercatat"
        raise r.Refusal("SPTJM_TIDAK_SAH",
                        "SPTJM suami-istri hanya sah bila KK mencatat status kawin")
    return "anak_seorang_ibu"
