"""Strict input types: numbers are numbers, dates are ISO 8601 text, one-line fields are one line.

pydantic's lax mode reads `"3000"` as 3000 and `0.5` (or `"0.5"`) as a date of 1970: a hospital
system that sends the wrong type should hear so, not have it guessed. `strict=True` on a whole model
would also refuse the ISO strings JSON carries dates in (FastAPI validates the parsed body, Python
objects, where strict dates must be `date` instances), so numbers and booleans are strict field by
field and dates take text only in ISO 8601 (or the `date`/`datetime` objects Python callers pass).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict, StringConstraints

StrictInt = Annotated[int, Strict()]
StrictFloat = Annotated[float, Strict()]  # an int (3000) is a float too; a string is not
StrictBool = Annotated[bool, Strict()]

_OFFSET = r"(Z|[+-]\d{2}:?\d{2})?"
_TIME = rf"\d{{2}}:\d{{2}}(:\d{{2}}(\.\d{{1,9}})?)?{_OFFSET}"
_DATE = r"\d{4}-\d{2}-\d{2}"
_ISO = {date: re.compile(rf"{_DATE}"), time: re.compile(_TIME),
        datetime: re.compile(rf"{_DATE}([T ]{_TIME})?")}
_EXAMPLE = {date: "2026-11-27", time: "08:30:00", datetime: "2026-11-27T08:30:00+07:00"}


def _iso(kind: type):
    def check(value: Any) -> Any:
        if isinstance(value, str):
            if not _ISO[kind].fullmatch(value.strip()):
                raise ValueError(f"must be ISO 8601, e.g. {_EXAMPLE[kind]}")
            return value.strip()
        if isinstance(value, bool | int | float):  # a Unix timestamp is not a date here
            raise ValueError(f"must be ISO 8601 text, e.g. {_EXAMPLE[kind]}")
        return value

    return BeforeValidator(check)


IsoDate = Annotated[date, _iso(date)]
IsoTime = Annotated[time, _iso(time)]
IsoDateTime = Annotated[datetime, _iso(datetime)]

# One line: the body-wide check (api/strict_input.py) lets tab and line breaks through for free
# text; a name or a reference is never free text.
SingleLine = StringConstraints(pattern=r"^[^\t\n\r\x0b\x0c]*$")
