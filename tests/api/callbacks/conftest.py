"""A read-model database (SQLite and PostgreSQL), a hospital, bundle states and a live receiver."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from api.auth import accounts
from domain.bundle_state import bundle_id_for, new_input
from domain.contracts import BundleState, BundleStatus, Service, ServiceStatus
from domain.notification import BirthNotification
from infra.settings import Settings
from store import bundles
from store.cipher import TEST_KEY_ID, spec_for_tests
from tests.api.callbacks.receiver import Receiver
from tests.support import payloads
from tests.support.postgres import throwaway_schema
from tests.support.readmodel import engine_for, write_state
from tools.embedded import serve_app


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/rm.db"
    else:
        with throwaway_schema() as url:
            yield url


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/rm.db"


@pytest.fixture
def engine(db_url):
    with engine_for(db_url, migrate=True) as eng:
        yield eng


@pytest.fixture
def sqlite_engine(sqlite_url):
    with engine_for(sqlite_url, migrate=True) as eng:
        yield eng


def settings_for(url: str, **over) -> Settings:
    values = dict(environment="test", database_url=url, readmodel_keys=spec_for_tests(),
                  readmodel_key_id=TEST_KEY_ID, callback_retry_initial_seconds=0.05,
                  callback_retry_max_seconds=0.2, callback_timeout_seconds=2, callback_poll_seconds=0.05,
                  callback_allow_loopback=True)  # the receivers here listen on 127.0.0.1: said explicitly
    return Settings(**{**values, **over})


def hospital(engine, hospital_id: str | None = None) -> str:
    hospital_id = hospital_id or f"RSUD-{uuid.uuid4().hex[:8]}"
    with Session(engine) as s:
        accounts.create_hospital(session=s, hospital_id=hospital_id, name=f"Rumah Sakit {hospital_id}")
    return hospital_id


def received(engine, hospital_id: str, cipher) -> BundleState:
    """A bundle as intake stores it (version 0: in progress, every service pending)."""
    n = BirthNotification.model_validate(payloads.manual())
    st = new_input(
        bundle_id=bundle_id_for(hospital_id, n.record_id), hospital_id=hospital_id,
        received_at=datetime.now(UTC), notification=n).state
    with Session(engine) as s:
        assert bundles.insert_received(session=s, state=st, cipher=cipher)
    return st


def sync(engine, state: BundleState, cipher, *, status: str | None = None,
         services: dict[tuple[int, str], str] | None = None) -> BundleState:
    """The workflow's next snapshot (version + 1): a bundle status, {(order, service): "status[:REASON]"}."""
    state = state.model_copy(deep=True)
    state.version += 1
    if status:
        state.status = BundleStatus(status)
    for (order, service), value in (services or {}).items():
        new, _, reason = value.partition(":")
        svc = getattr(state, service) if order == 0 else state.children[order - 1].services[Service(service)]
        svc.status, svc.reason = ServiceStatus(new), reason or None
    with Session(engine) as s:
        assert write_state(s, state, cipher)
    return state


@pytest.fixture
def receiver():
    r = Receiver()
    with serve_app(r.app()) as base:
        r.url = f"{base}/hook"
        yield r
