"""Scenario files: every problem is named by file, line and field path; the catalogue is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tools.scenarios.loader import ScenarioFileError, load, load_all

CATALOGUE = Path(__file__).resolve().parents[3] / "scenarios"
MINIMAL = """\
name: minimal_one
description: the smallest valid scenario
families:
  fam: {traits: {kab_kota: "3673"}}
births:
  b1: {family: fam}
expect:
  b1: {status: completed}
"""


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioFileError) as info:
        load(path)
    assert str(path) in str(info.value)
    return [str(p) for p in info.value.problems]


def test_minimal_scenario_loads_with_defaults(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL)
    sc = load(path).scenario
    assert sc.births["b1"].birth_date == 0 and sc.births["b1"].children[0].sex == "female"
    assert sc.timeout.total_seconds() == 60 and not sc.jumps


def test_schema_errors_name_the_line_and_field_path(tmp_path):
    text = MINIMAL.replace("b1: {family: fam}", "b1:\n    family: fam\n    children:\n      - {sex: girl}") \
        + "steps:\n  - wait: b1\n    until: {status: done}\n  - dance: b1\n  - jump: 22x\n"
    problems = _problems(tmp_path, text)
    assert "line 9: births.b1.children[0].sex: Input should be 'female' or 'male' (got 'girl')" in problems
    assert any(p.startswith("line 14: steps[0].wait.until.status: Input should be 'in_progress'")
               for p in problems)
    assert any(p.startswith("line 15: steps[1]: a step is a mapping with exactly one action key")
               for p in problems)
    assert any(p.startswith("line 16: steps[2].jump: not a duration: '22x'") for p in problems)


def test_unknown_fields_and_bad_fault_rules_are_refused(tmp_path):
    text = MINIMAL.replace("  b1: {status: completed}", "  b1: {status: completed, colour: red}") \
        + "steps:\n  - fault: bpjs\n    rule: {endpoint: enrol_newborn, error_rate: 2}\n"
    problems = _problems(tmp_path, text)
    assert any("expect.b1.colour: unknown field" in p for p in problems)
    assert any("steps[0].fault.rule: not a valid fault rule: error_rate" in p for p in problems)


def test_references_must_point_somewhere(tmp_path):
    text = MINIMAL.replace("b1: {family: fam}", "b1: {family: famm}\n  b2: {family: fam, when: step}") \
        + "steps:\n  - pay: b9\n  - fault: bpjs\n" \
        + "    rule: {endpoint: x, reject: {kode: XY, nik: ['${fm.ibu.nik}']}}\n"
    problems = _problems(tmp_path, text)
    assert "line 6: births.b1.family: unknown family 'famm' (known: fam)" in problems
    assert any(p.endswith("steps[0].pay: unknown birth 'b9' (known: b1, b2)") for p in problems)
    assert any("births.b2.when: `when: step` but no post step sends this birth" in p for p in problems)
    assert any("expect.b2: every bundle needs its expected outcome" in p for p in problems)
    assert any("unknown placeholder ${fm...}" in p for p in problems)


def test_broken_yaml_names_its_line(tmp_path):
    problems = _problems(tmp_path, MINIMAL + "steps: [\n  - wait: b1\n")
    assert problems and problems[0].startswith("line ") and "not valid YAML" in problems[0]


def test_the_catalogue_is_valid_and_each_file_is_named_for_its_scenario():
    files = sorted(CATALOGUE.glob("*.yaml"))
    loaded, errors = load_all(files)
    assert not errors, "\n".join(map(str, errors))
    assert len(loaded) == len(files) >= 20
    for item in loaded:
        assert item.path.stem == item.scenario.name
        assert item.scenario.covers, f"{item.path.name} says which table row it covers"


def test_validate_command_exit_codes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("kab_kota", "kabkota"))
    runner = CliRunner()
    ok = runner.invoke(app, ["scenario", "validate", str(CATALOGUE)])
    assert ok.exit_code == 0, ok.output
    assert "ok " in ok.output and "jumps in time" in ok.output
    res = runner.invoke(app, ["scenario", "validate", str(bad)])
    assert res.exit_code == 1
    assert "families.fam.traits.kabkota: unknown field" in res.output


def test_the_documented_example_is_a_valid_scenario():
    import yaml

    from tools.scenarios.schema import Scenario

    text = (CATALOGUE.parent / "docs" / "testers.md").read_text()
    start = text.index("```yaml\nname: ") + len("```yaml\n")
    example = Scenario.model_validate(yaml.safe_load(text[start:text.index("```", start)]))
    assert example.jumps and not example.reference_problems()
