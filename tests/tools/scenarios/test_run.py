"""`kelahiran scenario run` against the running test stack: report lines, JUnit XML, exit codes."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from tests.support import creds
from tests.support.pii import has_nik_like

pytestmark = pytest.mark.integration
CATALOGUE = Path(__file__).resolve().parents[3] / "scenarios"
# Quick ones without `issued` counts: other tests' bundles may still be issuing on the shared stack.
SMALL = ["mother_only_akta_without_marriage_record", "name_sent_after_discharge",
         "dukcapil_forced_rejection_then_retry"]
FAILING = """\
name: failing_on_purpose
description: a normal birth expected to get a late (LT) akta, which it cannot
timeout: 20s
families:
  fam: {traits: {kab_kota: "3673", segmen: PBI, marital: KAWIN_TERCATAT}}
births:
  b1: {family: fam, birth_date: -1d}
steps:
  - wait: b1
expect:
  b1:
    status: completed
    children:
      1: {akta: {document_number: "^3673-LT-"}}
"""


def _stack_args(stack) -> list[str]:
    return ["--api", stack.api_url, "--dukcapil", stack.dukcapil_url, "--bpjs", stack.bpjs_url,
            "--temporal", stack.settings.temporal_address]


async def _session_fresh(stack, paths: list[Path], folder: Path) -> list[str]:
    """Copies of these catalogue scenarios whose families are named (`kk:`) instead of drawn by traits:
    families no other test of this session drew. The runner's own draw is deterministic and knows
    nothing of the session's other tests, whose births of the same mother (some held, so never
    registered at Dukcapil) would make the scenario's birth a suspected duplicate."""
    files = []
    for source in paths:
        scenario = yaml.safe_load(source.read_text())
        for alias, spec in scenario["families"].items():
            if "traits" in spec:
                fam = await stack.family(**spec["traits"])
                scenario["families"][alias] = {"kk": fam["no_kk"], **(
                    {"buku_nikah": fam["no_buku_nikah"]} if fam.get("no_buku_nikah") else {})}
        path = folder / "fresh" / source.name
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True))
        files.append(str(path))
    return files


async def _invoke(args: list[str], stack=None):
    # The command runs its own event loop: keep it off the test's loop. Admin steps need the
    # stack's payload keys, as `kelahiran admin` does.
    # The runner registers the scenarios' hospitals through the stack's admin API.
    env = {"KELAHIRAN_PAYLOAD_KEYS": stack.settings.payload_keys,
           "KELAHIRAN_PAYLOAD_KEY_ID": stack.settings.payload_key_id or "",
           "KELAHIRAN_SCENARIO_ADMIN_USER": creds.ensure_operator(stack.settings, "admin"),
           "KELAHIRAN_SCENARIO_ADMIN_PASSWORD": creds.PASSWORD} if stack else None
    return await asyncio.to_thread(CliRunner().invoke, app, args, env=env)


async def test_catalogue_scenarios_on_a_running_stack_with_junit(stack, tmp_path):
    junit = tmp_path / "junit.xml"
    files = await _session_fresh(stack, [CATALOGUE / f"{name}.yaml" for name in SMALL], tmp_path)
    res = await _invoke(["scenario", "run", *files, *_stack_args(stack), "--junit", str(junit)], stack)
    assert res.exit_code == 0, res.output
    assert "== mother_only_akta_without_marriage_record" in res.output
    assert "✓ b1 child 1 akta.facts.orang_tua: expected = anak_seorang_ibu, seen anak_seorang_ibu" \
        in res.output
    assert "✓ retry b1 akta child 1: expected accepted, seen accepted" in res.output
    assert "3 scenarios: 3 passed, 0 failed, 0 errors" in res.output
    assert "✗" not in res.output
    root = ET.parse(junit).getroot()
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("0", "0", "0")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == set(SMALL)
    cases = [c.get("name") for c in suites["name_sent_after_discharge"].iter("testcase")]
    assert "step: provide_name b1 child 1: 'Nur Aini' 200" in cases
    assert "expect: b1 child 1 akta.document_number ~ ^3673-LU-" in cases
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values()) > 50
    # NIKs and KK numbers are masked in the report and the XML
    assert "KK 3673" in res.output and "******" in res.output
    assert not has_nik_like(res.output + junit.read_text())


async def test_a_failing_expectation_exits_1_with_a_cross_line(stack, tmp_path):
    path = tmp_path / "failing_on_purpose.yaml"
    path.write_text(FAILING)
    [fresh] = await _session_fresh(stack, [path], tmp_path)
    junit = tmp_path / "junit.xml"
    res = await _invoke(["scenario", "run", fresh, *_stack_args(stack), "--junit", str(junit)], stack)
    assert res.exit_code == 1, res.output
    line = next(ln for ln in res.output.splitlines() if "✗" in ln)
    assert "b1 child 1 akta.document_number: expected ~ ^3673-LT-, seen 3673-LU-" in line
    assert "-- b1 ended completed" in line
    assert "1 scenarios: 0 passed, 1 failed" in res.output
    [failure] = ET.parse(junit).getroot().iter("failure")
    assert failure.get("message").startswith("expected ~ ^3673-LT-, seen 3673-LU-")


async def test_time_jumps_are_refused_on_a_running_stack(stack, tmp_path):
    res = await _invoke(["scenario", "run", str(CATALOGUE / "bpjs_pbpu_paid_after_reminder_day_21.yaml"),
                         *_stack_args(stack)], stack)
    assert res.exit_code == 2
    assert "jump(s) in time, which only the runner's own time-skipping stack can do" in res.output
    [stillbirth] = await _session_fresh(stack, [CATALOGUE / "stillbirth_only_certificate.yaml"], tmp_path)
    res = await _invoke(["scenario", "run", str(CATALOGUE / "bpjs_pbpu_paid_after_reminder_day_21.yaml"),
                         stillbirth, "--skip-jumps", *_stack_args(stack)], stack)
    assert res.exit_code == 0, res.output
    assert "leaving out 1 scenario(s) that jump in time: bpjs_pbpu_paid_after_reminder_day_21" in res.output
    assert "1 scenarios: 1 passed" in res.output


async def test_explicit_families_by_kk_and_by_mother_and_a_delayed_post(stack, tmp_path):
    a = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    b = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    path = tmp_path / "explicit_families.yaml"
    path.write_text(f"""\
name: explicit_families
description: families named by KK number and by the mother's NIK
families:
  by_kk: {{kk: "{a['no_kk']}", buku_nikah: "{a['no_buku_nikah']}"}}
  by_mother: {{mother_nik: "{b['ibu']['nik']}"}}
births:
  b1: {{family: by_kk, birth_date: -2d}}
  b2: {{family: by_mother, when: 1s, proof: none}}
expect:
  b1:
    status: completed
    kk: {{document_number: "^${{by_kk.no_kk}}$", lists_children: true}}
    children: {{1: {{akta: {{facts: {{orang_tua: kedua_orang_tua}}}}}}}}
  b2:
    status: completed
    kk: {{document_number: "^${{by_mother.no_kk}}$"}}
""")
    res = await _invoke(["scenario", "run", str(path), *_stack_args(stack)], stack)
    assert res.exit_code == 0, res.output
    assert "1 scenarios: 1 passed" in res.output
