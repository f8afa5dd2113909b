"""A note (domain `Note`) with its parameters, in words from the catalogue.

One function for both readers: the console says it in the operator's language, the JSON API takes
the English side as a service's or a timeline event's `message`, so both say the same thing. Only
what a person typed (an actor's name, the reason given, an office and its reference) is shown as
written; codes (systems, kab/kota, fields changed, reminders) and dates are said in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from api.console.i18n import Translator as Say
from domain import regions
from domain.contracts import Note

SYSTEMS = {"dukcapil": "sys_dukcapil", "bpjs": "sys_bpjs"}  # a refusal's `system`, and its words
FIELDS = ("mother", "father", "kk_number")  # what a parents' correction may change
REMINDERS = ("name_missing", "payment_due", "deadline_approaching")
MISSING = "–"  # a parameter a note should carry but does not: shown as a dash, never a KeyError


def say(t: Say, note: Note | str | None, params: Mapping[str, str]) -> str:
    """The note in `t`'s language; "" for no note, the code itself for a code the catalogue lacks."""
    if not note:
        return ""
    key = f"note_{note}"
    if not t.has(key):
        return str(note)
    p = {k: v for k, v in params.items() if v}
    words: dict[str, str] = {}
    if note == Note.CHILDREN_REPORTED:
        words["n"] = p.get("count", MISSING)
    elif note == Note.REFUSED:
        system = p.get("system", "dukcapil")
        words["system"] = t(SYSTEMS[system]) if system in SYSTEMS else system
        words["code"] = p.get("code", MISSING)
    elif note == Note.NO_OFFICE:
        code = p.get("kab_kota", "")
        words["kab"] = f"{code} {regions.kab_kota_name(code) or ''}".strip() if code else MISSING
    elif note == Note.LEGAL_DEADLINE:
        words["date"] = date_words(t, p.get("date", ""))
    elif note == Note.PARENTS_CHANGED:
        fields = [f for f in p.get("fields", "").split(",") if f]
        words["fields"] = ", ".join(t(f"chg_{f}") if f in FIELDS else f for f in fields) or MISSING
    elif note == Note.REMINDER:
        kind = p.get("reminder", "")
        words["reminder"] = t(f"rem_{kind}") if kind in REMINDERS else (kind or MISSING)
    for name in ("actor", "reason", "office", "reference"):
        words[name] = p.get(name, MISSING)
    return t(key, **words)


def date_words(t: Say, raw: str) -> str:
    """An ISO date as the reader's language writes it; anything else as it is (nothing: a dash)."""
    try:
        return t.date(date.fromisoformat(raw))
    except ValueError:
        return raw or MISSING
