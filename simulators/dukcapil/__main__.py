"""`python -m simulators.dukcapil`: serve the simulator with uvicorn, access log off."""

from __future__ import annotations

import uvicorn

from simulators.dukcapil.app import create_app
from simulators.dukcapil.settings import DukcapilSimSettings


def main() -> None:
    settings = DukcapilSimSettings()
    # Paths carry no personal data, but the access log stays off so nothing can leak into it.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)


if __name__ == "__main__":
    main()
