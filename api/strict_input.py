"""Strict request bodies, checked once before any handler runs (api/middleware.py).

Every body, JSON and forms alike, is refused when it holds a control character or a lone surrogate
anywhere in a string (keys included): a NUL in a name was stored and sent on to Dukcapil, and a
lone surrogate made the error handler fail while echoing it. Tab, line feed and carriage return are
the exception: free text (reasons, notes, a textarea's CRLF) may hold them; fields that are one line
(names, numbers, references) refuse them by their own rules (domain/strict.py). JSON also refuses
NaN/Infinity (not JSON at all, though Python reads them) and duplicate keys (which one wins differs
between parsers: the hospital's and ours might read different records).

Answers are field-level: 422 with `errors[]` naming the place (`body.mother.name`) and the rule,
never the value; a body that is not UTF-8 is a 400.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

# C0 controls but tab, LF and CR; DEL; the C1 controls; the surrogate code points (only a lone one
# can be in a str decoded from JSON escapes: UTF-8 itself cannot carry them).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CODES = {"control": ("control_character", "control characters are not allowed (tab and line breaks "
                                           "only in free text)"),
          "surrogate": ("lone_surrogate", "a lone UTF-16 surrogate is not a character"),
          "non_finite": ("non_finite_number", "NaN and Infinity are not JSON numbers"),
          "duplicate": ("duplicate_key", "this key appears more than once in its object")}


class Malformed(ValueError):
    """Answered 400: not UTF-8, or nested deeper than any record of ours could be."""



class _Object(dict):
    """A JSON object that remembers keys it saw twice (the last value is kept, as json does)."""

    duplicates: tuple[str, ...] = ()


class _NonFinite:
    """Where NaN/Infinity stood: found by the walk, so the error can name its field."""


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return obj


def _constant(_name: str) -> _NonFinite:
    return _NonFinite()


def _error(kind: str, loc: list[str | int]) -> dict:
    code, message = _CODES[kind]
    # A key is named, but a key that is itself the fault is not repeated (it may not even encode).
    loc = [p if isinstance(p, int) or not _FORBIDDEN.search(p) else "(invalid key)" for p in loc]
    return {"field": ".".join(str(p) for p in loc), "loc": loc, "code": code, "message": message}


def _text(value: str, loc: list[str | int], errors: list[dict]) -> None:
    found = _FORBIDDEN.search(value)
    if found:
        errors.append(_error("surrogate" if "\ud800" <= found.group() <= "\udfff" else "control", loc))


def _walk(value: Any, loc: list[str | int], errors: list[dict]) -> None:
    if isinstance(value, str):
        _text(value, loc, errors)
    elif isinstance(value, _NonFinite):
        errors.append(_error("non_finite", loc))
    elif isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            errors.append(_error("duplicate", [*loc, key]))
        for key, item in value.items():
            _text(key, [*loc, key], errors)
            _walk(item, [*loc, key], errors)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, [*loc, i], errors)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not valid UTF-8") from None


def json_errors(body: bytes) -> list[dict]:
    """Field errors of a JSON body; [] when it is fine or not JSON at all (FastAPI says so itself)."""
    text = _decode(body)
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError:
        return []
    except RecursionError:
        raise Malformed("the body is nested too deeply") from None
    errors: list[dict] = []
    try:
        _walk(doc, ["body"], errors)
    except RecursionError:
        raise Malformed("the body is nested too deeply") from None
    return errors


def form_errors(body: bytes) -> list[dict]:
    """Field errors of an application/x-www-form-urlencoded body (percent-escapes decoded first)."""
    try:
        fields = parse_qsl(_decode(body), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Malformed("a form field is not valid UTF-8") from None
    errors: list[dict] = []
    for name, value in fields:
        _text(name, ["body", name], errors)
        _text(value, ["body", name], errors)
    return errors


def raw_errors(body: bytes) -> list[dict]:
    """Other bodies (multipart: no route takes files): UTF-8 text without control characters."""
    errors: list[dict] = []
    _text(_decode(body), ["body"], errors)
    return errors
