"""What a NIK or KK number looks like in text a test must find free of them."""

from __future__ import annotations

import re

# Sixteen digits standing alone: not a run inside a hex digest or a base64 token (a SHA-256 in hex
# holds sixteen digits in a row in ~3 % of cases: a check on plain \d{16} failed by chance).
NIK_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")


def has_nik_like(text: str) -> bool:
    return NIK_LIKE.search(text) is not None
