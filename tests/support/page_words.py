"""Which visible text on a console page came neither from the console's catalogue nor from the data.

The allowlist is built from the catalogue itself: every Indonesian template of api/console/i18n.py's
CATALOGUE (words.py, messages.py, fact_words.py and the rest; notes.py and describe.py say their
notes through it) becomes a regular expression whose {params} are wildcards, plus the codes the
catalogue has words for (a reason's `r_CODE` is shown as the code beside its words). The data are
given per page (names, numbers, masked NIKs, references as typed); dates and times in Indonesian
words, Rupiah amounts and the region names of refdata/regions.json are allowed everywhere.

A line is covered when removing every allowed piece (data first, then the longest templates) leaves
only punctuation and numbers of one or two digits (counts). `unexplained` returns what is left of
each line that is not covered: an English note, a raw fact key, an ISO date or a code without words.
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Iterable
from pathlib import Path

from api.console.i18n import CATALOGUE

REGIONS = Path(__file__).parents[2] / "refdata" / "regions.json"
MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
ALWAYS = (
    rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}(?:, \d\d\.\d\d WIB)?",  # "7 Desember 2026, 14.05 WIB"
    r"\bRp\d{1,3}(?:\.\d{3})*\b",  # Rp150.000
)
WILDCARD = r"(?:[^\n]{1,120}?)"  # a param between two literal parts
EDGE = r"(?:\S+)"  # a param that starts or ends a template: one word (longer data is stripped before)
MIN_DATA = 3  # shorter values (counts, a version) are the one- or two-digit numbers LEFTOVER allows
MIN_LITERAL = 3  # a template with fewer letters outside its params ("{reminder}") allows nothing alone
LEFTOVER = re.compile(r"^(?:[\s\u00a0·:;,.()\[\]\-–—/|#*+>«»\"'!?]|\b\d{1,2}\b)*$")


def _template(text: str) -> str | None:
    parts, literal = [], 0
    fields = list(string.Formatter().parse(text))
    for i, (lit, name, _, _) in enumerate(fields):
        parts.append(re.escape(lit))
        literal += sum(ch.isalpha() for ch in lit)
        if name is not None:
            edge = (i == 0 and not lit) or i == len(fields) - 1
            parts.append(EDGE if edge else WILDCARD)
    return "".join(parts) if literal >= MIN_LITERAL else None


@functools.cache
def catalogue_patterns() -> tuple[re.Pattern, ...]:
    """The catalogue's Indonesian templates, longest first (a long one is tried before its parts)."""
    found = {p for indonesian, _ in CATALOGUE.values() if (p := _template(indonesian))}
    found |= {re.escape(k.removeprefix("r_")) for k in CATALOGUE if k.startswith("r_")}  # codes with words
    return tuple(re.compile(_whole(p)) for p in sorted(found, key=len, reverse=True))


def _whole(pattern: str) -> str:
    """Only whole words: "KK" is not a piece of "KKM", a data value "Rina" not of "Marina"."""
    return rf"(?<!\w)(?:{pattern})(?!\w)"


@functools.cache
def region_names() -> tuple[str, ...]:
    """Every name in the region data (provinces, kab/kota, kecamatan, villages)."""
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not key.startswith("_"):  # "_source": the data's provenance, not a name
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and any(ch.isalpha() for ch in node) and len(node) > 2:
            names.add(node)

    walk(json.loads(REGIONS.read_text()))
    return tuple(sorted(names, key=len, reverse=True))


def _strip(line: str, pieces: Iterable[re.Pattern]) -> str:
    for p in pieces:
        line = p.sub("\x00", line)
    return line


def unexplained(lines: Iterable[str], data: Iterable[str]) -> list[str]:
    """Each visible line (as the page shows it) that the catalogue and `data` do not cover, with the
    pieces that were covered shown as "▯"; [] when everything is explained."""
    exact = [re.compile(_whole(re.escape(d))) for d in sorted({d for d in data if len(d.strip()) >= MIN_DATA},
                                                                   key=len, reverse=True)]
    regions = [re.compile(_whole(re.escape(n))) for n in region_names()]
    always = [re.compile(p) for p in ALWAYS]
    out = []
    for line in lines:
        if not line.strip():
            continue
        left = _strip(line, [*always, *exact])
        left = _strip(left, catalogue_patterns())
        left = _strip(left, regions)
        if not LEFTOVER.match(left.replace("\x00", " ")):
            out.append(left.replace("\x00", "▯").strip())
    return out
