"""The adapter's OAuth2 client credentials against the real simulator over HTTP: one token, renewed
before it expires or once after a 401, never a stampede on the token endpoint."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI, Response

from adapters.dukcapil.auth import ClientCredentials
from adapters.dukcapil.client import DukcapilClient
from adapters.errors import TransientError
from simulators.dukcapil.app import create_app
from simulators.dukcapil.settings import DukcapilSimSettings
from tests.simulators._dukcapil import ADMIN, CLIENT, Sim, served
from tests.support.servers import free_port, serve_app


@dataclass
class Wire:
    """What went over the wire: token requests, and 401 answers to business calls."""

    tokens: int = 0
    refused: int = 0


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Iterator[Sim]:
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-auth"), families=40) as s:
        yield s


@contextlib.asynccontextmanager
async def watched(base: str) -> AsyncIterator[tuple[DukcapilClient, Wire]]:
    """The adapter over an AsyncClient that counts what it sends."""
    wire = Wire()

    async def on_request(request: httpx.Request) -> None:
        wire.tokens += request.url.path == "/oauth/token"

    async def on_response(response: httpx.Response) -> None:
        wire.refused += response.status_code == 401 and response.request.url.path != "/oauth/token"

    hooks = {"request": [on_request], "response": [on_response]}
    async with httpx.AsyncClient(base_url=base, timeout=10, event_hooks=hooks) as http:
        yield adapter(base, http), wire


def adapter(base: str, http: httpx.AsyncClient, secret: str = CLIENT[1]) -> DukcapilClient:
    return DukcapilClient(base, client_id=CLIENT[0], client_secret=secret, client=http)


async def test_concurrent_calls_share_one_token(sim: Sim):
    async with watched(sim.base) as (client, wire):
        answers = await asyncio.gather(*(client.offices() for _ in range(20)))
        assert all(a == answers[0] for a in answers) and answers[0]
        await asyncio.gather(*(client.offices() for _ in range(5)))
    assert (wire.tokens, wire.refused) == (1, 0)


async def test_a_token_about_to_expire_is_renewed_before_use(tmp_path):
    with served("sqlite", tmp_path, families=20, token_ttl_seconds=1) as short:
        async with watched(short.base) as (client, wire):
            assert await client.offices()
            await asyncio.sleep(1.0)
            assert await asyncio.gather(*(client.offices() for _ in range(5)))
    assert (wire.tokens, wire.refused) == (2, 0)  # renewed in time: the server never refused


async def test_a_refused_token_is_renewed_once_and_the_calls_retried(tmp_path):
    """A restarted simulator has forgotten every token: each call gets one 401, then succeeds."""
    port, db = free_port(), f"sqlite:///{tmp_path}/dukcapil.db"

    def simulator() -> FastAPI:
        return create_app(DukcapilSimSettings(database_url=db, families=20, admin_token=ADMIN,
                                              client_id=CLIENT[0], client_secret=CLIENT[1]))

    base = f"http://127.0.0.1:{port}"
    async with watched(base) as (client, wire):
        with serve_app(simulator(), port=port):
            sample = await client._http.get("/v1/sampel/keluarga", params={"kab_kota": "3673"})
            kk = sample.json()[0]["no_kk"]
            assert await client.offices()
        with serve_app(simulator(), port=port):
            found = await asyncio.gather(*(client.lookup_family(kk) for _ in range(10)))
    assert {f.kk_number for f in found} == {kk}  # the POST bodies went again with the new token
    assert (wire.tokens, wire.refused) == (2, 10)


async def test_wrong_secret_is_transient_and_never_echoed(sim: Sim):
    client = DukcapilClient(sim.base, client_id=CLIENT[0], client_secret="wrong-secret-0451")
    with pytest.raises(TransientError) as exc:
        await client.offices()
    await client.aclose()
    assert exc.value.status_code == 401 and "invalid_client" in str(exc.value)
    assert "wrong-secret-0451" not in f"{exc.value!r} {exc.value.__cause__!r} {client._auth!r}"


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[str, dict]]:
    """A server whose token endpoint and business endpoint answer what the test sets."""
    state = {"token_status": 200, "kantor_status": 401, "token_calls": 0, "kantor_calls": 0}
    app = FastAPI()

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/oauth/token")
    def token() -> Response:
        state["token_calls"] += 1
        if state["token_status"] != 200:
            return Response('{"error": "temporarily_unavailable"}', state["token_status"])
        return Response(f'{{"access_token": "t{state["token_calls"]}", "token_type": "Bearer"}}')

    @app.get("/v1/kantor")
    def offices() -> Response:
        state["kantor_calls"] += 1
        return Response("[]", state["kantor_status"])

    with serve_app(app) as base:
        yield base, state


async def test_a_token_refused_again_is_not_retried_forever(fake):
    base, state = fake
    state.update(token_status=200, kantor_status=401, token_calls=0, kantor_calls=0)
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        with pytest.raises(TransientError, match="even after a refresh") as exc:
            await adapter(base, http).offices()
    assert exc.value.status_code == 401
    assert (state["token_calls"], state["kantor_calls"]) == (2, 2)


async def test_token_endpoint_trouble_is_transient(fake):
    base, state = fake
    state.update(token_status=503, token_calls=0, kantor_calls=0)
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        with pytest.raises(TransientError) as exc:
            await adapter(base, http).offices()
    assert exc.value.status_code == 503 and state["kantor_calls"] == 0


async def test_renewal_is_counted_from_the_request_and_early():
    now = [100.0]
    auth = ClientCredentials("http://dukcapil.test/oauth/token", "c", "s", clock=lambda: now[0])
    request = httpx.Request("GET", "http://dukcapil.test/v1/kantor")
    flow = auth.async_auth_flow(request)
    token_request = await anext(flow)
    assert token_request.headers["Authorization"].startswith("Basic ")
    assert token_request.content == b"grant_type=client_credentials"
    now[0] = 105.0  # the answer took a while
    sent = await flow.asend(httpx.Response(200, json={"access_token": "a", "token_type": "Bearer",
                                                      "expires_in": 3600}, request=token_request))
    assert sent.headers["Authorization"] == "Bearer a"
    await flow.aclose()
    assert auth._live(None) == "a"
    now[0] = 100.0 + 3600 - 30  # 30 s before expiry, counted from when it was asked for
    assert auth._live(None) is None
