"""Issue 19: locks and throttles are counted in metrics (api/auth/guard.py), read from
prometheus_client's registry before and after; no metric label carries a username.
"""

from __future__ import annotations

import httpx
from prometheus_client import REGISTRY

from tests.api.auth.test_login_guard import ADMIN_PW, app_client

SAMPLES = {
    "locks": ("kelahiran_login_locks_total", {}),
    "throttled": ("kelahiran_login_throttled_total", {}),
    **{f"logins_{o}": ("kelahiran_operator_logins_total", {"outcome": o})
       for o in ("ok", "refused", "throttled")},
}
NAMES = ("siti", "admin1", "nobody-here")


def _read() -> dict[str, float]:
    return {k: REGISTRY.get_sample_value(name, labels) or 0.0 for k, (name, labels) in SAMPLES.items()}


def _login(client: httpx.AsyncClient, username: str, password: str):
    return client.post("/v1/auth/login", json={"username": username, "password": password})


async def test_a_lock_and_a_throttle_are_counted(tmp_path):
    async with app_client(tmp_path, login_address_limit=6) as (client, _):
        before = _read()
        assert (await _login(client, "nobody-here", "a guess")).status_code == 401
        for i in range(5):  # the fifth locks siti
            assert (await _login(client, "siti", f"wrong guess {i}")).status_code == 401
        assert (await _login(client, "siti", "one more")).status_code == 429  # the address's 7th
        assert (await _login(client, "admin1", ADMIN_PW)).status_code == 429  # remembered, unhashed
        other = httpx.ASGITransport(app=client._transport.app, client=("10.9.9.9", 1))
        async with httpx.AsyncClient(transport=other, base_url="http://api") as elsewhere:
            assert (await _login(elsewhere, "admin1", ADMIN_PW)).status_code == 200
        after = _read()
    assert {k: after[k] - before[k] for k in after} == {
        "locks": 1, "throttled": 2, "logins_ok": 1, "logins_refused": 6, "logins_throttled": 2}


async def test_no_login_metric_label_carries_a_username(tmp_path):
    async with app_client(tmp_path, login_address_limit=3) as (client, _):
        for username in NAMES:
            await _login(client, username, "a wrong password")
        assert (await _login(client, "siti", "again")).status_code == 429
    labels = [(s.name, value) for m in REGISTRY.collect() if m.name.startswith("kelahiran_")
              for s in m.samples for value in s.labels.values()]
    assert ("kelahiran_operator_logins_total", "refused") in labels  # the samples were read
    assert {v for n, v in labels if n == "kelahiran_operator_logins_total"} <= {"ok", "refused", "throttled"}
    assert not [(n, v) for n, v in labels if any(name in v for name in NAMES)]
