"""A bundle page in the console, checked word by word: which data it may show (the state's own
values, the follow-ups', the fields as the hospital sent them) and what it says that neither the
catalogue nor those data explain (tests/support/page_words.py), or which of its own words it lacks."""

from __future__ import annotations

import re

from api import submitted
from api.console.i18n import Translator
from domain.bundle_state import all_services
from domain.contracts import BundleState, FollowUpState
from store.submissions import Submitted
from tests.support import page_words

ISO_DATE = re.compile(r"\b\d{4}-\d\d-\d\d(?:T[\d:.]+)?")
# Codes and English kept beside the notes for the JSON API, and fields that are codes, not data.
NOT_DATA = frozenset({"detail", "message", "note", "kind", "status", "reason", "content_hash", "service",
                      "deadline_state", "outcome", "sex", "consent", "step", "bpjs_status"})
CODED_PARAMS = frozenset({"system", "code", "fields", "reminder", "date"})  # said in words by notes.py
CODE = re.compile(r"^[A-Z][A-Z0-9_]*$|^\w+_\w+$")  # PBPU, MENUNGGU_PEMBAYARAN, kedua_orang_tua
OLD_ACTOR = re.compile(r"^by ([^:]+)")  # an event stored before notes had codes names its actor so
TEXT = "() => document.body.innerText"
ID = Translator("id")


def _data(node: object, key: str = "", out: set[str] | None = None) -> set[str]:
    """The state's own values: ids, numbers, names and what a person typed; never a coded value (a
    fact's code, a note's code or an ISO date: those are said in words)."""
    out = set() if out is None else out
    if isinstance(node, dict):
        if key == "facts":
            out |= {v for k, v in node.items() if not CODE.match(v) and not ID.has(f"fv_{k}_{v}")
                    and not ISO_DATE.fullmatch(v)}
            return out
        if key == "params":
            return _data({k: v for k, v in node.items() if k not in CODED_PARAMS}, "param", out)
        if node.get("message") and not node.get("note") and (actor := OLD_ACTOR.match(node["message"])):
            out.add(actor[1])
        for k, v in node.items():
            if k not in NOT_DATA or key == "param":
                _data(v, k, out)
    elif isinstance(node, list):
        for v in node:
            _data(v, key, out)
    elif isinstance(node, str | int) and not isinstance(node, bool):
        text = str(node)
        if not ISO_DATE.fullmatch(text):
            out.add(text)
    return out


def page_data(state: BundleState, follow_ups: list[FollowUpState], operator: str,
              sent: Submitted | None = None) -> set[str]:
    """What the page may show as data: the state's and follow-ups' values, the logged-in operator,
    and the family's fields as sent (NIKs and the KK number masked, as the page shows them)."""
    values = _data(state.model_dump(mode="json")) | {operator, "Test supervisor"}
    for f in follow_ups:
        values |= _data(f.model_dump(mode="json"))
    if sent is not None:
        values |= {sent.mother.name, submitted.mask(sent.mother.nik), submitted.mask(sent.kk_number),
                   sent.reporter_phone}
        values |= {submitted.mask(sent.father.nik), sent.father.name} if sent.father else set()
        values |= {c.name for c in sent.children if c.name}
    return values


async def check(page, base: str, state: BundleState, data: set[str]) -> tuple[list[str], list[str]]:
    """Open the bundle's page at `base` on `page` (logged in there): what its visible lines say that the
    catalogue and `data` do not explain, and which of its own words (its status, every reason a
    service stopped for) it lacks."""
    await page.goto(f"{base}/console/bundles/{state.bundle_id}")
    await page.locator("main ol.timeline li").first.wait_for()
    lines = (await page.evaluate(TEXT)).splitlines()
    stuck = [st.reason for _, _, st in all_services(state) if st.reason and st.status == "needs_attention"]
    expected = [ID(f"st_{state.status.value}"), *(ID(f"r_{r}") for r in stuck)]
    text = "\n".join(lines)
    return page_words.unexplained(lines, data), [w for w in expected if w not in text]
