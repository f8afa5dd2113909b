"""Fault rules in scenarios: checked early against the simulators' own rule format, sent as written.

The rule format belongs to the simulators (`simulators/common/fault_rules.py`): a scenario passes
each rule through untouched (after `${...}` substitution), so every rule they accept works here.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
# Placeholders usually stand for NIKs or KK numbers; a 16-digit stand-in passes the format check.
_STAND_IN = "3673010101010001"


def _stand_ins(value: Any) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(_STAND_IN, value) if _PLACEHOLDER.fullmatch(value) is None else _STAND_IN
    if isinstance(value, dict):
        return {k: _stand_ins(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stand_ins(v) for v in value]
    return value


def check_rule(rule: dict[str, Any]) -> None:
    """Raise ValueError when the simulators would refuse this rule (endpoint names are theirs to check)."""
    try:
        from simulators.common.fault_rules import Fault
    except ImportError:  # a runner without the simulators' code: the admin API will judge the rule
        return
    try:
        Fault.model_validate(_stand_ins(rule))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'rule'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"not a valid fault rule: {problems}") from None
