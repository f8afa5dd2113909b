"""`kelahiran demo` draws one family per birth: two births of one mother in a run would be held by
the intake as a suspected duplicate, which is not what the demo means to show."""

from __future__ import annotations

import random

import httpx
import pytest

from tools.commands.demo import _draw


async def test_a_family_already_drawn_in_the_run_is_drawn_again():
    answers = iter([[{"no_kk": "3673011010100001"}], [{"no_kk": "3673011010100001"}], [],
                    [{"no_kk": "3673011010100002"}]])
    asked = []

    def sample(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["seed"])
        return httpx.Response(200, json=next(answers))

    taken: set[str] = set()
    async with httpx.AsyncClient(transport=httpx.MockTransport(sample)) as http:
        first = await _draw(http, "http://dukcapil.test", random.Random(1), taken)
        second = await _draw(http, "http://dukcapil.test", random.Random(2), taken)
    assert (first["no_kk"], second["no_kk"]) == ("3673011010100001", "3673011010100002")
    assert len(asked) == 4 and taken == {"3673011010100001", "3673011010100002"}


async def test_a_population_without_another_family_is_a_clear_error():
    async with httpx.AsyncClient(transport=httpx.MockTransport(
            lambda _r: httpx.Response(200, json=[{"no_kk": "3673011010100001"}]))) as http:
        with pytest.raises(RuntimeError, match="no family left"):
            await _draw(http, "http://dukcapil.test", random.Random(1), {"3673011010100001"})
