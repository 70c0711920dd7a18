"""The fault being injected now, which paths it hits, and its seeded error draws."""

from __future__ import annotations

import asyncio
import random

from .accounting import template_regex
from .config import Fault


class FaultState:
    """The current `Fault` (None: none) and the seeded generator of its error draws."""

    def __init__(self, seed: int) -> None:
        """No fault yet."""
        self.current: Fault | None = None
        self._rng = random.Random(f"faults-{seed}")

    def for_path(self, path: str) -> Fault | None:
        """The current fault if it applies to `path` (or to a path above it)."""
        fault = self.current
        if fault is None:
            return None
        if not fault.paths:
            return fault
        parts = path.split("/")
        for pattern in fault.paths:
            regex = template_regex(pattern.rstrip("/"))
            # A pattern matches the path or any path below it.
            if any(regex.match("/".join(parts[:n])) for n in range(2, len(parts) + 1)):
                return fault
        return None

    async def failure_status(self, fault: Fault) -> int | None:
        """Wait the fault's latency; then the status to fail with, or None to answer normally."""
        if fault.latency > 0:
            await asyncio.sleep(fault.latency)
        if fault.force_status is not None:
            return fault.force_status
        if fault.error_rate > 0 and self._rng.random() < fault.error_rate:
            return 500
        return None

    @property
    def ws_stall(self) -> bool:
        """Sockets read and send nothing."""
        return self.current is not None and self.current.ws_stall

    @property
    def ws_malformed(self) -> bool:
        """Odd frames go out with every frame."""
        return self.current is not None and self.current.ws_malformed
