"""Turn adapter errors into what Temporal understands, without personal data in the message."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from temporalio.exceptions import ApplicationError

from adapters.errors import BusinessRejection, TransientError

BUSINESS = "BusinessRejection"


@contextlib.contextmanager
def classified(system: str) -> Iterator[None]:
    """Business rejections become non-retryable with the reason code; transient ones retry."""
    try:
        yield
    except BusinessRejection as exc:
        # Only the reason code and the system go into history: the adapter's message may echo
        # names or numbers from the request.
        raise ApplicationError(
            f"{system} refused: {exc.reason}", exc.reason, type=BUSINESS, non_retryable=True
        ) from None
    except TransientError as exc:
        status = f" (HTTP {exc.status_code})" if exc.status_code else ""
        raise ApplicationError(f"{system} unavailable{status}", type="TransientError") from None
