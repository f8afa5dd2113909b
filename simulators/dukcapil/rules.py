"""Pure Dukcapil rules: refusals, document numbers, the 60-day limit, KIA validity, akta wording."""

from __future__ import annotations

import re
from datetime import date, timedelta

from simulators.common import regions

LATE_AFTER_DAYS = 60  # UU 23/2006 Pasal 27
UNMARRIED_PHRASE = (
    "yang perkawinannya belum tercatat sesuai dengan ketentuan peraturan perundang-undangan"
)
MARRIED_ON_KK = frozenset({"KAWIN_TERCATAT", "KAWIN_BELUM_TERCATAT"})
# Permendagri 73/2022: Latin letters, at most 60 including spaces, no digits, punctuation or
# education/religious titles. Dukcapil's own copy of the rule: an orchestrator's check may drift.
NAMA_MAKS = 60
_NAMA_SAH = re.compile(r"[A-Za-z]+( [A-Za-z]+)*")
GELAR = frozenset({"haji", "hajjah", "hj", "dr", "drs", "dra", "ir", "prof", "kh", "kyai", "ustadz",
                   "ustadzah", "sh", "se", "st", "spd", "skom", "ssos", "sag", "mm", "mh", "mt", "msi",
                   "mpd", "mag", "phd"})


class Refusal(Exception):
    """A business refusal: answered as `{"kode", "pesan"}` with its HTTP status."""

    def __init__(self, kode: str, pesan: str, status: int = 422) -> None:
        super().__init__(f"{kode}: {pesan}")
        self.kode = kode
        self.pesan = pesan
        self.status = status


def not_found(kode: str, pesan: str) -> Refusal:
    return Refusal(kode, pesan, status=404)


def nama_anak_tidak_sah(nama: str) -> str | None:
    """Why a child's name cannot be recorded (Permendagri 73/2022 Pasal 4-5), or None."""
    if len(nama) > NAMA_MAKS:
        return f"Nama {len(nama)} karakter: paling banyak {NAMA_MAKS} huruf termasuk spasi"
    if not _NAMA_SAH.fullmatch(nama):
        return "Nama hanya boleh huruf latin A-Z dengan satu spasi antarkata, tanpa angka dan tanda baca"
    gelar = next((w for w in nama.split(" ") if w.lower() in GELAR), None)
    if gelar is not None:
        return f"Nama tidak boleh memuat gelar pendidikan atau keagamaan ({gelar})"
    return None


def is_late(birth_date: date, registered_on: date) -> bool:
    return (registered_on - birth_date).days > LATE_AFTER_DAYS


def akta_number(office: str, late: bool, registered_on: date, counter: int) -> str:
    """`KKKK-LU-DDMMYYYY-NNNN`; LT (lahir terlambat) after 60 days."""
    return f"{office}-{'LT' if late else 'LU'}-{registered_on:%d%m%Y}-{counter:04d}"


def stillbirth_number(office: str, registered_on: date, counter: int) -> str:
    """Surat keterangan lahir mati: same shape as the akta register, kind `LM`."""
    return f"{office}-LM-{registered_on:%d%m%Y}-{counter:04d}"


def death_number(office: str, registered_on: date, counter: int) -> str:
    """Akta kematian: `KKKK-KM-DDMMYYYY-NNNN`, its own counter per office and date."""
    return f"{office}-KM-{registered_on:%d%m%Y}-{counter:04d}"


def anniversary(born: date, years: int) -> date:
    # A 29 February child reaches an age on 1 March in common years.
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def kia_card(born: date, today: date) -> tuple[str, date]:
    """Card type and validity (Permendagri 2/2016); refuses from the 17th birthday on."""
    if today < anniversary(born, 5):
        return "0-5", anniversary(born, 5)
    if today < anniversary(born, 17):
        return "5-17", anniversary(born, 17) - timedelta(days=1)
    raise Refusal("BUKAN_ANAK", "KIA hanya untuk anak di bawah 17 tahun")


def akta_text(*, child: str, sex: str, born: date, place_code: str, facility: str, order: int,
              multiplicity: int, wording: str, mother: str, father: str | None) -> str:
    """The sentence printed on the akta; the parents' part follows the wording rule."""
    place = regions.kab_kota_name(place_code) or place_code
    kelamin = "laki-laki" if sex == "male" else "perempuan"
    twins = f", kelahiran kembar {multiplicity} urutan ke-{order}" if multiplicity > 1 else ""
    head = (f"Bahwa di {place} ({facility}) pada tanggal {born:%d-%m-%Y} telah lahir {child}, "
            f"{kelamin}{twins}")
    if wording == "anak_seorang_ibu":
        return f"{head}, anak seorang ibu bernama {mother}."
    tail = f" {UNMARRIED_PHRASE}" if wording == "perkawinan_belum_tercatat" else ""
    return f"{head} dari ayah {father} dan ibu {mother}{tail}."
