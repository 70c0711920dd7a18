"""Request accounting: how many requests each path got, and a log of them (never the token)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it (never the token)."""

    method: str
    path: str
    """As received, without an `/emby` prefix and without the query."""
    template: str | None
    """The matched route (`/Users/{UserId}/Items`), None when none matched."""
    query: dict[str, str]
    body: Any
    status: int
    time: float
    """time.monotonic() at arrival."""
    client: str | None
    """`Client/DeviceId` from the authorization header, if any."""


def template_regex(path: str) -> re.Pattern[str]:
    """`/Users/{id}/Items` -> a regex where each `{...}` matches one segment."""
    parts = re.split(r"({[^/{}]*})", path)
    pattern = "".join(
        "[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
    )
    return re.compile(f"^{pattern}$", re.IGNORECASE)


def redact(body: Any) -> Any:
    """A request body for the log, without passwords."""
    if isinstance(body, dict):
        return {
            k: ("***" if k.lower() in ("pw", "password", "token") else v) for k, v in body.items()
        }
    return body


class RequestLog:
    """Counts per `"METHOD /path"` and the records of every request."""

    def __init__(self) -> None:
        """Empty."""
        self._counts: Counter[str] = Counter()
        self.records: list[RequestRecord] = []

    def arrived(self, method: str, path: str) -> None:
        """Count a request as it arrives (before any fault or routing)."""
        self._counts[f"{method} {path}"] += 1

    def record(self, record: RequestRecord) -> None:
        """Log a request once it was answered."""
        self.records.append(record)

    def counts(self) -> dict[str, int]:
        """`"METHOD /path"` -> requests (paths as received, without `/emby` and query)."""
        return dict(self._counts)

    def count(self, path: str, method: str | None = None) -> int:
        """Requests to exactly `path` (`{id}` matches one segment), any method unless given."""
        wanted = method.upper() if method else None
        regex = template_regex(path)
        total = 0
        for key, value in self._counts.items():
            key_method, _, key_path = key.partition(" ")
            if wanted is not None and key_method != wanted:
                continue
            if regex.match(key_path):
                total += value
        return total

    def reset(self) -> None:
        """Forget counts and records."""
        self._counts.clear()
        self.records.clear()
