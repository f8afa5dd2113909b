"""The SMS texts (Indonesian, short: each 153 characters beyond the first 160 is another segment)."""

from __future__ import annotations


def notice(url: str, pin: str, days: int) -> str:
    return (f"Dukcapil: akta kelahiran, KK dan KIA anak Anda sudah terbit. Unduh di {url} "
            f"dengan PIN {pin} (berlaku {days} hari). JANGAN berikan PIN ini kepada siapa pun.")


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
