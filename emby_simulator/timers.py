"""Live TV recording timers and series timers made through the API."""

from __future__ import annotations

from typing import Any

from .clock import Clock, hex_id
from .errors import ApiError
from .library import Library
from .models import Item, Timer


class Timers:
    """The library's timers and series timers."""

    def __init__(self, library: Library, clock: Clock) -> None:
        """Bind to the library's timer lists."""
        self._library = library
        self._clock = clock

    def for_program(self, program: Item, *, series: bool) -> Timer:
        """A (not yet stored) timer for a programme."""
        now = self._clock.now()
        return Timer(
            id=hex_id("timer", self._library.server_id, program.id, series),
            channel_id=program.series_id or "",
            program_id=program.id,
            name=program.name,
            start=program.start or now,
            end=program.end or now,
            series=series,
        )

    def create(self, body: dict[str, Any], *, series: bool) -> Timer:
        """POST /LiveTv/Timers and /LiveTv/SeriesTimers (body: TimerInfoDto with ProgramId)."""
        program = self._library.get(str(body.get("ProgramId", "")))
        if program is None or program.type != "Program":
            raise ApiError(400, "ProgramId must name a programme of the guide")
        timer = self.for_program(program, series=series)
        target = self._library.series_timers if series else self._library.timers
        if all(t.id != timer.id for t in target):
            target.append(timer)
        return timer

    def cancel(self, timer_id: str, *, series: bool) -> bool:
        """Delete a timer; False if unknown."""
        target = self._library.series_timers if series else self._library.timers
        for timer in target:
            if timer.id == timer_id:
                target.remove(timer)
                return True
        return False
