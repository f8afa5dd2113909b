"""Reading scenario files: YAML -> `Scenario`, every problem named by file, line and field path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from tools.scenarios.schema import Scenario

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str
    line: int | None = None
    where: str = ""  # the field path as written in the file: steps[2].wait.until.status

    def __str__(self) -> str:
        line = f"line {self.line}: " if self.line else ""
        return f"{line}{self.where or format_loc(self.loc) or '(file)'}: {self.message}"


class ScenarioFileError(Exception):
    """A scenario file that cannot run; `str()` lists every problem with its path."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path, self.problems = path, problems
        lines = "\n".join(f"  {p}" for p in problems)
        n = len(problems)
        super().__init__(f"{path}: {n} problem{'s' if n != 1 else ''}\n{lines}")


@dataclass(frozen=True)
class LoadedScenario:
    path: Path
    scenario: Scenario


_SCALAR_TAGS = {"str", "int", "float", "bool", "none", "FactMatch"}


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part in _SCALAR_TAGS)


def format_loc(loc: Loc, sequences: frozenset[int] = frozenset()) -> str:
    """`steps[2].wait.until.status`; `sequences`: positions that index a list."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, str) and i + 1 < len(loc) and loc[i + 1] == part:
            continue  # a step's tag followed by its own action field: `steps[2].jump`
        if isinstance(part, int) and (i in sequences or not sequences):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load(path: Path) -> LoadedScenario:
    """Parse and validate one file; ScenarioFileError says what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioFileError(path, [Problem((), f"cannot read: {exc.strerror or exc}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        msg = f"{getattr(exc, 'problem', None) or exc}"
        raise ScenarioFileError(path, [Problem((), f"not valid YAML: {msg}",
                                               mark.line + 1 if mark else None)]) from None
    if not isinstance(data, dict):
        raise ScenarioFileError(path, [Problem((), "a scenario is a YAML mapping (name:, births:, ...)")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems, seen = [], set()
        for e in exc.errors():
            loc = tuple(p for p in e["loc"] if not _is_union_tag(p))
            if loc not in seen:  # a union reports each alternative: its first message is enough
                seen.add(loc)
                problems.append(_problem(node, loc, _message(e)))
        raise ScenarioFileError(path, problems) from None
    problems = [_problem(node, loc, msg) for loc, msg in scenario.reference_problems()]
    if problems:
        raise ScenarioFileError(path, problems)
    return LoadedScenario(path=path, scenario=scenario)


def load_all(paths: list[Path]) -> tuple[list[LoadedScenario], list[ScenarioFileError]]:
    """Every file that loads, and the errors of those that do not; names must be unique."""
    loaded, errors = [], []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            item = load(path)
        except ScenarioFileError as exc:
            errors.append(exc)
            continue
        first = seen.setdefault(item.scenario.name, path)
        if first != path:
            errors.append(ScenarioFileError(path, [Problem(("name",), f"also the name of {first}")]))
            continue
        loaded.append(item)
    return loaded, errors


def _message(error: dict) -> str:
    msg = error["msg"]
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling and where it is indented)"
    if error["type"] == "missing":
        return "required field missing"
    given = error.get("input")
    if given is not None and not isinstance(given, dict | list) and repr(given) not in msg \
            and error["type"] != "step_kind":
        msg += f" (got {given!r})"
    return msg.removeprefix("Value error, ")


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _problem(root: yaml.Node | None, loc: Loc, message: str) -> Problem:
    """A problem located in the file: the line its path points at, as far as the file has it."""
    if root is None:
        return Problem(loc, message)
    node, sequences = root, set()
    for i, part in enumerate(loc):
        child = _child(node, part)
        if child is None:
            continue  # a tag pydantic adds, e.g. the step kind
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if nxt is not None and _child(child, nxt) is None and _child(node, nxt) is not None:
            continue  # `wait: b1` then `until:`: both keys of the same step
        if isinstance(node, yaml.SequenceNode):
            sequences.add(i)
        node = child
    where = format_loc(loc, frozenset(sequences) or frozenset({-1}))
    return Problem(loc, message, node.start_mark.line + 1, where)
