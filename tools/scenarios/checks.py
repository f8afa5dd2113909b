"""Judging a bundle (as the API shows it) against its expected outcome: one `Check` per expectation.

Pure functions: the runner fetches the bundle, the KK and the counters, and polls these until they
hold or time runs out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.nik import NikError, parse_nik
from tools.scenarios.context import Context, PlaceholderError
from tools.scenarios.expect import (
    BundleExpect,
    FactMatch,
    FollowUpExpect,
    IssuedExpect,
    KkExpect,
    NikExpect,
    ServiceExpect,
    SubmittedExpect,
)


@dataclass(frozen=True)
class Check:
    label: str
    expected: str
    seen: str
    ok: bool


class _Judge:
    def __init__(self, ctx: Context, birth: str, bundle: dict, kk: dict | None) -> None:
        self.ctx, self.birth, self.bundle, self.kk = ctx, birth, bundle, kk
        self.out: list[Check] = []

    def add(self, label: str, expected: str, seen: Any, ok: bool) -> None:
        self.out.append(Check(f"{self.birth} {label}", expected, _show(seen), ok))

    def equal(self, label: str, want: Any, seen: Any) -> None:
        self.add(label, "absent" if want is None else f"= {_show(want)}", seen, want == seen)

    def one_of(self, label: str, want: Any, seen: Any) -> None:
        if isinstance(want, list):
            self.add(label, "one of " + ", ".join(map(str, want)), seen, seen in want)
        else:
            self.equal(label, want, seen)

    def pattern(self, label: str, pattern: str | None, seen: str | None) -> None:
        if pattern is None:
            self.equal(label, None, seen)
            return
        try:
            rendered = self.ctx.render(pattern, scope=self.birth, regex=True)
        except PlaceholderError as exc:
            self.add(label, f"~ {pattern}", str(exc), False)
            return
        shown = self.ctx.render(pattern, scope=self.birth)
        self.add(label, f"~ {shown}", seen, seen is not None and re.search(rendered, str(seen)) is not None)

    def text(self, want: str) -> str:
        return self.ctx.render(want, scope=self.birth)


def bundle_checks(exp: BundleExpect, bundle: dict, *, ctx: Context, birth: str,
                  kk: dict | None = None) -> list[Check]:
    """Every expectation `exp` writes, judged against `bundle` (and Dukcapil's KK when it asks)."""
    j = _Judge(ctx, birth, bundle, kk)
    given = exp.model_fields_set
    if "status" in given:
        j.one_of("status", _values(exp.status), bundle["status"])
    if "office_code" in given:
        j.equal("office_code", exp.office_code, bundle.get("office_code"))
    if "deadline_risk" in given:
        j.equal("deadline_risk", exp.deadline_risk, bundle.get("deadline_risk"))
    if "closed_reason" in given:
        j.pattern("closed_reason", exp.closed_reason, bundle.get("closed_reason"))
    kinds = [e["kind"] for e in bundle.get("timeline", [])]
    for kind in exp.timeline:
        j.add(f"timeline has {kind}", "present", f"{kinds.count(kind)}x", kind in kinds)
    for kind in exp.timeline_without:
        j.add(f"timeline without {kind}", "absent", f"{kinds.count(kind)}x", kind not in kinds)
    if exp.routing is not None:
        _service(j, "routing", exp.routing, bundle.get("routing") or {})
    if exp.kk is not None:
        _service(j, "kk", exp.kk, bundle.get("kk") or {})
    for order, cexp in sorted(exp.children.items()):
        child = next((c for c in bundle["children"] if c["birth_order"] == order), None)
        if child is None:
            j.add(f"child {order}", "present", "no such child", False)
            continue
        if cexp.name_provided is not None:
            j.equal(f"child {order} name_provided", cexp.name_provided, child.get("name_provided"))
        for name in ("nik", "akta", "kia", "bpjs", "surat_lahir_mati"):
            sexp = getattr(cexp, name)
            if sexp is not None:
                _service(j, f"child {order} {name}", sexp, child["services"].get(name), child=child)
    if exp.nik_serials_consecutive is not None:
        _serials(j, exp.nik_serials_consecutive)
    for kind, fexp in exp.follow_ups.items():
        _follow_up(j, kind, fexp)
    if exp.submitted is not None:
        _submitted(j, exp.submitted)
    return j.out


def _submitted(j: _Judge, exp: SubmittedExpect) -> None:
    sub = j.bundle.get("submitted") or {}
    seen = {"mother_nik": (sub.get("mother") or {}).get("nik"),
            "father_nik": (sub.get("father") or {}).get("nik"),
            "kk_number": sub.get("kk_number"), "reporter_phone": sub.get("reporter_phone")}
    for name in sorted(exp.model_fields_set):
        j.pattern(f"submitted {name}", getattr(exp, name), seen[name])


def _follow_up(j: _Judge, kind: str, exp: FollowUpExpect) -> None:
    found = sorted((f for f in j.bundle.get("follow_up_status", []) if f["kind"] == kind),
                   key=lambda f: f.get("started_at") or "")
    if not found:
        j.add(f"follow-up {kind}", "present", "none linked", False)
        return
    fu = found[-1]  # the latest
    if exp.count is not None:
        j.equal(f"follow-up {kind} count", exp.count, len(found))
    if exp.status is not None:
        j.equal(f"follow-up {kind}.status", exp.status, fu["status"])
    if exp.reason is not None:
        j.equal(f"follow-up {kind}.reason", exp.reason, fu.get("reason"))
    if exp.akta_in_force is not None:
        _akta_in_force(j, fu, exp.akta_in_force)
    for key, want in exp.documents.items():
        j.pattern(f"follow-up {kind}.{key}", want, fu["documents"].get(key))
    if exp.superseded_akta is not None:
        old, new = fu["documents"].get("akta_lama"), fu["documents"].get("akta")
        j.add(f"follow-up {kind}.akta superseded", "old number recorded, new differs",
              f"{old} -> {new}", (bool(old) and old != new) == exp.superseded_akta)


def _akta_in_force(j: _Judge, fu: dict, want: bool) -> None:
    new = fu["documents"].get("akta")
    child = next((c for c in j.bundle.get("children", []) if c["birth_order"] == fu["birth_order"]), {})
    shown = child.get("services", {}).get("akta", {}).get("document_number")
    aktas = [d for d in j.bundle.get("documents", [])
             if d["kind"] == "akta_kelahiran" and d["birth_order"] == fu["birth_order"]]
    in_force = [d["number"] for d in aktas if d["superseded_by"] is None]
    ok = bool(new) and shown == new and in_force == [new] and len(aktas) >= 2
    j.add(f"follow-up {fu['kind']}.akta in force", "the bundle shows the new akta, earlier ones superseded",
          f"shown {shown}, in force {in_force}, {len(aktas)} issued", ok == want)


def _service(j: _Judge, where: str, exp: ServiceExpect, st: dict | None, *,
             child: dict | None = None) -> None:
    if st is None:
        j.add(where, "present", "no such service", False)
        return
    given = exp.model_fields_set
    if "status" in given:
        j.one_of(f"{where}.status", _values(exp.status), st.get("status"))
    if "reason" in given:
        j.equal(f"{where}.reason", exp.reason, st.get("reason"))
    if "document_number" in given:
        j.pattern(f"{where}.document_number", exp.document_number, st.get("document_number"))
    facts = st.get("facts") or {}
    for key, want in exp.facts.items():
        seen = facts.get(key)
        if isinstance(want, FactMatch):
            j.pattern(f"{where}.facts.{key}", want.match, seen)
        elif want is None:
            j.equal(f"{where}.facts.{key}", None, seen)
        else:
            try:
                j.equal(f"{where}.facts.{key}", j.text(want), seen)
            except PlaceholderError as exc:
                j.add(f"{where}.facts.{key}", f"= {want}", str(exc), False)
    if "deadline_state" in given:
        j.equal(f"{where}.deadline_state", exp.deadline_state, st.get("deadline_state"))
    if exp.deadline_days is not None:
        born = date.fromisoformat(j.bundle["birth_date"])
        due = (born + timedelta(days=exp.deadline_days)).isoformat()
        j.add(f"{where}.deadline", f"= {due} (birth + {exp.deadline_days}d)", st.get("deadline"),
              st.get("deadline") == due)
    if exp.min_attempts is not None:
        j.add(f"{where}.attempts", f">= {exp.min_attempts}", st.get("attempts"),
              (st.get("attempts") or 0) >= exp.min_attempts)
    if isinstance(exp, NikExpect) and exp.encodes_child is not None and child is not None:
        _encodes(j, where, exp.encodes_child, st.get("document_number"), child)
    if isinstance(exp, KkExpect):
        _kk(j, exp)


def _encodes(j: _Judge, where: str, want: bool, nik: str | None, child: dict) -> None:
    born = j.bundle["birth_date"]
    expected = f"encodes {born}, {child['sex']}"
    try:
        parsed = parse_nik(nik or "")
        seen, ok = f"encodes {parsed.birth_date.isoformat()}, {parsed.sex}", (
            parsed.birth_date.isoformat() == born and parsed.sex == child["sex"])
    except NikError as exc:
        seen, ok = f"not a NIK ({exc})", False
    j.add(f"{where}.encodes_child", expected if want else f"not: {expected}", seen, ok == want)


def _kk(j: _Judge, exp: KkExpect) -> None:
    if j.kk is None:
        return
    if exp.reissued is not None:
        j.equal("kk.reissued", exp.reissued, j.kk.get("jumlah_terbit_ulang"))
    if exp.lists_children is not None:
        members = {m["nik"]: m for m in j.kk.get("anggota", [])}
        live = [c for c in j.bundle["children"] if c["outcome"] == "live"]
        listed = 0
        for c in live:
            s = c["services"]
            m = members.get(s.get("nik", {}).get("document_number") or "")
            akta = s.get("akta", {}).get("document_number")
            if m and m.get("kode_hubungan") == 4 and m.get("no_akta") == akta:  # 4: ANAK
                listed += 1
        want = len(live) if exp.lists_children else 0
        j.add("kk.lists_children", f"{want}/{len(live)} children listed as ANAK with their akta",
              f"{listed}/{len(live)}", listed == want)


def _serials(j: _Judge, want: bool) -> None:
    niks = [c["services"]["nik"].get("document_number") or "" for c in
            sorted(j.bundle["children"], key=lambda c: c["birth_order"]) if c["outcome"] == "live"]
    ok = all(len(n) == 16 for n in niks) and len({n[:12] for n in niks}) == 1 and all(
        int(b[12:]) == int(a[12:]) + 1 for a, b in zip(niks, niks[1:], strict=False))
    seen = ", ".join(n[-4:] or "-" for n in niks)
    j.add("nik serials", "consecutive, same prefix" if want else "not consecutive", f"serials {seen}",
          ok == want)


def issued_checks(exp: IssuedExpect, before: dict[str, dict], after: dict[str, dict]) -> list[Check]:
    """Documents issued during the scenario, as the simulators count them."""
    out = []
    for system, key, want in exp.items():
        delta = (after[system].get(key) or 0) - (before[system].get(key) or 0)
        out.append(Check(f"issued {system}.{key}", f"+{want}", f"+{delta}", delta == want))
    return out


def _values(status: Any) -> Any:
    if isinstance(status, list):
        return [s.value for s in status]
    return getattr(status, "value", status)


def _show(value: Any) -> str:
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
