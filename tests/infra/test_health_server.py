"""The worker's health port: /health while the process runs, /ready only while its check passes."""

from __future__ import annotations

import httpx

from infra.health_server import serve_health
from tools.embedded import free_port


async def test_ready_follows_its_check_and_health_only_the_process():
    answers = iter([True, False])

    async def temporal_answers() -> bool:
        return next(answers)

    async def temporal_raises() -> bool:
        raise RuntimeError("connection refused")

    port, other = free_port(), free_port()
    alive = True
    servers = [await serve_health("127.0.0.1", port, lambda: alive, temporal_answers),
               await serve_health("127.0.0.1", other, lambda: alive, temporal_raises)]
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            base = f"http://127.0.0.1:{port}"
            assert (await http.get(f"{base}/ready")).status_code == 200
            not_ready = await http.get(f"{base}/ready")
            assert not_ready.status_code == 503 and not_ready.json() == {"status": "unavailable"}
            assert (await http.get(f"{base}/health")).status_code == 200  # alive all the same
            assert (await http.get(f"http://127.0.0.1:{other}/ready")).status_code == 503
            alive = False  # stopping: neither
            assert (await http.get(f"{base}/health")).status_code == 503
    finally:
        for server in servers:
            server.close()
