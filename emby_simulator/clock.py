"""The simulated clock and Emby's date and id formats."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

TICKS_PER_SECOND = 10_000_000
"""Emby's time unit: 1 tick = 100 ns (`PositionTicks`, `RunTimeTicks`)."""

#: Dates inside the generated library are relative to this fixed instant, so two servers built
#: from the same configuration answer byte for byte the same.
LIBRARY_EPOCH = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


def emby_date(value: datetime) -> str:
    """A date as Emby writes it: `2024-12-18T06:01:13.0000000Z` (seven fraction digits, UTC)."""
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond * 10:07d}Z"


def ticks(seconds: float) -> int:
    """Seconds as Emby ticks (an integer)."""
    return round(seconds * TICKS_PER_SECOND)


def hex_id(*parts: object) -> str:
    """A stable 32-hex id (Emby's format for servers, users, sessions, image tags)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class Clock:
    """Simulated time: `seconds` since start, moved only by `advance`.

    Dates handed out start at the wall-clock time the simulator was created, so
    `LastActivityDate` and the like look current to a client.
    """

    __slots__ = ("_start", "seconds")

    def __init__(self, start: datetime | None = None) -> None:
        """Start at `start` (default: now, whole seconds)."""
        now = start or datetime.now(UTC).replace(microsecond=0)
        self._start = max(now, LIBRARY_EPOCH + timedelta(days=1))
        self.seconds = 0.0

    def advance(self, seconds: float) -> None:
        """Move forward (never backward)."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("time only moves forward by a finite number of seconds")
        self.seconds += seconds

    def now(self) -> datetime:
        """The simulated date."""
        return self._start + timedelta(seconds=self.seconds)
