"""The checks of the end-to-end run: each named, timed, passed or failed with a message, and the
closing `e2e: N passed, N failed` line CI reads."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class CheckFailed(Exception):
    """A check did not hold; the message says what was expected and what was seen."""


async def wait_until(
    probe: Callable[[], Awaitable[Any]],
    within: float,
    failure: str,
    interval: float = 0.25,
    detail: Callable[[], str] | None = None,
) -> Any:
    """Poll `probe` until it returns something truthy; CheckFailed(failure) after `within` s
    (with `detail()`, the last thing seen)."""
    deadline = time.monotonic() + within
    while True:
        if result := await probe():
            return result
        if time.monotonic() > deadline:
            seen = f"; last seen: {detail()}" if detail else ""
            raise CheckFailed(f"{failure} (waited {within:.0f} s{seen})")
        await asyncio.sleep(interval)


def expect(condition: object, message: str) -> None:
    """CheckFailed(message) unless `condition` holds."""
    if not condition:
        raise CheckFailed(message)


@dataclass
class Checks:
    """Runs checks in order and keeps their outcome."""

    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    async def run(self, name: str, check: Callable[[], Awaitable[str | None]]) -> bool:
        """Run one check; its return value is a detail printed with PASS."""
        start = time.monotonic()
        print(f"--> {name}", flush=True)
        try:
            detail = await check()
        except CheckFailed as err:
            self.failed.append((name, str(err)))
            print(f"FAIL {name}: {err}", flush=True)
            return False
        except Exception as err:  # a bug in a check is a failed check, with its trace
            self.failed.append((name, repr(err)))
            print(f"FAIL {name}: {err!r}", flush=True)
            traceback.print_exc()
            return False
        took = time.monotonic() - start
        self.passed.append(name)
        suffix = f" ({detail})" if detail else ""
        print(f"PASS {name} [{took:.1f} s]{suffix}", flush=True)
        return True

    def not_run(self, names: list[str], reason: str) -> None:
        """Checks that could not run because an earlier one failed: they count as failed."""
        for name in names:
            self.failed.append((name, f"not run: {reason}"))
            print(f"FAIL {name}: not run: {reason}", flush=True)

    def summary(self) -> str:
        """The closing lines; the last one is `e2e: N passed, N failed`."""
        lines = [f"  {note}" for note in self.notes]
        lines += [f"  FAILED {name}: {message.splitlines()[0]}" for name, message in self.failed]
        lines.append(f"e2e: {len(self.passed)} passed, {len(self.failed)} failed")
        return "\n".join(lines)
