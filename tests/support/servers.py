"""Real HTTP servers on 127.0.0.1 for tests (the implementation is shared with scenario runs)."""

from tools.embedded import free_port, serve_app

__all__ = ["free_port", "serve_app"]
