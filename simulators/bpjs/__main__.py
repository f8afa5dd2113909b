"""Run the simulator: `python -m simulators.bpjs` (settings from BPJS_SIM_* variables)."""

from __future__ import annotations

import uvicorn

from simulators.bpjs.app import create_app
from simulators.bpjs.settings import BpjsSimSettings


def main() -> None:
    settings = BpjsSimSettings()
    # No access log: the eligibility path carries a NIK.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)


if __name__ == "__main__":
    main()
