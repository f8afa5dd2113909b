"""A child's name by Permendagri 73/2022, and the placeholder that means "not named yet".

The rule (Pasal 4-5): Latin letters, at most 60 letters including spaces, no digits or punctuation,
no education or religious titles. A name that breaks it is not recorded (Pasal 7): refused until a
valid one is given. Two words are the rule's wish, applied flexibly: one word is accepted, with a
warning. Parents' names are not checked: the rule is not retroactive (a "Ma'ruf" recorded before
2022 stays as recorded).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

MAX_LENGTH = 60
RULE = "Permendagri 73/2022"
# Education and religious titles, compared word by word without case. Words that are also given
# names (Habib, Sayid) are left out: the rule forbids titles, not names.
DEFAULT_TITLES: tuple[str, ...] = (
    "Haji", "Hajjah", "Hj", "Dr", "Drs", "Dra", "Ir", "Prof", "KH", "Kyai", "Ustadz", "Ustadzah",
    "SH", "SE", "ST", "SPd", "SKom", "SSos", "SAg", "MM", "MH", "MT", "MSi", "MPd", "MAg", "PhD",
)
# "Bayi Ny. Siti", "By. Ny. Siti", "Bayi Nyonya Siti": SATUSEHAT's newborn before it is named.
_PLACEHOLDER = re.compile(r"^\s*(bayi|by\.?)\s+(ny|nyonya)\b", re.IGNORECASE)
_NOT_ALLOWED = re.compile(r"[^A-Za-z ]")


class ChildNameRefused(ValueError):
    """A child's name breaking the rule; the message names the rule broken."""


def placeholder(mother_name: str) -> str:
    """How a baby without a name yet is registered (NIK, BPJS) until its name arrives."""
    return f"Bayi Ny. {mother_name}"


def is_placeholder(name: str | None) -> bool:
    """True for "Bayi Ny. <mother>" and its spellings: a baby not named yet, never a recorded name."""
    return bool(name) and _PLACEHOLDER.match(name or "") is not None


_titles: frozenset[str] = frozenset(t.casefold() for t in DEFAULT_TITLES)


def configure_titles(titles: Iterable[str] | None) -> None:
    """The titles refused in a child's name from now on, in this process (the API sets them from
    KELAHIRAN_CHILD_NAME_TITLES at start-up); None restores DEFAULT_TITLES."""
    global _titles
    _titles = frozenset(t.casefold() for t in (DEFAULT_TITLES if titles is None else titles) if t)


def name_problem(name: str, titles: Iterable[str] | None = None) -> str | None:
    """Why `name` (already trimmed) cannot be recorded as a child's name, or None when it can;
    `titles`: the refused titles (default: those configured, see configure_titles)."""
    if not name:
        return f"the child's name is empty ({RULE}: 1 to {MAX_LENGTH} letters and spaces)"
    if len(name) > MAX_LENGTH:
        return (f"the child's name has {len(name)} characters: at most {MAX_LENGTH} letters "
                f"including spaces ({RULE})")
    bad = _NOT_ALLOWED.search(name)
    if bad:
        ch = bad.group()
        return (f"the child's name may hold only the letters A-Z and a-z and single spaces ({RULE}: "
                f"no digits or punctuation): {ch!r} (U+{ord(ch):04X}) is not allowed")
    if "  " in name:
        return f"the child's name holds two spaces in a row: words are separated by one space ({RULE})"
    forbidden = _titles if titles is None else {t.casefold() for t in titles}
    for word in name.split(" "):
        if word.casefold() in forbidden:
            return (f"the child's name may not hold the title {word!r} "
                    f"({RULE}: no education or religious titles)")
    return None


def name_warning(name: str | None) -> str | None:
    """The rule wishes for two words but does not refuse one: a warning, not a refusal."""
    if name and " " not in name.strip():
        return f"a one-word name is accepted; {RULE} asks for at least two words"
    return None


def _trim(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _check(value: str) -> str:
    problem = name_problem(value)
    if problem:
        raise ChildNameRefused(problem)
    return value


def _not_yet_named(value: object) -> object:
    return None if isinstance(value, str) and is_placeholder(value) else value


ChildName = Annotated[str, BeforeValidator(_trim), AfterValidator(_check)]
# At intake: a placeholder is "not named yet" (None), whichever intake it came through.
ChildNameAtIntake = Annotated[ChildName | None, BeforeValidator(_not_yet_named)]
