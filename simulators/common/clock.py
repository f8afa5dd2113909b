"""The simulator's notion of 'now': wall clock plus an offset testers can move.

Legal deadlines (60-day akta, 28-day BPJS) follow this clock; request-signature freshness keeps
following the real wall clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta


class SimClock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def today(self) -> date:
        # Indonesian offices work in WIB (UTC+7); a birth at 01:00 WIB is "today" there.
        return (self.now() + timedelta(hours=7)).date()

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def set_offset(self, offset: timedelta) -> None:
        with self._lock:
            self._offset = offset
