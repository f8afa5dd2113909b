"""The issuing pipeline every office-scoped call goes through: faults, office, idempotency, lock."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from simulators.common.clock import SimClock
from simulators.common.faults import FaultBook
from simulators.dukcapil.models import Idempotensi
from simulators.dukcapil.offices import CONNECTED_OFFICES
from simulators.dukcapil.rules import Refusal, not_found

# One lock for the whole process: serial numbers and register counters are read-then-written,
# so two threads must never interleave an issue. Unique constraints back it up across processes.
ISSUE_LOCK = threading.Lock()
_ATTEMPTS = 3

Action = Callable[[Session, str, BaseModel, date], BaseModel]


class FaultInjected(Exception):
    def __init__(self, endpoint: str, status: int) -> None:
        super().__init__(f"{endpoint}: {status}")
        self.endpoint = endpoint
        self.status = status


def body_hash(endpoint: str, office: str, body: BaseModel) -> str:
    canonical = json.dumps({"endpoint": endpoint, "office": office,
                            "body": body.model_dump(mode="json")}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Registry:
    """Runs issuing actions; holds the engine, the simulated clock and the fault book."""

    def __init__(self, engine: Engine, clock: SimClock, faults: FaultBook) -> None:
        self.engine = engine
        self.clock = clock
        self.faults = faults

    def issue(self, *, endpoint: str, office: str, key: str, body: BaseModel, action: Action,
              status: int = 201) -> tuple[int, dict]:
        """Run `action` once per idempotency key; same key and body replays the first answer."""
        if office not in CONNECTED_OFFICES:
            raise not_found("KANTOR_TIDAK_TERHUBUNG", "Kantor Dukcapil ini tidak terhubung")
        digest = body_hash(endpoint, office, body)
        args = (endpoint, office, key, body, digest, action, status)
        with ISSUE_LOCK:
            for _ in range(_ATTEMPTS - 1):
                try:
                    return self._issue_once(*args)
                except IntegrityError:
                    continue  # another process won a race on a unique number: re-read, retry
            return self._issue_once(*args)

    def _issue_once(self, endpoint: str, office: str, key: str, body: BaseModel, digest: str,
                    action: Action, status: int) -> tuple[int, dict]:
        with Session(self.engine) as session:
            seen = session.get(Idempotensi, key)
            if seen is not None:
                if seen.body_hash != digest:
                    raise Refusal("IDEMPOTENCY_KEY_REUSED",
                                  "Idempotency-Key sudah dipakai untuk permintaan lain", 409)
                return seen.status_code, json.loads(seen.response)
            # Refusals raise before anything is stored, so a refused request can be retried
            # with the same key once the cause is fixed (e.g. the Kadis decision arrives).
            result = action(session, office, body, self.clock.today())
            payload = result.model_dump(mode="json")
            session.add(Idempotensi(key=key, endpoint=endpoint, body_hash=digest,
                                    status_code=status, response=json.dumps(payload),
                                    created_at=datetime.now(UTC)))
            session.commit()
            return status, payload
