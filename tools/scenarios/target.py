"""Where scenarios run: a stack the runner starts itself, or one already running (given by URLs)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from adapters.dukcapil.auth import ClientCredentials
from tools.provision import RemoteKeys, local_hospital_key

# On a time-skipping stack every timer is simulated time: poll a pending BPJS payment once a
# simulated day, and retry transient failures at least every 10 simulated minutes, so a jump of
# weeks costs hundreds of timers, not millions.
JUMP_STACK_SETTINGS: dict[str, Any] = {"bpjs_poll_seconds": 86400, "retry_max_seconds": 600}
# During a jump the simulators' clocks follow Temporal's in steps of this size (each step costs a
# few milliseconds); they agree exactly once the jump is over.
JUMP_STEP = timedelta(hours=6)


@dataclass
class Target:
    api_url: str
    dukcapil_url: str
    bpjs_url: str
    http: httpx.AsyncClient
    admin_token: str = "dev-admin-token"  # noqa: S105 - the simulators' development default
    env: WorkflowEnvironment | None = None  # a time-skipping environment: jumps allowed
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    payload_keys: str = field(default="", repr=False)  # the stack's payload encryption keys, if not in env
    dukcapil_auth: httpx.Auth | None = None  # our OAuth2 client at Dukcapil (its /v1 needs a token)
    description: str = ""
    jumped: timedelta = field(default=timedelta(0))
    sms_url: str | None = None  # the SMS gateway simulator (faults on reminders), where known
    _client: Client | None = None
    # Hospital keys: made on the stack's own database (embedded) or through its admin API (running).
    database_url: str | None = None
    remote_keys: RemoteKeys | None = None
    _keys: dict[str, str] = field(default_factory=dict)

    async def hospital(self, hospital_id: str) -> dict[str, str]:
        """Headers authenticating as this hospital (registered, with a key, on first use)."""
        if hospital_id not in self._keys:
            if self.database_url is not None:
                self._keys[hospital_id] = local_hospital_key(self.database_url, hospital_id,
                                                             label="scenarios")
            elif self.remote_keys is not None:
                self._keys[hospital_id] = await self.remote_keys.key(hospital_id, label="scenarios")
            else:
                raise PermissionError("no way to get a hospital key: give admin credentials")
        return {"X-API-Key": self._keys[hospital_id]}

    @property
    def can_jump(self) -> bool:
        return self.env is not None and self.env.supports_time_skipping

    def sim_url(self, system: str) -> str:
        url = {"dukcapil": self.dukcapil_url, "bpjs": self.bpjs_url, "sms": self.sms_url}[system]
        if url is None:
            raise ValueError(f"this stack's {system} simulator URL is not known (urls.json has none)")
        return url

    @property
    def simulators(self) -> list[str]:
        """The simulators whose faults this target can set (`reset_faults: all`)."""
        return ["dukcapil", "bpjs"] + (["sms"] if self.sms_url else [])

    async def client(self) -> Client:
        """The Temporal client admin actions (updates) go through."""
        if self._client is None:
            if self.env is not None:
                self._client = self.env.client
            else:
                from infra.settings import Settings
                from infra.temporal_client import connect

                # Settings() reads the deployment's KELAHIRAN_PAYLOAD_KEYS like `kelahiran admin` does.
                given = {"temporal_address": self.temporal_address or "127.0.0.1:7233",
                         "temporal_namespace": self.temporal_namespace}
                if self.payload_keys:
                    given |= {"payload_keys": self.payload_keys,
                              "payload_key_id": self.payload_keys.split(":", 1)[0]}
                self._client = await connect(Settings(**given))
        return self._client

    async def admin(self, method: str, system: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, f"{self.sim_url(system)}/admin/{path}", json=body,
                                       headers={"X-Admin-Token": self.admin_token})

    async def counters(self) -> dict[str, dict]:
        """The simulators' document counters (for `issued` expectations)."""
        d = await self.http.get(f"{self.dukcapil_url}/v1/statistik", auth=self.dukcapil_auth)
        b = await self.http.get(f"{self.bpjs_url}/v1/statistik", headers={"X-Admin-Token": self.admin_token})
        d.raise_for_status()
        b.raise_for_status()
        return {"dukcapil": d.json(), "bpjs": b.json()}

    async def jump(self, delta: timedelta) -> datetime:
        """Skip Temporal's clock forward, moving the simulators' clocks along; the new simulated now."""
        assert self.env is not None and self.can_jump
        # Outside jumps the test server's clock runs with the wall clock: the offset moves by jumps only.
        offset = await self.env.get_current_time() - datetime.now(UTC)
        left = delta
        while left > timedelta(0):
            step = min(left, JUMP_STEP)
            await self.env.sleep(step)
            left, offset = left - step, offset + step
            await self._set_clocks(offset)
        await self._set_clocks(await self.env.get_current_time() - datetime.now(UTC))
        self.jumped += delta
        return await self.env.get_current_time()

    async def _set_clocks(self, offset: timedelta) -> None:
        answers = await asyncio.gather(*(
            self.admin("PUT", system, "clock", {"offset_seconds": offset.total_seconds()})
            for system in ("dukcapil", "bpjs")))
        for r in answers:
            r.raise_for_status()


