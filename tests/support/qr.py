"""Read a PDF the way a phone scans paper: render the page to pixels, then find the QR codes."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp

A4_POINTS = (595.28, 841.89)


def page_size(pdf: bytes, page: int = 0) -> tuple[float, float]:
    """The page's width and height in PostScript points (A4 is 595 x 842)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page].get_size()
    finally:
        doc.close()


def is_a4(pdf: bytes, page: int = 0) -> bool:
    w, h = sorted(page_size(pdf, page))
    return abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1


def qr_texts(pdf: bytes, page: int = 0, scale: float = 2.0) -> list[str]:
    """The text of every QR code on the page, rendered at `scale` x 72 dpi."""
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=scale).to_pil()
    finally:
        doc.close()
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def page_text(pdf: bytes, page: int = 0) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page].get_textpage().get_text_bounded()
    finally:
        doc.close()
