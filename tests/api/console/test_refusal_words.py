"""Every refusal code a service can end up waiting with has words: what it means (`r_`) and what the
operator does (`fix_`), in Bahasa Indonesia and English.

The codes are read from the sources, not listed by hand: whatever the simulated Dukcapil, BPJS and SMS
gateway raise (`Refusal("CODE"`, `not_found("CODE"`, `Refused(status, "CODE"`, `Galat(kode="CODE"`,
`{"kode": "CODE"}`), whatever our adapters and activities give a `BusinessRejection` or a workflow
writes as a `reason=`, every `Reason` member and the codes the console treats by name (view.NO_RETRY).
A new code in any of them fails here until the catalogue has its words.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from api.console import i18n, view
from domain.contracts import Reason

ROOT = Path(__file__).parents[3]
CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
# The simulators' constructors of a refusal, and which positional argument is its code.
RAISERS = {"Refusal": 0, "not_found": 0, "Refused": 1, "Galat": 0}
# Dukcapil's 401 (BearerRefused: TOKEN_DIPERLUKAN, TOKEN_TIDAK_SAH) is not among them: the adapter
# refreshes its token and then treats a 401 as transient (adapters/dukcapil/client.py), so those codes
# never become a service's reason.


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _codes_in(node: ast.AST, consts: dict[str, object]) -> set[str]:
    found = set()
    for n in ast.walk(node):
        v = n.value if isinstance(n, ast.Constant) else consts.get(n.id) if isinstance(n, ast.Name) else None
        if isinstance(v, str) and CODE.match(v):
            found.add(v)
    return found


def simulator_codes() -> set[str]:
    codes: set[str] = set()
    for path in sorted((ROOT / "simulators").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _name(node.func) in RAISERS:
                at = RAISERS[_name(node.func)]
                for arg in node.args[at:at + 1] + [k.value for k in node.keywords if k.arg == "kode"]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                        codes.add(arg.value)
            elif isinstance(node, ast.Dict):
                codes |= {v.value for k, v in zip(node.keys, node.values, strict=True)
                          if isinstance(k, ast.Constant) and k.value == "kode"
                          and isinstance(v, ast.Constant) and isinstance(v.value, str)}
    return codes


def our_codes() -> set[str]:
    """What adapters and activities reject with (literals and module constants, either branch of a
    conditional), and the literal reasons the workflows write."""
    codes: set[str] = set()
    for where in ("adapters", "activities", "workflows"):
        for path in sorted((ROOT / where).rglob("*.py")):
            tree = ast.parse(path.read_text())
            consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                      and isinstance(n.value, ast.Constant) for t in n.targets if isinstance(t, ast.Name)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _name(node.func) == "BusinessRejection" and node.args:
                    codes |= _codes_in(node.args[0], consts)
                if isinstance(node, ast.Call):
                    for k in node.keywords:
                        codes |= _codes_in(k.value, consts) if k.arg == "reason" else set()
                if isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "reason" for t in node.targets):
                    codes |= _codes_in(node.value, consts)
    return codes


def _both(key: str) -> bool:
    pair = i18n.CATALOGUE.get(key)
    return pair is not None and len(pair) == 2 and all(isinstance(w, str) and w.strip() for w in pair)


def test_the_sources_are_read():
    """The collectors find what is known to be there (else a refactor would silently empty them)."""
    sims, ours = simulator_codes(), our_codes()
    assert {"KELAHIRAN_SUDAH_TERDAFTAR", "BUKAN_WILAYAH_KANTOR", "NIK_ANAK_TIDAK_DITEMUKAN",  # Dukcapil
            "PESERTA_TIDAK_DITEMUKAN", "NIK_BAYI_TIDAK_SESUAI",  # BPJS
            "REFERENSI_SUDAH_DIPAKAI", "GANGGUAN_SIMULASI"} <= sims  # SMS gateway, any simulator's fault
    assert {"PERMINTAAN_TIDAK_VALID", "PERMINTAAN_DITOLAK", "DITOLAK_BPJS", "SMS_DITOLAK",
            "NOMOR_PELAPOR_TIDAK_ADA", "SMS_GATEWAY_TIDAK_TERSEDIA"} <= ours
    assert not {"TOKEN_TIDAK_SAH", "TOKEN_DIPERLUKAN"} & sims


REFUSALS = sorted(simulator_codes() | our_codes() | {r.value for r in Reason}
                  | {str(c) for c in view.NO_RETRY})


@pytest.mark.parametrize("code", REFUSALS)
def test_every_refusal_code_says_what_it_means_and_what_to_do(code):
    missing = [k for k in (f"r_{code}", f"fix_{code}") if not _both(k)]
    assert missing == [], f"{code}: no Indonesian and English words for {missing}"


@pytest.mark.parametrize("code", ["KELAHIRAN_SUDAH_TERDAFTAR"])
def test_the_codes_the_console_names_outside_the_enum_are_covered(code):
    assert code in view.NO_RETRY and code not in {r.value for r in Reason} and code in REFUSALS


def test_a_known_code_is_said_in_words_not_as_the_fallback():
    id_, en = i18n.Translator("id"), i18n.Translator("en")
    assert id_("r_BUKAN_WILAYAH_KANTOR").startswith("KK keluarga berdomisili di kab/kota lain")
    assert en("fix_USIA_KANDUNGAN_KURANG").endswith("a supervisor closes the bundle with a reason.")
    assert "{code}" not in id_("r_SAKSI_TIDAK_SAH") and "Ditolak oleh layanan" not in id_("r_SAKSI_TIDAK_SAH")



# The audit view says what was done and how it ended in words (the CSV export keeps the codes).
ACTION = re.compile(r"^[a-z_]+(?:\.[a-z_]+)+$")
AUDITORS = {"record", "_audit", "_log", "log"}  # audit.record and the modules' wrappers around it


def recorded_actions() -> set[str]:
    """Every action the sources write to the audit log: `action=` literals, the wrappers' positional
    literals (also when passed to run_in_threadpool), `*_ACTION` constants, and the two families built
    from a name (`cli.{update}` per update the CLI sends, `admin.hospital.{change}`)."""
    found: set[str] = set()
    for where in ("api", "cli", "store", "activities"):
        for path in sorted((ROOT / where).rglob("*.py")):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                parts: list[ast.expr] = []
                if isinstance(node, ast.Call):
                    parts += [k.value for k in node.keywords if k.arg == "action"]
                    names = {_name(node.func)} | {_name(a) for a in node.args}
                    if names & AUDITORS:
                        parts += node.args
                elif isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id.endswith("ACTION") for t in node.targets):
                    parts.append(node.value)
                found |= {n.value for p in parts for n in ast.walk(p) if isinstance(n, ast.Constant)
                          and isinstance(n.value, str) and ACTION.match(n.value)}
    cli = ast.parse((ROOT / "cli" / "admin.py").read_text())
    found |= {f"cli.{n.args[1].value}" for n in ast.walk(cli) if isinstance(n, ast.Call)
              and _name(n.func) == "_run_update" and isinstance(n.args[1], ast.Constant)}
    found |= {"admin.hospital.disable", "admin.hospital.enable"}
    return found


def test_the_actions_are_read():
    acts = recorded_actions()
    assert {"bundle.view", "submitted.reveal", "child.death", "follow_up.retry", "auth.lock",
            "admin.key.issue", "audit.export", "cli.close_bundle"} <= acts


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_audited_action_has_words(action):
    assert _both("aua_" + action.replace(".", "_")), action


@pytest.mark.parametrize("outcome", ["ok", "refused", "failed"])  # store/auth_models.py AuditEvent.outcome
def test_every_audit_outcome_has_words(outcome):
    assert _both(f"auo_{outcome}")


def test_the_audit_view_says_action_and_outcome_in_words_and_masks_the_details():
    from datetime import UTC, datetime

    from api.console.routes_audit import _detail_pairs
    from api.console.web import templates
    from store.auth_models import AuditEvent

    e = AuditEvent(id=7, at=datetime(2026, 12, 7, 7, 5, tzinfo=UTC), actor="op-1", actor_role="operator",
                   action="bundle.parents", outcome="refused",
                   details_json='{"mother_nik": "3673015505900001", "fields": ["mother"]}')
    page = templates.env.get_template("audit.html").render(
        t=i18n.Translator("id"), events=[{"e": e, "reason": "", "details": _detail_pairs(e)}], f={},
        bad=[], older=None, paged=False, lang="id", who=None, csrf="x", flash=None)
    row = page[page.index('<tr data-event="7"'):page.index("</tr>", page.index('<tr data-event="7"'))]
    assert "Data orang tua dikoreksi <small><code>bundle.parents</code></small>" in row
    assert '<td data-label="Hasil">ditolak</td>' in row
    assert "mother_nik: <code>************0001</code>" in row and "3673015505900001" not in row
