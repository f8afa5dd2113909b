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
The catalogue's own final pages are checked the same way (tests/support/bundle_page.py) by
tests/tools/scenarios/test_catalogue.py: every bundle of every scenario, in the read models its run keeps.

Screenshots go to test-artifacts/screenshots/words-*.png (git-ignored) as test artifacts.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from api.app import create_app
from domain.contracts import BundleState, FollowUpState
from infra.settings import Settings
from store import crud, submissions
from store.cipher import TEST_KEY_ID, spec_for_tests
from tests.api.console.conftest import screenshot_path
from tests.support import browser as browser_support
from tests.support import bundle_page, creds, final_states, page_words
from tests.support.readmodel import engine_for, write_state
from tests.support.servers import serve_app


def page_data(state: BundleState, follow_ups: list[FollowUpState], operator: str) -> set[str]:
    n = final_states.SENT.get(state.bundle_id)
    return bundle_page.page_data(state, follow_ups, operator, submissions.of_notification(n) if n else None)


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
    await browser_support.log_in(page, base, user)
    unexplained, missing = {}, {}
    for name, (state, follow_ups) in bundles.items():
        left, absent = await bundle_page.check(page, base, state, page_data(state, follow_ups, user))
        await page.screenshot(path=screenshot_path(f"words-{name}"), full_page=True)
        if left:
            unexplained[name] = left
        if absent:  # the page is the bundle's, said in words: its status, and every reason it stopped for
            missing[name] = absent
    await context.close()
    assert errors == []
    assert missing == {}
    assert unexplained == {}, "\n".join(f"{k}: {v}" for k, v in unexplained.items())