SIMULATOR_DATABASES = ("dukcapil.db", "bpjs.db")  # as `embedded_stack` names them


@contextlib.asynccontextmanager
async def embedded(data_dir: Path, *, time_skipping: bool,
                   seeded: Path | None = None) -> AsyncIterator[Target]:
    """Temporal (dev server, or the time-skipping test server), both simulators, API and worker.

    `seeded`: a folder for the simulators' freshly seeded databases. The first stack fills it, later
    stacks start from copies (the simulators leave a seeded database alone): seeding is the
    slowest part of a start.
    """
    from tools.embedded import embedded_stack, start_temporal

    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once per stack
    if seeded is not None:
        _copy_databases(seeded, data_dir)
    with _stdout_to(data_dir / "temporal.log"):
        env = await start_temporal(time_skipping=time_skipping)
    try:
        overrides = JUMP_STACK_SETTINGS if time_skipping else {}
        async with embedded_stack(data_dir, env, **overrides) as st, httpx.AsyncClient(timeout=30) as http:
            if seeded is not None and not all((seeded / n).exists() for n in SIMULATOR_DATABASES):
                _copy_databases(data_dir, seeded)  # before any scenario touched them
            kind = "time-skipping test server" if time_skipping else "dev server"
            auth = ClientCredentials.for_server(st.dukcapil_url, st.settings.dukcapil_client_id,
                                                st.settings.dukcapil_client_secret)
            yield Target(api_url=st.api_url, dukcapil_url=st.dukcapil_url, bpjs_url=st.bpjs_url,
                         http=http, env=env if time_skipping else None, description=f"embedded, {kind}",
                         _client=env.client, dukcapil_auth=auth, database_url=st.settings.database_url,
                         sms_url=st.sms_url)
    finally:
        await env.shutdown()


def _copy_databases(source: Path, target: Path) -> None:
    """Consistent copies of the simulators' SQLite databases, even while they are open."""
    target.mkdir(parents=True, exist_ok=True)
    for name in SIMULATOR_DATABASES:
        if (source / name).exists() and not (target / name).exists():
            with contextlib.closing(sqlite3.connect(source / name)) as src, \
                    contextlib.closing(sqlite3.connect(target / name)) as dst:
                src.backup(dst)


@contextlib.contextmanager
def _stdout_to(path: Path) -> Iterator[None]:
    """Send what a child process started now prints (the dev server's banner) to a file, not the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.asynccontextmanager
async def running(*, api_url: str, dukcapil_url: str, bpjs_url: str, admin_token: str,
                  temporal_address: str, temporal_namespace: str, payload_keys: str = "",
                  dukcapil_client_id: str, dukcapil_client_secret: str,
                  admin_user: str | None = None, admin_password: str | None = None,
                  sms_url: str | None = None) -> AsyncIterator[Target]:
    """A stack someone else runs (e.g. `kelahiran up`): no time jumps there."""
    async with httpx.AsyncClient(timeout=30) as http:
        keys = RemoteKeys(http, api_url.rstrip("/"), admin_user, admin_password) if admin_user else None
        yield Target(api_url=api_url.rstrip("/"), dukcapil_url=dukcapil_url.rstrip("/"),
                     bpjs_url=bpjs_url.rstrip("/"), http=http, admin_token=admin_token,
                     temporal_address=temporal_address, temporal_namespace=temporal_namespace,
                     payload_keys=payload_keys, description=f"running stack at {api_url}", remote_keys=keys,
                     sms_url=sms_url.rstrip("/") if sms_url else None,
                     dukcapil_auth=ClientCredentials.for_server(dukcapil_url, dukcapil_client_id,
                                                                dukcapil_client_secret))
