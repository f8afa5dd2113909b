"""Every visible text on the bundle page, rendered in Indonesian by a real Chromium, comes from the
console's catalogue or from the bundle's own data: an English note, a raw fact key, an ISO date or a
code without words fails the test, whichever it is (not a list of known English phrases).

The allowlist (tests/support/page_words.py) is built from the catalogue itself, each Indonesian
template a pattern with its {params} as wildcards, plus the page's data (names, numbers, masked NIKs,
references as typed), Indonesian dates, Rupiah amounts and the region names. The bundles are written
straight into a read model and rendered by the app (tests/support/final_states.py): the final states
of the committed workflow histories (notes before codes) and one state per kind of ending the scenario
catalogue expects, written as the workflows write them today (the states are written explicitly, not
derived from scenarios/*.yaml): Kadis decision pending and decided, SPTJM pending and accepted, a
duplicate held, DOMISILI_LUAR held and forwarded, twins, a death and a correction follow-up, a
stillbirth, a refusal corrected, a name awaited with reminders, BPJS ended, closed with issues.

Screenshots go to test-artifacts/screenshots/words-*.png (git-ignored) as test artifacts.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from api import submitted
from api.app import create_app
from api.console.i18n import Translator
from domain.bundle_state import all_services
from domain.contracts import BundleState, FollowUpState
from infra.settings import Settings
from store import crud, submissions
from store.cipher import TEST_KEY_ID, spec_for_tests
from tests.api.console.conftest import screenshot_path
from tests.support import creds, final_states, page_words
from tests.support.readmodel import engine_for, write_state
from tests.support.servers import serve_app

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


def page_data(state: BundleState, follow_ups: list[FollowUpState], operator: str) -> set[str]:
    values = _data(state.model_dump(mode="json")) | {operator, "Test supervisor"}
    for f in follow_ups:
        values |= _data(f.model_dump(mode="json"))
    if (n := final_states.SENT.get(state.bundle_id)) is not None:
        values |= {n.mother.name, submitted.mask(n.mother.nik), submitted.mask(n.kk_number), n.reporter_phone}
        values |= {submitted.mask(n.father.nik), n.father.name} if n.father else set()
        values |= {c.name for c in n.children if c.name}
    return values


def test_an_english_sentence_or_a_raw_code_on_the_page_is_reported():
    lines = ["Ditolak oleh Dukcapil (NIK_IBU_TIDAK_DITEMUKAN).", "Tagihan", "Rp210.000",
             "Percobaan: 2 · Diperbarui 7 Desember 2026, 14.05 WIB", "Rina Marlina"]
    assert page_words.unexplained(lines, {"Rina Marlina"}) == []
    injected = [*lines, "Waiting for the family's first payment.", "tanggal_terbit", "2026-12-07",
                "MENUNGGU_PEMBAYARAN", "Rina Marlina sent 3 children"]
    assert page_words.unexplained(injected, {"Rina Marlina"}) == [
        "Waiting for the family's first payment.", "tanggal_terbit", "2026-12-07", "MENUNGGU_PEMBAYARAN",
        "▯ sent 3 children"]


@pytest.fixture
def console_url(tmp_path):
    """The app over HTTP on a migrated SQLite read model, Temporal unreachable (the page reads the model)."""
    url = f"sqlite:///{tmp_path}/words.db"
    settings = Settings(environment="test", database_url=url, readmodel_keys=spec_for_tests(),
                        readmodel_key_id=TEST_KEY_ID, temporal_address="127.0.0.1:9", temporal_ui_url=None,
                        metrics_port=0)
    with engine_for(url, migrate=True) as engine, serve_app(create_app(settings)) as base:
        yield base, settings, engine


def _store(engine, settings: Settings, state: BundleState, follow_ups: list[FollowUpState]) -> None:
    cipher = settings.readmodel_cipher()
    with Session(engine) as s:
        assert write_state(s, state, cipher)
        if (n := final_states.SENT.get(state.bundle_id)) is not None:
            row = submissions.prepare(cipher=cipher, bundle_id=state.bundle_id,
                                      submitted=submissions.of_notification(n))
            submissions.keep(session=s, row=row)
            s.commit()
        for f in follow_ups:
            assert crud.apply_follow_up(session=s, state=f, cipher=cipher)


async def test_every_final_bundle_page_says_only_catalogue_words_and_data(browser, console_url):
    base, settings, engine = console_url
    bundles = {k: (st, []) for k, st in (await final_states.recorded()).items()} | final_states.written()
    for state, follow_ups in bundles.values():
        _store(engine, settings, state, follow_ups)
    user = creds.ensure_operator(settings, "supervisor", None, "words-supervisor")
    context = await browser.new_context(base_url=base, locale="id-ID",
                                        viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto("/console/login")
    await page.fill("#username", user)
    await page.fill("#password", creds.PASSWORD)
    await page.click("form[action='/console/login'] button[type=submit]")
    await page.wait_for_url("**/console/worklist")
    unexplained, missing = {}, {}
    for name, (state, follow_ups) in bundles.items():
        await page.goto(f"/console/bundles/{state.bundle_id}")
        await page.locator("main ol.timeline li").first.wait_for()
        await page.screenshot(path=screenshot_path(f"words-{name}"), full_page=True)
        lines = (await page.evaluate(TEXT)).splitlines()
        if left := page_words.unexplained(lines, page_data(state, follow_ups, user)):
            unexplained[name] = left
        # the page is the bundle's, said in words: its status, and every reason it stopped for
        stuck = [st.reason for _, _, st in all_services(state)
                 if st.reason and st.status == "needs_attention"]
        expected = [ID(f"st_{state.status.value}"), *(ID(f"r_{r}") for r in stuck)]
        if absent := [w for w in expected if w not in "\n".join(lines)]:
            missing[name] = absent
    await context.close()
    assert errors == []
    assert missing == {}
    assert unexplained == {}, "\n".join(f"{k}: {v}" for k, v in unexplained.items())
