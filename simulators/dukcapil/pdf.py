"""The printed documents: akta kelahiran and akta kematian (A4 portrait), KK (A4 landscape), each with
its TTE QR.

Plain canvas drawing (no flowables) and one path for the QR modules: a document renders in a few
tens of milliseconds, once, when first asked for.
"""

from __future__ import annotations

import io
from datetime import date

import segno
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from simulators.dukcapil import pdf_text
from simulators.dukcapil.offices import Office

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
GREY = Color(0.35, 0.35, 0.35)
RED = Color(0.7, 0.1, 0.1)
QR_SIZE = 92.0
_LEFT = 64  # the portrait kutipan's left margin


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


def _value(c: Canvas, x: float, y: float, value: str, size: float, width: float, max_lines: int = 2) -> float:
    """': value' with the value whole, wrapped within `width`; returns the extra height it took."""
    colon = stringWidth(": ", "Helvetica", size)
    c.setFont("Helvetica", size)
    c.drawString(x, y, ":")
    rows, fitted = pdf_text.fitted(value, "Helvetica", size, width - colon, max_lines)
    c.setFont("Helvetica", fitted)
    step = fitted * pdf_text.LEADING
    for i, line in enumerate(rows):
        c.drawString(x + colon, y - i * step, line)
    return (len(rows) - 1) * step


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


def _portrait(c: Canvas, akta: str, data: dict, office: Office) -> float:
    """A kutipan's head on A4 portrait: banner, title, NIK and register number; returns the next y."""
    width, height = A4
    c.setTitle(f"Kutipan {akta} {data['nomor']}")
    c.setAuthor(office.agency)
    c.setSubject(f"{akta.capitalize()} (simulasi)")
    _simulation_banner(c, width, height - 28)
    _centre(c, height - 62, "REPUBLIK INDONESIA", "Helvetica-Bold", 13, width)
    _centre(c, height - 80, "PENCATATAN SIPIL", "Helvetica-Bold", 11, width)
    _centre(c, height - 104, f"KUTIPAN {akta.upper()}", "Helvetica-Bold", 16, width)
    y = height - 146
    rows = [("Kewarganegaraan", "WNI"), ("Nomor Induk Kependudukan", data["nik"]),
            (f"Nomor {akta}", data["nomor"])]
    for label, value in rows:
        c.setFont("Helvetica", 10)
        c.drawString(_LEFT, y, label)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(_LEFT + 170, y, f": {value}")
        y -= 16
    return y - 10


def _paragraph(c: Canvas, y: float, text: str) -> float:
    c.setFont("Helvetica", 10.5)
    for line in pdf_text.lines(text, "Helvetica", 10.5, A4[0] - 2 * _LEFT):
        c.drawString(_LEFT, y, line)
        y -= 15
    return y - 12


def _details(c: Canvas, y: float, details: list[tuple[str, str]]) -> None:
    for label, value in details:
        c.setFont("Helvetica", 9.5)
        c.setFillColor(GREY)
        c.drawString(_LEFT, y, label)
        c.setFillColor(black)
        y -= 14 + _value(c, _LEFT + 170, y, str(value), 9.5, A4[0] - 2 * _LEFT - 170)


def _portrait_foot(c: Canvas, data: dict, *, doc_id: str, url: str, office: Office,
                   key_fingerprint: str) -> None:
    _signature_block(c, x=A4[0] - 300, y=250, office=office, issued_on=data["tanggal_terbit"], url=url,
                     doc_id=doc_id, key_fingerprint=key_fingerprint)
    c.setFont("Helvetica", 7)
    c.setFillColor(GREY)
    c.drawString(_LEFT, 40, "Kutipan ini diterbitkan dalam bentuk elektronik dan dicetak pada kertas HVS A4; "
                 "tidak memerlukan tanda tangan basah dan cap.")
    c.showPage()
    c.save()


def akta_pdf(data: dict, *, doc_id: str, url: str, office: Office, key_fingerprint: str) -> bytes:
    """Kutipan akta kelahiran on A4 portrait."""
    buf, c = _new(A4)
    y = _portrait(c, "Akta Kelahiran", data, office)
    text = data["teks"]
    y = _paragraph(c, y, f"Berdasarkan Akta Kelahiran Nomor {data['nomor']}, {text[:1].lower()}{text[1:]}")
    details = [("Nama", data["nama"]), ("Jenis kelamin", data["jenis_kelamin"]),
               ("Tempat lahir", data["tempat_lahir"]), ("Tanggal lahir", tanggal(data["tanggal_lahir"])),
               ("Pukul", data["jam_lahir"]), ("Anak ke", data["anak_ke"]),
               ("Nama ibu", data["nama_ibu"]), ("Nama ayah", data["nama_ayah"] or "-")]
    if data.get("keputusan_kadis"):
        details.append(("Keputusan Kepala Dinas", data["keputusan_kadis"]))
    _details(c, y, details)
    _portrait_foot(c, data, doc_id=doc_id, url=url, office=office, key_fingerprint=key_fingerprint)
    return buf.getvalue()


