"""Per-hospital intake rate limit: a clear 429 with Retry-After, other hospitals unaffected."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.auth.ratelimit import RateLimiter
from infra.settings import Settings
from store.migrate import upgrade_to_head
from tests.support import creds, payloads
from tests.support.servers import serve_app


def test_token_bucket_allows_bursts_then_the_rate():
    lim = RateLimiter(rate=2, burst=3)
    assert [lim.take("a", now=0.0) for _ in range(3)] == [0, 0, 0]
    assert lim.take("a", now=0.0) == pytest.approx(0.5)  # the next token comes in 1/rate seconds
    assert lim.take("b", now=0.0) == 0  # buckets are per hospital
    assert lim.take("a", now=0.5) == 0
    assert RateLimiter.retry_after(0.01) == "1" and RateLimiter.retry_after(2.2) == "3"


@pytest.mark.integration
async def test_intake_beyond_the_rate_is_429_with_retry_after_and_nothing_started(temporal_env, tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_ui_url=None,
                        intake_rate_per_second=0.2, intake_burst=2, task_queue="no-worker-here")
    busy, calm = creds.hospital_headers(settings, "RS-BUSY"), creds.hospital_headers(settings, "RS-CALM")
    with serve_app(create_app(settings, temporal_client=temporal_env.client)) as api:
        async with httpx.AsyncClient(base_url=api) as http:
            answers = [await http.post("/v1/births", json=payloads.manual(), headers=busy) for _ in range(3)]
            other = await http.post("/v1/births", json=payloads.manual(), headers=calm)
            listed = (await http.get("/v1/births", headers=busy)).json()
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json()["detail"].startswith("intake rate for this hospital exceeded")
    assert 1 <= int(answers[2].headers["retry-after"]) <= 5
    assert other.status_code == 202
    assert listed["total"] == 2  # the refused one left nothing behind
