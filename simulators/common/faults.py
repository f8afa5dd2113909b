"""Minimal fault injection: make an endpoint answer an HTTP error for the next N calls or until reset.

The testers' workbench (fault distributions, outage windows, seeded decisions) grows from here.
"""

from __future__ import annotations

import threading

from pydantic import BaseModel, Field


class Fault(BaseModel):
    endpoint: str = Field(description="Endpoint name as the simulator labels it, or '*' for all")
    status_code: int = Field(default=503, ge=400, le=599)
    remaining: int | None = Field(default=None, ge=1, description="None: until reset")


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        with self._lock:
            return [f.model_copy() for f in self._faults]

    def take(self, endpoint: str) -> int | None:
        """The status to fail this call with, consuming one use of the matching fault."""
        with self._lock:
            for i, f in enumerate(self._faults):
                if f.endpoint in (endpoint, "*"):
                    if f.remaining is not None:
                        f.remaining -= 1
                        if f.remaining == 0:
                            del self._faults[i]
                    return f.status_code
        return None
