"""The bench's poster: births go to the APIs in turn, and each is followed on the API that took it."""

import httpx

from tools.bench.births import BirthPoster
from tools.bench.load import Outcome

APIS = ["http://127.0.0.1:8000", "http://127.0.0.1:8010"]


def _family(i: int) -> dict:
    return {"no_kk": f"36730512031500{i:02d}", "status_perkawinan": "KAWIN_TERCATAT",
            "no_buku_nikah": f"BN-{i}", "ibu": {"nik": f"36730552039500{i:02d}", "nama": "Ibu"},
            "ayah": None, "saksi": []}


def _api(seen: list[tuple[str, str]], *, throttle_first: bool = False):
    throttled = []

    def handle(request: httpx.Request) -> httpx.Response:
        origin = f"http://{request.url.host}:{request.url.port}"
        seen.append((request.method, origin))
        if request.method == "POST":
            if throttle_first and not throttled:
                throttled.append(origin)
                return httpx.Response(429, headers={"Retry-After": "0"})
            return httpx.Response(202, json={"bundle_id": f"B-{len(seen)}@{request.url.port}"})
        return httpx.Response(200, json={"status": "completed"})

    return handle


async def test_births_go_round_robin_and_are_polled_where_they_were_posted():
    seen: list[tuple[str, str]] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(_api(seen))) as http:
        poster = BirthPoster(http, APIS, [_family(i) for i in range(5)], keys=["k1", "k2", "k3"])
        outs = [Outcome() for _ in range(5)]
        for i, out in enumerate(outs):
            await poster(i, out, 0.0)
    assert all(o.error is None and o.complete is not None for o in outs)
    posts = [origin for method, origin in seen if method == "POST"]
    assert posts == [APIS[0], APIS[1], APIS[0], APIS[1], APIS[0]]
    gets = [origin for method, origin in seen if method == "GET"]
    assert gets == posts  # each status asked of the API that took the birth
    assert poster.remaining() == 0


async def test_a_throttled_birth_is_posted_again_to_the_same_api():
    seen: list[tuple[str, str]] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(_api(seen, throttle_first=True))) as http:
        poster = BirthPoster(http, APIS, [_family(1), _family(2)], keys=["k1"])
        first, second = Outcome(), Outcome()
        await poster(0, first, 0.0)
        await poster(1, second, 0.0)
    assert first.throttled == 1 and first.error is None and second.throttled == 0
    assert [origin for method, origin in seen if method == "POST"] == [APIS[0], APIS[0], APIS[1]]


async def test_one_api_given_as_a_string_takes_every_birth():
    seen: list[tuple[str, str]] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(_api(seen))) as http:
        poster = BirthPoster(http, APIS[1], [_family(1), _family(2)], keys=["k1"])
        for i in range(2):
            await poster(i, Outcome(), 0.0)
    assert {origin for _, origin in seen} == {APIS[1]}
