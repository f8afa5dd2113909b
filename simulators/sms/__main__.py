"""`python -m simulators.sms`: serve the SMS gateway simulator, access log off."""

from __future__ import annotations

import uvicorn

from simulators.sms.app import create_app
from simulators.sms.settings import SmsSimSettings


def main() -> None:
    settings = SmsSimSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)


if __name__ == "__main__":
    main()
