"""The whole catalogue as CI runs it: `kelahiran scenario run scenarios/*.yaml` on the runner's stacks,
once per module; then every bundle's final page in the stacks' kept read models, in Chromium."""

from __future__ import annotations

import asyncio
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from click.testing import Result
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.app import create_app
from cli import app
from domain.contracts import BundleState
from infra.settings import Settings
from store import crud, submissions
from store.cipher import TEST_KEY_ID, spec_for_tests
from store.models import Bundle
from tests.support import bundle_page, creds
from tests.support.browser import log_in
from tests.support.readmodel import engine_for, read_state
from tests.support.servers import serve_app

pytestmark = pytest.mark.integration
CATALOGUE = Path(__file__).resolve().parents[3] / "scenarios"
FILES = sorted(CATALOGUE.glob("*.yaml"))


@dataclass
class Run:
    folder: Path  # the stacks' data folders, kept after the run
    result: Result
    junit: Path
    took: float


@pytest_asyncio.fixture(scope="module")
async def catalogue(tmp_path_factory) -> Run:
    """The catalogue, run once for this module's tests (its timeout is the first test's)."""
    tmp = tmp_path_factory.mktemp("catalogue")
    junit = tmp / "catalogue.xml"
    started = time.monotonic()
    res = await asyncio.to_thread(CliRunner().invoke, app, ["scenario", "run", *map(str, FILES), "--junit",
                                                            str(junit), "--data-dir", str(tmp / "stacks")])
    return Run(tmp / "stacks", res, junit, time.monotonic() - started)


@pytest.mark.timeout(420)
async def test_the_whole_catalogue_passes(catalogue):
    res = catalogue.result
    failed = [ln for ln in res.output.splitlines() if "✗" in ln or ln.lstrip().startswith("!")]
    assert res.exit_code == 0, "\n".join(failed) or res.output[-3000:]
    root = ET.parse(catalogue.junit).getroot()
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("0", "0", "0")
    assert len(list(root.iter("testsuite"))) == len(FILES)
    print(f"\ncatalogue: {len(FILES)} scenarios, {root.get('tests')} checks, {catalogue.took:.0f}s")
    _no_nik_in_logs(catalogue.folder, res.output + catalogue.junit.read_text())


def _no_nik_in_logs(folder: Path, report: str) -> None:
    """Every log the whole catalogue wrote (API, worker, simulators, Temporal), and the report:
    no NIK- or KK-shaped number anywhere, though hundreds went through."""
    logs = {p: p.read_text(errors="replace") for p in folder.rglob("*.log")}
    assert "birth accepted" in logs[folder / "stack.log"]  # the scan reads real, non-empty logs
    shaped = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
    found = {str(p.relative_to(folder)): shaped.findall(text)[:3] for p, text in logs.items()
             if shaped.search(text)}
    assert found == {}
    assert not shaped.search(report)


@pytest.mark.timeout(480)  # the catalogue's own run too, when this test runs alone
async def test_every_final_bundle_page_says_only_catalogue_words_and_data(browser, catalogue):
    """Each stack's kept read model opened by an app of its own (Temporal unreachable: the page reads
    the model), every bundle's page in Indonesian checked as tests/api/console/test_words_browser.py
    checks its states: the catalogue's words and the bundle's own data only, its status and reasons said."""
    stacks = sorted(p.parent for p in catalogue.folder.glob("*/kelahiran.db"))
    context = await browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = await context.new_page()  # one tab for every stack: a log-in replaces the last stack's cookie
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    started, pages, unexplained, missing = time.monotonic(), 0, {}, {}
    for folder in stacks:
        settings = Settings(environment="test", database_url=f"sqlite:///{folder}/kelahiran.db",
                            readmodel_keys=spec_for_tests(), readmodel_key_id=TEST_KEY_ID,
                            temporal_address="127.0.0.1:9", temporal_ui_url=None, metrics_port=0)
        user = creds.ensure_operator(settings, "supervisor", None, "words-supervisor")
        with engine_for(settings.database_url) as engine, serve_app(create_app(settings)) as base:
            await log_in(page, base, user)
            for where, state, data in _bundles(folder, engine, settings, user):
                left, absent = await bundle_page.check(page, base, state, data)
                pages += 1
                if left:
                    unexplained[where] = left
                if absent:
                    missing[where] = absent
            await page.goto("about:blank")  # closes the page's event stream: the server stops at once
    took = time.monotonic() - started
    await context.close()
    print(f"\ncatalogue pages: {pages} bundles in {len(stacks)} stacks, {took:.1f}s")
    assert pages >= len(stacks) > 1  # every stack holds bundles: the pages were really read
    assert errors == []
    assert missing == {}, "\n".join(f"{k}: {v}" for k, v in missing.items())
    assert unexplained == {}, "\n".join(f"{k}: {v}" for k, v in unexplained.items())


def _bundles(folder: Path, engine, settings: Settings, user: str) -> list[tuple[str, BundleState, set[str]]]:
    """Each bundle of the stack: where it comes from (scenario / bundle / record), its state and the
    data its page may show (read before any page is opened)."""
    cipher, out = settings.readmodel_cipher(), []
    with Session(engine) as s:
        for bundle_id, record_id in s.exec(select(Bundle.id, Bundle.record_id).order_by(Bundle.received_at)):
            state = read_state(s, bundle_id, cipher)
            follow_ups = crud.follow_ups_of(session=s, bundle_id=bundle_id, cipher=cipher)
            sent = submissions.get(session=s, cipher=cipher, bundle_id=bundle_id)
            out.append((f"{_scenario(folder.name, record_id)} / bundle {bundle_id} ({record_id})", state,
                        bundle_page.page_data(state, follow_ups, user, sent)))
    return out


def _scenario(stack: str, record_id: str) -> str:
    """The scenario a bundle came from: its stack's, or the one its record id names (families.py makes
    them "SCN-<scenario[:24]>-<alias>-<hex>"); else the stack's name."""
    if stack != "shared" or not record_id.startswith("SCN-"):
        return stack
    prefix = record_id.removeprefix("SCN-").split("-")[0]
    names = [p.stem for p in FILES if p.stem[:24] == prefix]
    return " or ".join(names) or stack
