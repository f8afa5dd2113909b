"""Printed documents (akta kelahiran, akta kematian, KK): made from the register when first asked
for, signed by the office, verifiable.

A document is identified by an opaque id (the QR code's URL carries it, never a NIK or KK number).
Its data is snapshotted from the register once; a correction or a KK reissue makes a new document
and the old one then verifies as superseded.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from simulators.common import regions
from simulators.dukcapil import pdf, register, signing
from simulators.dukcapil.models import (
    Akta,
    AktaDiganti,
    AktaKematian,
    Dokumen,
    Kelahiran,
    Keluarga,
    Penduduk,
)
from simulators.dukcapil.offices import CONNECTED_OFFICES, office
from simulators.dukcapil.rules import Refusal, not_found

AKTA, KEMATIAN, KK = "akta_kelahiran", "akta_kematian", "kk"
TITLES = {AKTA: "Kutipan Akta Kelahiran", KEMATIAN: "Kutipan Akta Kematian", KK: "Kartu Keluarga"}
_SEX = {"male": "LAKI-LAKI", "female": "PEREMPUAN"}
_MAKING = threading.Lock()  # rendering is not under the issue lock: issuing never waits for a PDF
_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


def initials(name: str | None) -> str:
    """'Siti Nur Aminah' -> 'S. N. A.': enough to match a paper in hand, not to learn a name."""
    return " ".join(f"{part[0].upper()}." for part in (name or "").split() if part[:1].isalnum()) or "-"


def masked_kk(number: str) -> str:
    return f"{number[:6]}******{number[-4:]}"


# --- what each document prints ------------------------------------------------------------------

def akta_data(session: Session, number: str) -> dict:
    """The akta as printed, from the register; refused when the number is unknown or superseded."""
    akta = session.get(Akta, number)
    if akta is None:
        newer = session.exec(select(AktaDiganti).where(AktaDiganti.old_number == number)).first()
        if newer is not None:
            raise Refusal("AKTA_SUDAH_DIGANTI", f"Akta ini telah diganti oleh akta nomor {newer.new_number}",
                          410)
        raise not_found("AKTA_TIDAK_DITEMUKAN", "Nomor akta kelahiran tidak terdaftar")
    child = session.get(Penduduk, akta.child_nik)
    birth = session.exec(select(Kelahiran).where(Kelahiran.child_nik == akta.child_nik)).one()
    mother = session.get(Penduduk, akta.mother_nik)
    father = session.get(Penduduk, akta.father_nik) if akta.father_nik else None
    place = regions.kab_kota_name(akta.birth_place_kab_kota) or akta.birth_place_kab_kota
    # Among the mother's children, not inside the delivery; twins also say which of the delivery.
    twins = (f" (kelahiran kembar {birth.multiplicity}, urutan ke-{birth.birth_order})"
             if birth.multiplicity > 1 else "")
    order = f"{register.anak_ke(session, child, birth) if child else birth.birth_order}{twins}"
    return {
        "jenis": AKTA, "nomor": akta.register_number, "kantor": akta.office,
        "tanggal_terbit": akta.registered_on.isoformat(), "nik": akta.child_nik, "nama": akta.child_name,
        "jenis_kelamin": _SEX[child.sex if child else "female"],
        "tempat_lahir": f"{place}, {akta.facility_name}",
        "tanggal_lahir": birth.birth_date.isoformat(), "jam_lahir": birth.birth_time[:5], "anak_ke": order,
        "nama_ibu": mother.name if mother else "", "nama_ayah": father.name if father else None,
        "keterangan_orang_tua": akta.parents_wording, "terlambat": akta.late,
        "keputusan_kadis": akta.kadis_decision_number, "teks": akta.text,
    }


def kematian_data(session: Session, number: str) -> dict:
    """The akta kematian as printed: the death as recorded, the child named as the akta in force has it."""
    death = session.get(AktaKematian, number)
    if death is None:
        raise not_found("AKTA_KEMATIAN_TIDAK_DITEMUKAN", "Nomor akta kematian tidak terdaftar")
    child = session.get(Penduduk, death.child_nik)
    birth = session.exec(select(Kelahiran).where(Kelahiran.child_nik == death.child_nik)).one()
    # An akta kematian is recorded only for a child with an akta kelahiran (which a correction replaces).
    akta = session.exec(select(Akta).where(Akta.child_nik == death.child_nik)).one()
    mother = session.get(Penduduk, akta.mother_nik)
    father = session.get(Penduduk, akta.father_nik) if akta.father_nik else None
    place = regions.kab_kota_name(birth.birth_place_kab_kota) or birth.birth_place_kab_kota
    return {
        "jenis": KEMATIAN, "nomor": death.number, "kantor": death.office,
        "tanggal_terbit": death.registered_on.isoformat(), "nik": death.child_nik,
        "nama": akta.child_name,
        "jenis_kelamin": _SEX[child.sex if child else "female"],
        "tempat_lahir": f"{place}, {birth.facility_name}", "tanggal_lahir": birth.birth_date.isoformat(),
        "tanggal_meninggal": death.date_of_death.isoformat(), "tempat_meninggal": death.place_of_death,
        "nama_ibu": mother.name if mother else "", "nama_ayah": father.name if father else None,
        "no_akta_kelahiran": akta.register_number,
    }


def kk_data(session: Session, kk_number: str) -> dict:
    """The KK as printed now (the last reissue), members in order."""
    from simulators.dukcapil.routes_lookup import kk_detail  # the printed KK, one definition
    from simulators.dukcapil.schemas_inspect import DetailKk

    kk = kk_detail(DetailKk(no_kk=kk_number), session)
    if kk.kode_kab_kota not in CONNECTED_OFFICES:
        raise Refusal("KANTOR_TIDAK_TERHUBUNG", "KK ini tidak diterbitkan oleh kantor yang terhubung", 404)
    head = next((m for m in kk.anggota if m.kode_hubungan == 1), kk.anggota[0] if kk.anggota else None)
    return {
        "jenis": KK, "nomor": kk.no_kk, "kantor": kk.kode_kab_kota,
        "tanggal_terbit": kk.tanggal_terbit.isoformat(),
        "id_tte": kk.id_tte, "kepala_keluarga": head.nama if head else "-", "alamat": kk.alamat,
        "kelurahan": regions.village_name(kk.kode_kelurahan) or kk.kode_kelurahan,
        "kecamatan": regions.kecamatan_name(kk.kode_kecamatan) or kk.kode_kecamatan,
        "kab_kota": regions.kab_kota_name(kk.kode_kab_kota) or kk.kode_kab_kota,
        "provinsi": regions.province_name(kk.kode_kab_kota[:2]) or kk.kode_kab_kota[:2],
        "anggota": [{**m.model_dump(mode="json", exclude={"kode_hubungan"}),
                     "jenis_kelamin": m.jenis_kelamin} for m in kk.anggota],
    }


# --- making and keeping documents ---------------------------------------------------------------

class DocumentBook:
    """Finds or makes documents; `secret` derives the offices' signing keys."""

    def __init__(self, secret: str, public_url: str | None) -> None:
        self._secret = secret
        self._public_url = public_url.rstrip("/") if public_url else None

    def verification_url(self, base_url: str, doc_id: str, tte: str) -> str:
        return f"{self._public_url or base_url.rstrip('/')}/verifikasi/{doc_id}?s={signing.short_code(tte)}"

    def akta(self, session: Session, number: str, base_url: str) -> Dokumen:
        existing = _find(session, AKTA, number, number)
        return existing or self._make(session, akta_data(session, number), number, base_url)

    def kematian(self, session: Session, number: str, base_url: str) -> Dokumen:
        existing = _find(session, KEMATIAN, number, number)
        return existing or self._make(session, kematian_data(session, number), number, base_url)

    def kk(self, session: Session, kk_number: str, base_url: str) -> Dokumen:
        fam = session.get(Keluarga, kk_number)
        if fam is None:
            raise not_found("KK_TIDAK_DITEMUKAN", "Nomor KK tidak terdaftar")
        existing = _find(session, KK, kk_number, fam.signature_id)
        return existing or self._make(session, kk_data(session, kk_number), fam.signature_id, base_url)

    def _make(self, session: Session, data: dict, version: str, base_url: str) -> Dokumen:
        kind, number, code = data["jenis"], data["nomor"], data["kantor"]
        with _MAKING:
            existing = _find(session, kind, number, version)
            if existing is not None:
                return existing
            doc_id, data_digest = new_id(), signing.digest(signing.canonical(data))
            tte = signing.sign(self._secret, code,
                               signing.tte_message(doc_id, kind, number, code, data_digest))
            render = {AKTA: pdf.akta_pdf, KEMATIAN: pdf.kematian_pdf, KK: pdf.kk_pdf}[kind]
            content = render(data, doc_id=doc_id, url=self.verification_url(base_url, doc_id, tte),
                             office=office(code), key_fingerprint=self.fingerprint(code))
            pdf_sha = signing.digest(content)
            seal = signing.sign(self._secret, code, signing.seal_message(doc_id, data_digest, pdf_sha))
            doc = Dokumen(id=doc_id, kind=kind, number=number, version=version, office=code,
                          issued_on=date.fromisoformat(data["tanggal_terbit"]),
                          data_json=signing.canonical(data), tte=tte, pdf=content, pdf_sha256=pdf_sha,
                          seal=seal, created_at=datetime.now(UTC))
            session.add(doc)
            try:
                session.commit()
            except IntegrityError:  # another process made it first: theirs is the document
                session.rollback()
                return _find(session, kind, number, version)
            session.refresh(doc)
            return doc

    def fingerprint(self, office_code: str) -> str:
        return signing.fingerprint(signing.public_key(self._secret, office_code))

    def public_keys(self) -> dict[str, str]:
        return {code: signing.raw_public(signing.public_key(self._secret, code))
                for code in sorted(CONNECTED_OFFICES)}

    # --- verification ---------------------------------------------------------------------------

    def verify(self, session: Session, doc: Dokumen, code: str | None) -> Verification:
        """Check the QR code's short code, both signatures and the stored PDF's hash."""
        problems = []
        data_digest = signing.digest(doc.data_json)
        tte_ok = signing.valid(self._secret, doc.office, signing.tte_message(
            doc.id, doc.kind, doc.number, doc.office, data_digest), doc.tte)
        if not signing.same_code(code, doc.tte):
            problems.append("Kode pada QR tidak cocok dengan tanda tangan elektronik dokumen ini.")
        if not tte_ok:
            problems.append("Tanda tangan elektronik tidak sah untuk data dokumen ini (data telah diubah).")
        pdf_sha = signing.digest(doc.pdf)
        sealed = signing.seal_message(doc.id, data_digest, doc.pdf_sha256)
        if pdf_sha != doc.pdf_sha256 or not signing.valid(self._secret, doc.office, sealed, doc.seal):
            problems.append("Isi berkas PDF tidak sama dengan yang ditandatangani.")
        return Verification(doc=doc, genuine=not problems, problems=problems,
                            superseded=_superseded(session, doc), shown=_shown(doc))

    @staticmethod
    def same_file(doc: Dokumen, content: bytes) -> bool:
        """True when `content` is, byte for byte, the PDF the office signed."""
        return signing.digest(content) == doc.pdf_sha256


