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


@pytest.mark.parametrize("code", ["KELAHIRAN_SUDAH_TERDAFTAR", "BUKTI_PERKAWINAN_TIDAK_SESUAI"])
def test_the_codes_the_console_names_outside_the_enum_are_covered(code):
    assert code in view.NO_RETRY and code not in {r.value for r in Reason} and code in REFUSALS


def test_a_known_code_is_said_in_words_not_as_the_fallback():
    id_, en = i18n.Translator("id"), i18n.Translator("en")
    assert id_("r_BUKAN_WILAYAH_KANTOR").startswith("KK keluarga berdomisili di kab/kota lain")
    assert en("fix_USIA_KANDUNGAN_KURANG").endswith("a supervisor closes the bundle with a reason.")
    assert "{code}" not in id_("r_SAKSI_TIDAK_SAH") and "Ditolak oleh layanan" not in id_("r_SAKSI_TIDAK_SAH")

