"""The printed documents: akta kelahiran (A4 portrait) and KK (A4 landscape), each with its TTE QR.

Plain canvas drawing (no flowables) and one path for the QR modules: a document renders in a few
tens of milliseconds, once, when first asked for.
"""

from __future__ import annotations

import io
from datetime import date

import segno
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from simulators.dukcapil.offices import Office

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
GREY = Color(0.35, 0.35, 0.35)
RED = Color(0.7, 0.1, 0.1)
QR_SIZE = 92.0


def tanggal(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def _qr(c: Canvas, url: str, x: float, y: float, size: float = QR_SIZE) -> None:
    """The QR code as one filled path of horizontal runs (quiet zone included in `size`)."""
    matrix = segno.make(url, error="m", micro=False).matrix
    n, quiet = len(matrix), 4
    mod = size / (n + 2 * quiet)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        col = 0
        while col < n:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < n and row[col]:
                col += 1
            path.rect(x + (quiet + start) * mod, y + size - (quiet + r + 1) * mod, (col - start) * mod, mod)
    c.setFillColor(black)
    c.drawPath(path, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _centre(c: Canvas, y: float, text: str, font: str, size: float, width: float) -> None:
    c.setFont(font, size)
    c.drawCentredString(width / 2, y, text)


def _simulation_banner(c: Canvas, width: float, top: float) -> None:
    c.setFillColor(RED)
    _centre(c, top, "DOKUMEN SIMULASI - bukan dokumen kependudukan yang sah", "Helvetica-Bold", 7.5, width)
    c.setFillColor(black)


def _signature_block(c: Canvas, *, x: float, y: float, office: Office, issued_on: str, url: str,
                     doc_id: str, key_fingerprint: str) -> None:
    """'Dikeluarkan di ...', the Kepala Dinas's title, the QR code and what it is for."""
    c.setFont("Helvetica", 9)
    c.drawString(x, y, f"Dikeluarkan di {office.city}, pada tanggal {tanggal(issued_on)}")
    c.setFont("Helvetica-Bold", 8.5)
    c.drawString(x, y - 14, "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL")
    c.drawString(x, y - 25, office.name.upper())
    _qr(c, url, x - 6, y - 32 - QR_SIZE)
    c.setFont("Helvetica", 7.5)
    lines = ["Ditandatangani secara elektronik (TTE).", "Pindai kode QR untuk memeriksa keaslian",
             "dokumen ini.", f"ID dokumen: {doc_id}", f"Sidik kunci: {key_fingerprint}"]
    for i, line in enumerate(lines):
        c.drawString(x + QR_SIZE + 2, y - 50 - i * 10, line)


def _new(page) -> tuple[io.BytesIO, Canvas]:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=page, pageCompression=1)
    return buf, c


def akta_pdf(data: dict, *, doc_id: str, url: str, office: Office, key_fingerprint: str) -> bytes:
    """Kutipan akta kelahiran on A4 portrait."""
    buf, c = _new(A4)
    width, height = A4
    c.setTitle(f"Kutipan Akta Kelahiran {data['nomor']}")
    c.setAuthor(office.agency)
    c.setSubject("Akta kelahiran (simulasi)")
    _simulation_banner(c, width, height - 28)
    _centre(c, height - 62, "REPUBLIK INDONESIA", "Helvetica-Bold", 13, width)
    _centre(c, height - 80, "PENCATATAN SIPIL", "Helvetica-Bold", 11, width)
    _centre(c, height - 104, "KUTIPAN AKTA KELAHIRAN", "Helvetica-Bold", 16, width)
    left, y = 64, height - 146
    rows = [("Kewarganegaraan", "WNI"), ("Nomor Induk Kependudukan", data["nik"]),
            ("Nomor Akta Kelahiran", data["nomor"])]
    for label, value in rows:
        c.setFont("Helvetica", 10)
        c.drawString(left, y, label)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left + 170, y, f": {value}")
        y -= 16
    y -= 10
    text = data["teks"]
    body = f"Berdasarkan Akta Kelahiran Nomor {data['nomor']}, {text[:1].lower()}{text[1:]}"
    c.setFont("Helvetica", 10.5)
    for line in simpleSplit(body, "Helvetica", 10.5, width - 2 * left):
        c.drawString(left, y, line)
        y -= 15
    y -= 12
    details = [("Nama", data["nama"]), ("Jenis kelamin", data["jenis_kelamin"]),
               ("Tempat lahir", data["tempat_lahir"]), ("Tanggal lahir", tanggal(data["tanggal_lahir"])),
               ("Pukul", data["jam_lahir"]), ("Anak ke", data["anak_ke"]),
               ("Nama ibu", data["nama_ibu"]), ("Nama ayah", data["nama_ayah"] or "-")]
    if data.get("keputusan_kadis"):
        details.append(("Keputusan Kepala Dinas", data["keputusan_kadis"]))
    for label, value in details:
        c.setFont("Helvetica", 9.5)
        c.setFillColor(GREY)
        c.drawString(left, y, label)
        c.setFillColor(black)
        c.drawString(left + 170, y, _fit(f": {value}", "Helvetica", 9.5, width - left - 240))
        y -= 14
    _signature_block(c, x=width - 300, y=250, office=office, issued_on=data["tanggal_terbit"], url=url,
                     doc_id=doc_id, key_fingerprint=key_fingerprint)
    c.setFont("Helvetica", 7)
    c.setFillColor(GREY)
    c.drawString(left, 40, "Kutipan ini diterbitkan dalam bentuk elektronik dan dicetak pada kertas HVS A4; "
                 "tidak memerlukan tanda tangan basah dan cap.")
    c.showPage()
    c.save()
    return buf.getvalue()