@dataclass
class Verification:
    doc: Dokumen
    genuine: bool
    problems: list[str]
    superseded: str | None
    shown: list[tuple[str, str]] = field(default_factory=list)


def get(session: Session, doc_id: str) -> Dokumen | None:
    return session.get(Dokumen, doc_id) if len(doc_id) <= 24 else None


def _find(session: Session, kind: str, number: str, version: str) -> Dokumen | None:
    return session.exec(select(Dokumen).where(Dokumen.kind == kind, Dokumen.number == number,
                                              Dokumen.version == version)).first()


def _superseded(session: Session, doc: Dokumen) -> str | None:
    if doc.kind == AKTA:
        newer = session.exec(select(AktaDiganti).where(AktaDiganti.old_number == doc.number)).first()
        if newer is not None:
            return (f"Akta ini telah diganti oleh akta nomor {newer.new_number} pada "
                    f"{pdf.tanggal(newer.superseded_on)} (pembetulan). Gunakan akta yang baru.")
        return None
    if doc.kind == KEMATIAN:  # the simulator corrects no akta kematian: it stays in force
        return None
    fam = session.get(Keluarga, doc.number)
    if fam is not None and fam.signature_id != doc.version:
        return (f"Kartu Keluarga ini telah diterbitkan ulang pada {pdf.tanggal(fam.issued_on)}. "
                "Gunakan Kartu Keluarga yang terbaru.")
    return None


def _shown(doc: Dokumen) -> list[tuple[str, str]]:
    """Only what a verifier needs: never a NIK, the KK number masked, names as initials."""
    data = json.loads(doc.data_json)
    o = office(doc.office)
    rows = [("Jenis dokumen", TITLES[doc.kind])]
    if doc.kind in (AKTA, KEMATIAN):
        rows += [("Nomor akta" if doc.kind == AKTA else "Nomor akta kematian", doc.number),
                 ("Nama anak (inisial)", initials(data["nama"])),
                 ("Nama ibu (inisial)", initials(data["nama_ibu"])),
                 ("Nama ayah (inisial)", initials(data["nama_ayah"]))]
    else:
        rows += [("Nomor KK", masked_kk(doc.number)),
                 ("Kepala keluarga (inisial)", initials(data["kepala_keluarga"])),
                 ("Jumlah anggota", str(len(data["anggota"])))]
    rows += [("Tanggal terbit", pdf.tanggal(doc.issued_on)), ("Diterbitkan oleh", o.agency)]
    return rows
