"""The floor's completions: reported by the floor worker's stdout reader (a thread), awaited by the bench."""

import asyncio
import threading

import pytest

from tools.bench.floor import Completions


async def test_a_completion_reported_from_another_thread_wakes_its_waiter():
    completions = Completions()
    waiting = asyncio.create_task(completions.wait("wf-1"))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    threading.Thread(target=completions.done, args=("wf-1", 123.5)).start()
    assert await asyncio.wait_for(waiting, 5) == 123.5


async def test_a_completion_reported_before_anyone_waits_is_kept():
    completions = Completions()
    completions.done("wf-early", 7.0)  # the workflow finished before start_workflow returned
    assert await asyncio.wait_for(completions.wait("wf-early"), 1) == 7.0


async def test_a_waiter_that_gives_up_is_forgotten():
    completions = Completions()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(completions.wait("wf-late"), 0.05)
    completions.done("wf-late", 1.0)  # no waiter any more: kept as early, nobody is woken
    assert await asyncio.wait_for(completions.wait("wf-late"), 1) == 1.0
