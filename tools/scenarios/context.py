"""`${...}` placeholders: values known only while a scenario runs (drawn families, posted births).

Roots: `today` (the scenario's today, WIB), a family name (the sample as the Dukcapil simulator
returns it, plus `kecamatan` and `kab_kota`), a birth name (`bundle_id`, `record_id`, `birth_date`,
`birth_month_start`, `fifth_birthday`, `kk_number`, `mother_nik`), and inside a bundle's
expectations `family`, that birth's own family. Paths are dotted: `${fam.ibu.nik}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{\s*([^}]+?)\s*\}")


class PlaceholderError(ValueError):
    pass


@dataclass
class Context:
    today: date
    families: dict[str, dict] = field(default_factory=dict)
    births: dict[str, dict] = field(default_factory=dict)

    def add_family(self, alias: str, sample: dict) -> None:
        dom = sample.get("domisili") or {}
        self.families[alias] = {**sample, "kecamatan": dom.get("kode_kecamatan"),
                                "kab_kota": dom.get("kode_kab_kota")}

    def add_birth(self, alias: str, body: dict, family: str) -> None:
        born = date.fromisoformat(body["birth_date"])
        self.births[alias] = {
            "family": family, "record_id": body["record_id"], "birth_date": born.isoformat(),
            "birth_month_start": born.replace(day=1).isoformat(),
            "fifth_birthday": _years_later(born, 5).isoformat(),
            "kk_number": body["kk_number"], "mother_nik": body["mother"]["nik"], "bundle_id": None,
        }

    def lookup(self, path: str, scope: str | None = None) -> Any:
        root, *rest = path.split(".")
        if root == "today":
            value: Any = self.today.isoformat()
        elif root == "family" and scope is not None:
            value = self.families[self.births[scope]["family"]]
        elif root in self.families:
            value = self.families[root]
        elif root in self.births:
            value = self.births[root]
        else:
            raise PlaceholderError(f"${{{path}}}: nothing called {root!r} here")
        for part in rest:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                raise PlaceholderError(f"${{{path}}}: no {part!r}")
        if value is None or isinstance(value, dict | list):
            raise PlaceholderError(f"${{{path}}} is {'empty' if value is None else 'not a single value'}")
        return value

    def render(self, text: str, *, scope: str | None = None, regex: bool = False) -> str:
        """Substitute every placeholder; in a regular expression the values are matched literally."""
        def one(m: re.Match) -> str:
            value = str(self.lookup(m.group(1), scope))
            return re.escape(value) if regex else value

        return _PLACEHOLDER.sub(one, text)

    def render_data(self, data: Any, *, scope: str | None = None) -> Any:
        """Placeholders in every string of a JSON-like value; a lone placeholder keeps its type."""
        if isinstance(data, str):
            m = _PLACEHOLDER.fullmatch(data)
            return self.lookup(m.group(1), scope) if m else self.render(data, scope=scope)
        if isinstance(data, dict):
            return {k: self.render_data(v, scope=scope) for k, v in data.items()}
        if isinstance(data, list):
            return [self.render_data(v, scope=scope) for v in data]
        return data


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the age is reached on 1 March (as Dukcapil counts it)
        return date(day.year + years, 3, 1)
