"""A hospital's webhook endpoint for tests: real HTTP on 127.0.0.1, records and verifies deliveries."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from standardwebhooks import Webhook, WebhookVerificationError

from adapters.webhooks import signing


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    verified: bool  # Standard Webhooks: the reference library accepted it with the receiver's secret
    legacy_verified: bool = False  # the deprecated X-Kelahiran-Signature matched as well

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers `status` at /hook (a redirect to /elsewhere when `redirect`); everything is recorded."""

    secret: str | None = None
    url: str = ""  # set by whoever serves it
    status: int = 200
    redirect: bool = False
    deliveries: list[Delivery] = field(default_factory=list)
    elsewhere: list[bytes] = field(default_factory=list)
    refused: int = 0  # deliveries answered with a non-2xx status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/health")
        def health() -> dict:
            return {"status": "ok"}

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            headers = {k.lower(): v for k, v in request.headers.items()}
            if self.redirect:
                return Response(status_code=302, headers={"Location": "/elsewhere"})
            if self.status >= 300:
                with self.lock:
                    self.refused += 1
                return Response(status_code=self.status)
            ok = legacy = False
            if self.secret is not None:
                try:
                    Webhook(self.secret).verify(body, headers)
                    ok = True
                except WebhookVerificationError:
                    pass
                legacy = signing.verify(self.secret, headers.get("x-kelahiran-timestamp", ""),
                                        headers.get("x-kelahiran-signature", ""), body)
            with self.lock:
                self.deliveries.append(Delivery(headers, body, ok, legacy))
            return Response(status_code=self.status if ok else 401)

        @app.post("/elsewhere")
        async def elsewhere(request: Request) -> Response:
            self.elsewhere.append(await request.body())
            return Response(status_code=200)

        return app

    def events(self, bundle_id: str | None = None) -> list[dict]:
        """Verified deliveries' events, once each (deliveries may repeat), in arrival order."""
        seen, out = set(), []
        for d in list(self.deliveries):
            e = d.event
            if d.verified and e["id"] not in seen and bundle_id in (None, e["bundle_id"]):
                seen.add(e["id"])
                out.append(e)
        return out
