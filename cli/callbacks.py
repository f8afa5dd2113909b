"""`kelahiran callbacks`: deliver hospital webhooks from the outbox."""

from __future__ import annotations

from cli import app


@app.command()
def callbacks() -> None:
    """Deliver hospital callbacks from the outbox (any number of replicas; /health, /metrics on :9466)."""
    import asyncio

    from cli.dispatcher_process import run_callbacks
    from infra.logging_setup import configure_logging
    from infra.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    asyncio.run(run_callbacks(settings))
