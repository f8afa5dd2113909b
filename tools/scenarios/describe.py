"""Short human descriptions of steps, families and HTTP answers, for report lines."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tools.scenarios.values import human


def step(s: Any) -> str:
    """The default report label of a step (a scenario's `label:` replaces it)."""
    if s.label:
        return s.label
    kind = s.kind
    if kind == "wait":
        return f"wait {s.wait} until " + ("it ends" if s.until is None else "the condition holds")
    if kind == "check":
        return "check " + ", ".join(s.check)
    if kind == "post":
        what = f"post {s.post}" + (" with changed " + ", ".join(s.change) if s.change else " again")
        return what + (f" x{s.times} at once" if s.times > 1 else "")
    if kind == "provide_name":
        return f"provide_name {s.provide_name} child {s.child}: {s.name!r}"
    if kind == "pay":
        return f"pay {s.pay} child {s.child}"
    if kind == "kadis_decision":
        return f"kadis_decision {s.kadis_decision} ({s.number})"
    if kind == "retry":
        return f"retry {s.retry} {s.service.value}" + (f" child {s.child}" if s.child else "")
    if kind == "close":
        return f"close {s.close}: {s.reason}"
    if kind == "decide_duplicate":
        what = "a duplicate" if s.duplicate else "not a duplicate"
        return f"decide_duplicate {s.decide_duplicate}: {what}"
    if kind == "retry_follow_up":
        return f"retry_follow_up {s.retry_follow_up} {s.follow_up} child {s.child}"
    if kind == "correct_kk":
        return f"correct_kk {s.correct_kk} to the KK of {s.kk_of}"
    if kind == "fault":
        return f"fault {s.fault}: {rule(s.rule)}"
    if kind == "reset_faults":
        return f"reset faults ({s.reset_faults})"
    if kind == "jump":
        return f"jump {human(s.jump)}"
    return f"sleep {human(s.sleep)}"


def rule(r: dict) -> str:
    rest = {k: v for k, v in r.items() if k != "endpoint"}
    text = f"{r.get('endpoint', '?')} {json.dumps(rest, separators=(',', ':'))}"
    return text if len(text) <= 90 else text[:87] + "..."


def fault_book(rules: list[dict]) -> str:
    """`none (rules with a count are removed once used up)` or `slow: 14 hits of 14 calls`."""
    if not rules:
        return "none (a rule with `remaining` is removed once used up)"
    return "; ".join(f"{r.get('id')}: {r.get('hits', 0)} hits of {r.get('seen', 0)} calls"
                     + (f", {r['remaining']} remaining" if r.get("remaining") else "") for r in rules)


def family(fam: dict) -> str:
    dom = fam.get("domisili") or {}
    where = "/".join(x for x in (dom.get("nama_kab_kota"), dom.get("nama_kecamatan")) if x) or dom.get(
        "kode_kecamatan", "?")
    parts = [f"KK {fam['no_kk']}", where, fam.get("status_perkawinan", "")]
    if fam.get("segmen_bpjs"):
        kelas = f" kelas {fam['kelas_bpjs']}" if fam.get("kelas_bpjs") else ""
        parts.append(f"BPJS {fam['segmen_bpjs']}{kelas}")
    if fam.get("jumlah_anak") is not None:
        parts.append(f"{fam['jumlah_anak']} children")
    if fam.get("nik_lama"):
        parts.append("legacy 3604 NIK")
    return ", ".join(p for p in parts if p)


def error_paths(r: httpx.Response) -> list[str]:
    """The field paths of a 422's errors (problem+json `errors[]`): `body.mother.nik`."""
    try:
        errors = r.json().get("errors")
    except (ValueError, AttributeError):
        return []
    if not isinstance(errors, list):
        return []
    return [str(e.get("field", "")) for e in errors if isinstance(e, dict)]


def answer(r: httpx.Response) -> str:
    """`202 bundle 1a2b3c4d`, `409: record_id was already reported...`, `422 at body.mother.nik: ...`"""
    try:
        data = r.json()
    except ValueError:
        data = None
    if r.status_code == 202 and isinstance(data, dict):
        duplicate = " (duplicate)" if data.get("duplicate") else ""
        return f"202 bundle {str(data.get('bundle_id'))[:8]}{duplicate}"
    detail = data.get("detail") if isinstance(data, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return f"{r.status_code} at {first.get('field', '')}: {first.get('message', '')}"
    if detail:
        return f"{r.status_code}: {str(detail)[:120]}"
    return str(r.status_code)
