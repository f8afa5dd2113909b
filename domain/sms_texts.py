"""The SMS texts (Indonesian, short: each 153 characters beyond the first 160 is another segment)."""

from __future__ import annotations

from datetime import date


def notice(url: str, pin: str, days: int, *, deceased: bool = False) -> str:
    if deceased:
        # A child died: its KIA is not to be collected and its akta kematian follows (the page
        # lists it once issued); never the cheerful "all ready" of a living child.
        return (f"Dukcapil turut berduka cita. Akta kelahiran dan KK sudah terbit; akta kematian "
                f"menyusul. Unduh di {url} dengan PIN {pin} (berlaku {days} hari). "
                f"JANGAN berikan PIN ini kepada siapa pun.")
    return (f"Dukcapil: akta kelahiran, KK dan KIA anak Anda sudah terbit. Unduh di {url} "
            f"dengan PIN {pin} (berlaku {days} hari). JANGAN berikan PIN ini kepada siapa pun.")


def reminder(kind: str, service: str, due: date, *, birth_order: int, several: bool = False,
             virtual_account: str | None = None, amount_due: int | None = None) -> str:
    """A reminder that the family still owes something before a legal deadline (no name, no NIK)."""
    by = tanggal(due)
    # The position in the delivery, only for twins: "anak ke-" on documents is the birth order
    # among the mother's children, which this text must not contradict.
    anak = f"bayi ke-{birth_order} Anda" if several else "bayi Anda"
    if service == "bpjs":
        bill = f"Rp {amount_due:,}".replace(",", ".") if amount_due else "iuran pertama"
        va = f" ke VA {virtual_account}" if virtual_account else ""
        lead = "Segera: batas" if kind == "deadline_approaching" else "Batas"
        return (f"BPJS Kesehatan/Dukcapil: bayar {bill}{va} untuk {anak} agar kepesertaannya aktif. "
                f"{lead} pendaftaran bayi {by}.")
    lead = "Segera: batas" if kind == "deadline_approaching" else "Batas"
    return (f"Dukcapil: nama {anak} belum kami terima. Sampaikan lewat rumah sakit tempat lahir "
            f"agar akta kelahiran terbit. {lead} {by}.")


def tanggal(d: date) -> str:
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def new_pin(pin: str) -> str:
    return f"Dukcapil: PIN baru untuk mengunduh dokumen kelahiran: {pin}. JANGAN berikan kepada siapa pun."


BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")

FORM_EXPIRED = "Formulir kedaluwarsa. Silakan coba lagi."
PIN_USED = "PIN ini sudah dipakai. Minta PIN baru di bawah ini."
PIN_SENT = "PIN baru telah dikirim lewat SMS ke nomor telepon pelapor."
RESEND_LIMIT = "Batas permintaan PIN baru untuk tautan ini sudah tercapai. Hubungi Disdukcapil."
RESEND_WAIT = "PIN baru baru saja dikirim. Tunggu satu menit sebelum meminta lagi."
SMS_FAILED = "SMS tidak dapat dikirim saat ini. Silakan coba lagi nanti."


def wrong_pin(remaining: int) -> str:
    return f"PIN salah. Sisa percobaan: {remaining}. Setelah itu tautan dikunci."
