"""How adapter failures are classified: retry it (transient) or hand it to a person (business)."""

from __future__ import annotations


class AdapterError(Exception):
    """Base of every error an adapter raises."""


class TransientError(AdapterError):
    """Timeouts, connection errors, 5xx, 429, auth/clock problems: retry with backoff."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class BusinessRejection(AdapterError):
    """The system answered and refused; retrying the same request cannot succeed."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message
