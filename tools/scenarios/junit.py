"""JUnit XML for CI: a test suite per scenario, a test case per expectation or step."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - writing XML, never parsing untrusted input
from pathlib import Path

from tools.scenarios.report import mask, render_line
from tools.scenarios.result import ScenarioResult


def to_xml(results: list[ScenarioResult], *, seconds: float, show_identifiers: bool = False) -> ET.Element:
    hide = (lambda s: s) if show_identifiers else mask
    root = ET.Element("testsuites", name="kelahiran scenarios", time=f"{seconds:.3f}")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=r.name, file=str(r.path), time=f"{r.seconds:.3f}")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="description", value=r.description.strip())
        for row in r.covers:
            ET.SubElement(props, "property", name="covers", value=row)
        counts = dict.fromkeys(totals, 0)
        for line in r.lines:
            if line.kind == "setup" and line.ok is not False:
                continue  # families drawn: context, not a test
            name = hide(f"{line.kind}: {line.label}" + (f" {line.expected}" if line.expected else ""))
            case = ET.SubElement(suite, "testcase", classname=f"scenarios.{r.name}", name=name,
                                 time="0")  # lines hold moments, not durations: see the text
            counts["tests"] += 1
            text = render_line(line, hide=hide).strip()
            if line.ok is None:
                ET.SubElement(case, "skipped", message=hide(line.detail))
                counts["skipped"] += 1
            elif line.ok is False and line.kind == "setup":
                ET.SubElement(case, "error", message=hide(line.detail)).text = text
                counts["errors"] += 1
            elif line.ok is False:
                said = f"expected {line.expected}, seen {line.seen}" if line.expected else line.seen
                message = hide(f"{said} ({line.detail})" if line.detail else said)
                ET.SubElement(case, "failure", message=message).text = text
                counts["failures"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def write(path: Path, results: list[ScenarioResult], *, seconds: float,
          show_identifiers: bool = False) -> None:
    tree = ET.ElementTree(to_xml(results, seconds=seconds, show_identifiers=show_identifiers))
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
