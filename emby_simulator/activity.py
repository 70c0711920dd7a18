"""The server's activity log (`/System/ActivityLog/Entries`, `ActivityLogEntry` frames)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .clock import Clock, emby_date


class ActivityLog:
    """Entries in the order they happened; each new one goes to `publish` as well."""

    def __init__(self, clock: Clock, publish: Callable[[list[dict[str, Any]]], None]) -> None:
        """Empty."""
        self._clock = clock
        self._publish = publish
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        name: str,
        entry_type: str,
        user_id: str | None,
        item_id: str | None,
        when: datetime | None = None,
    ) -> None:
        """Log one entry (ActivityLogEntry shape)."""
        entry: dict[str, Any] = {"Id": len(self.entries) + 1, "Name": name, "Type": entry_type}
        if item_id:
            entry["ItemId"] = item_id
        entry["Date"] = emby_date(when or self._clock.now())
        if user_id:
            entry["UserId"] = user_id
        entry["Severity"] = "Info"
        self.entries.append(entry)
        self._publish([entry])