def kematian_pdf(data: dict, *, doc_id: str, url: str, office: Office, key_fingerprint: str) -> bytes:
    """Kutipan akta kematian on A4 portrait, laid out as the akta kelahiran."""
    buf, c = _new(A4)
    y = _portrait(c, "Akta Kematian", data, office)
    y = _paragraph(c, y, f"Berdasarkan Akta Kematian Nomor {data['nomor']}, telah meninggal dunia di "
                         f"{data['tempat_meninggal']} pada tanggal {tanggal(data['tanggal_meninggal'])}:")
    _details(c, y, [("Nama", data["nama"]), ("Jenis kelamin", data["jenis_kelamin"]),
                    ("Tempat lahir", data["tempat_lahir"]), ("Tanggal lahir", tanggal(data["tanggal_lahir"])),
                    ("Tempat meninggal", data["tempat_meninggal"]),
                    ("Tanggal meninggal", tanggal(data["tanggal_meninggal"])),
                    ("Nama ibu", data["nama_ibu"]), ("Nama ayah", data["nama_ayah"] or "-"),
                    ("Nomor Akta Kelahiran", data["no_akta_kelahiran"])])
    _portrait_foot(c, data, doc_id=doc_id, url=url, office=office, key_fingerprint=key_fingerprint)
    return buf.getvalue()


# 802 pt across landscape A4 between 20 pt margins; every cell wraps at 7 pt, the smallest size used.
_KK_COLUMNS = (("No", 16), ("Nama Lengkap", 104), ("NIK", 70), ("JK", 14), ("Tempat Lahir", 56),
               ("Tanggal Lahir", 50), ("Agama", 34), ("Pendidikan", 76), ("Status Perkawinan", 62),
               ("Hubungan dalam Keluarga", 68), ("WN", 22), ("No. Akta Kelahiran", 94), ("Nama Ayah", 68),
               ("Nama Ibu", 68))
_CELL = pdf_text.MIN_SIZE
_CELL_STEP = _CELL * pdf_text.LEADING


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
    left, y = 20, height - 88
    header = [("Nama Kepala Keluarga", data["kepala_keluarga"]), ("Alamat", data["alamat"]),
              ("Desa/Kelurahan", data["kelurahan"]), ("Kecamatan", data["kecamatan"]),
              ("Kabupaten/Kota", data["kab_kota"]), ("Provinsi", data["provinsi"])]
    ends = []
    for col in range(2):
        x, row_y = left + 10 + col * 400, y
        for label, value in header[col * 3:col * 3 + 3]:
            c.setFont("Helvetica", 8.5)
            c.drawString(x, row_y, label)
            row_y -= 12 + _value(c, x + 110, row_y, str(value), 8.5, 280)
        ends.append(row_y)
    y = min(ends) - 12
    x = left
    c.setLineWidth(0.5)
    c.setFont("Helvetica-Bold", _CELL)
    titles = [pdf_text.lines(title, "Helvetica-Bold", _CELL, w - 3) for title, w in _KK_COLUMNS]
    head_h = max(22, max(len(t) for t in titles) * _CELL_STEP + 6)
    for (_, w), parts in zip(_KK_COLUMNS, titles, strict=True):
        c.rect(x, y + 6 - head_h, w, head_h, stroke=1, fill=0)
        for j, part in enumerate(parts):
            c.drawString(x + 2, y - 2 - j * _CELL_STEP, part)
        x += w
    y += 6 - head_h
    c.setFont("Helvetica", _CELL)
    for n, m in enumerate(data["anggota"], start=1):
        values = (str(n), m["nama"], m["nik"], m["jenis_kelamin"], m["tempat_lahir"],
                  tanggal(m["tanggal_lahir"]), m["agama"], m["pendidikan"] or "-", m["status_kawin"] or "-",
                  m["hubungan"] or "-", m["kewarganegaraan"], m["no_akta"] or "-", m["nama_ayah"] or "-",
                  m["nama_ibu"] or "-")
        cells = [pdf_text.lines(v, "Helvetica", _CELL, w - 4) for (_, w), v in zip(_KK_COLUMNS, values,
                                                                                    strict=True)]
        row_h = max(13, max(len(lines) for lines in cells) * _CELL_STEP + 4.6)
        x = left
        for (_, w), lines in zip(_KK_COLUMNS, cells, strict=True):
            c.rect(x, y - row_h, w, row_h, stroke=1, fill=0)
            for j, line in enumerate(lines):
                c.drawString(x + 2, y - 9 - j * _CELL_STEP, line)
            x += w
        y -= row_h
    c.setFont("Helvetica", 7.5)
    c.drawString(left, y - 16, f"Tanda tangan elektronik (ID TTE): {data['id_tte']}")
    _signature_block(c, x=width - 330, y=min(y - 40, 200), office=office,
                     issued_on=data["tanggal_terbit"], url=url, doc_id=doc_id,
                     key_fingerprint=key_fingerprint)
    c.showPage()
    c.save()
    return buf.getvalue()
