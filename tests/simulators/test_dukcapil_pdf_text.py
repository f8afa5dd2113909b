"""The simulator's text fitting: whole text, lines within the cell, never below 7 pt."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from simulators.dukcapil import pdf_text

NAMES = st.lists(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'", min_size=1,
                         max_size=60), min_size=1, max_size=8).map(" ".join)


@given(NAMES, st.floats(min_value=20, max_value=300))
def test_lines_keep_every_letter_in_order_within_the_width(name: str, width: float):
    got = pdf_text.lines(name, "Helvetica", 7, width)
    assert all(stringWidth(line, "Helvetica", 7) <= width or len(line) == 1 for line in got)
    # Joined again, only the breaks between words became line ends: nothing lost, nothing added.
    assert "".join(got).replace(" ", "") == name.replace(" ", "")
    assert " ".join(got).split() == name.split() or any(
        stringWidth(w, "Helvetica", 7) > width for w in name.split())


def test_fitted_shrinks_but_never_below_7_pt():
    name = "Muhammad Rizky Pratama Putra Ramadhan Saputra Wijaya Kusumaa"
    lines, size = pdf_text.fitted(name, "Helvetica", 9.5, 240, max_lines=1)
    assert lines == [name] and pdf_text.MIN_SIZE <= size < 9.5
    lines, size = pdf_text.fitted(name, "Helvetica", 9.5, 60, max_lines=1)
    assert size == pdf_text.MIN_SIZE and len(lines) > 1
    assert " ".join(lines) == name
