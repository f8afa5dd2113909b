"""The console's languages: Bahasa Indonesia by default, English on request, remembered in a cookie.

Every visible string goes through `Translator`; the catalogues (messages.py for the pages, words.py
for the domain's statuses, reasons and events) hold each key in both languages side by side, so a
missing translation is a failing test rather than a blank on a page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from starlette.requests import Request

from api.console.admin_words import ADMIN_WORDS
from api.console.fact_words import FACT_WORDS
from api.console.family_words import FAMILY_WORDS
from api.console.followup_words import FOLLOW_UP_WORDS
from api.console.messages import MESSAGES
from api.console.words import WORDS

LANGS = ("id", "en")
DEFAULT = "id"
COOKIE = "kelahiran_lang"
CATALOGUE: dict[str, tuple[str, str]] = {**MESSAGES, **WORDS, **FOLLOW_UP_WORDS, **ADMIN_WORDS,
                                         **FAMILY_WORDS, **FACT_WORDS}
# Operators work in Western Indonesia Time; WIB has no daylight saving, a fixed offset is exact.
WIB = timezone(timedelta(hours=7), "WIB")
_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
# Indonesian writes the time with dots (14.05) and groups thousands with dots (Rp150.000).
_CLOCK = {"id": "%H.%M", "en": "%H:%M"}


def language_of(request: Request) -> tuple[str, bool]:
    """The language for this request, and whether it was just chosen (`?lang=`: set the cookie)."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked, True
    kept = request.cookies.get(COOKIE)
    return (kept if kept in LANGS else DEFAULT), False


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT
        self._i = LANGS.index(self.lang)

    def __call__(self, key: str, **params: object) -> str:
        pair = CATALOGUE.get(key)
        if pair is None:
            return key  # unknown codes (a new reason, a new event kind) still show as themselves
        return pair[self._i].format(**params) if params else pair[self._i]

    def has(self, key: str) -> bool:
        return key in CATALOGUE

    def date(self, value: date | None) -> str:
        if value is None:
            return "–"
        return f"{value.day} {_MONTHS[self.lang][value.month - 1]} {value.year}"

    def time(self, value: datetime | None) -> str:
        """A timestamp in WIB as Indonesians write it: "7 Desember 2026, 14.05 WIB" (the page's
        <time datetime> attribute keeps the exact instant for whoever needs the second)."""
        if value is None:
            return "–"
        local = value.astimezone(WIB)
        return f"{self.date(local.date())}, {local.strftime(_CLOCK[self.lang])} WIB"

    def rupiah(self, amount: int | str | None) -> str:
        """Money as Rupiah with thousands grouped by dots, in both languages ("Rp150.000")."""
        if amount is None or not str(amount).isdigit():
            return "–"
        return "Rp" + f"{int(amount):,}".replace(",", ".")

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        for unit, size in (("u_day", 86400), ("u_hour", 3600), ("u_min", 60)):
            if seconds >= size:
                return f"{seconds / size:.1f} {self(unit)}"
        return f"{seconds:.1f} {self('u_sec')}"

    def days_to(self, deadline: date | None, today: date) -> str:
        if deadline is None:
            return "–"
        days = (deadline - today).days
        if days > 0:
            return self("days_left", n=days)
        return self("days_over", n=-days) if days < 0 else self("due_today")
