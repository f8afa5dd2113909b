"""Text that must print whole: wrapped in its cell, smaller if need be, never below 7 pt, never cut.

A name is printed exactly as recorded (Permendagri 73/2022): no ellipsis, no box. Only the 14
standard PDF fonts are used, whose WinAnsi encoding covers every letter a recorded name may hold
(A-Z, a-z, and the apostrophe of names recorded before 2022).
"""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

MIN_SIZE = 7.0
LEADING = 1.2  # line height as a multiple of the font size


def lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Words on lines no wider than `width`; only a word wider than a whole line is broken."""
    out: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            out.append(line)
        while stringWidth(word, font, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], font, size) > width:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        line = word
    out.append(line)
    return out


def fitted(text: str, font: str, size: float, width: float, max_lines: int = 1) -> tuple[list[str], float]:
    """`text` whole on at most `max_lines` lines at `size` or smaller; at 7 pt on as many as it takes."""
    while True:
        got = lines(text, font, size, width)
        if len(got) <= max_lines or size <= MIN_SIZE:
            return got, size
        size = max(MIN_SIZE, size - 0.5)