_KK_COLUMNS = (("No", 16), ("Nama Lengkap", 94), ("NIK", 70), ("JK", 14), ("Tempat Lahir", 56),
               ("Tanggal Lahir", 46), ("Agama", 34), ("Pendidikan", 80), ("Status Perkawinan", 66),
               ("Hubungan dalam Keluarga", 72), ("WN", 26), ("No. Akta Kelahiran", 84), ("Nama Ayah", 60),
               ("Nama Ibu", 60))


def kk_pdf(data: dict, *, doc_id: str, url: str, office: Office, key_fingerprint: str) -> bytes:
    """Kartu Keluarga on A4 landscape: the header, one row per member, the TTE block."""
    page = landscape(A4)
    buf, c = _new(page)
    width, height = page
    c.setTitle("Kartu Keluarga")
    c.setAuthor(office.agency)
    c.setSubject("Kartu keluarga (simulasi)")
    _simulation_banner(c, width, height - 22)
    _centre(c, height - 46, "KARTU KELUARGA", "Helvetica-Bold", 16, width)
    _centre(c, height - 62, f"No. {data['nomor']}", "Helvetica-Bold", 11, width)
    left, y = 30, height - 88
    header = [("Nama Kepala Keluarga", data["kepala_keluarga"]), ("Alamat", data["alamat"]),
              ("Desa/Kelurahan", data["kelurahan"]), ("Kecamatan", data["kecamatan"]),
              ("Kabupaten/Kota", data["kab_kota"]), ("Provinsi", data["provinsi"])]
    for i, (label, value) in enumerate(header):
        col, row = divmod(i, 3)
        x = left + col * 400
        c.setFont("Helvetica", 8.5)
        c.drawString(x, y - row * 12, label)
        c.drawString(x + 110, y - row * 12, _fit(f": {value}", "Helvetica", 8.5, 280))
    y -= 48
    x = left
    c.setLineWidth(0.5)
    c.setFont("Helvetica-Bold", 6.5)
    for title, w in _KK_COLUMNS:
        c.rect(x, y - 16, w, 22, stroke=1, fill=0)
        for j, part in enumerate(simpleSplit(title, "Helvetica-Bold", 6.5, w - 3)[:2]):
            c.drawString(x + 2, y - 2 - j * 7.5, part)
        x += w
    y -= 16
    c.setFont("Helvetica", 6.5)
    for n, m in enumerate(data["anggota"], start=1):
        values = (str(n), m["nama"], m["nik"], m["jenis_kelamin"], m["tempat_lahir"],
                  m["tanggal_lahir"], m["agama"], m["pendidikan"] or "-", m["status_kawin"] or "-",
                  m["hubungan"] or "-", m["kewarganegaraan"], m["no_akta"] or "-", m["nama_ayah"] or "-",
                  m["nama_ibu"] or "-")
        x = left
        for (_, w), value in zip(_KK_COLUMNS, values, strict=True):
            c.rect(x, y - 13, w, 13, stroke=1, fill=0)
            c.drawString(x + 2, y - 9, _fit(value, "Helvetica", 6.5, w - 4))
            x += w
        y -= 13
    c.setFont("Helvetica", 7.5)
    c.drawString(left, y - 16, f"Tanda tangan elektronik (ID TTE): {data['id_tte']}")
    _signature_block(c, x=width - 330, y=min(y - 40, 200), office=office,
                     issued_on=data["tanggal_terbit"], url=url, doc_id=doc_id,
                     key_fingerprint=key_fingerprint)
    c.showPage()
    c.save()
    return buf.getvalue()
