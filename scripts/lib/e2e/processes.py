"""The processes of the end-to-end run: the Emby simulator and Home Assistant, each in its own
process group with its output in a log file."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

from .checks import CheckFailed

T = TypeVar("T")


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 (the run owns its network namespace)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ManagedProcess:
    """One program started in a new process group; stopping it signals the whole group."""

    def __init__(self, name: str, argv: list[str], log_path: Path) -> None:
        """Nothing runs until `start`."""
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self.returncode: int | None = None

    async def start(self) -> None:
        """Start it; its stdout and stderr go to the log (appended, one log across restarts)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        self.returncode = None

    @property
    def running(self) -> bool:
        """Started and not yet exited."""
        return self._process is not None and self._process.returncode is None

    def log_text(self) -> str:
        """Everything it printed so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 25) -> str:
        """The end of its log, for failure messages."""
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def wait_for_output(
        self, pattern: str, within: float, *, since: int = 0
    ) -> re.Match[str]:
        """Wait until its log (from byte `since`) matches `pattern`; fails when it exits first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + within
        while True:
            if match := regex.search(self.log_text()[since:]):
                return match
            if not self.running:
                raise CheckFailed(
                    f"{self.name} exited (code {self.exit_code()}) before printing "
                    f"{pattern!r}:\n{self.tail()}"
                )
            if time.monotonic() > deadline:
                raise CheckFailed(
                    f"{self.name} did not print {pattern!r} within {within:.0f} s:\n{self.tail()}"
                )
            await asyncio.sleep(0.2)

    async def while_running(self, work: Awaitable[T]) -> T:
        """`work`'s result; CheckFailed with the log's end if the process exits first."""
        assert self._process is not None
        task = asyncio.ensure_future(work)
        exited = asyncio.ensure_future(self._process.wait())
        try:
            await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not task.done():
            task.cancel()
            raise CheckFailed(f"{self.name} exited with code {self.exit_code()}:\n{self.tail()}")
        return task.result()

    def exit_code(self) -> int | None:
        """Its exit code once it exited."""
        if self._process is not None and self._process.returncode is not None:
            self.returncode = self._process.returncode
        return self.returncode

    async def stop(self, within: float) -> int:
        """SIGTERM to its group, SIGKILL after `within` seconds; returns the exit code."""
        process = self._process
        if process is None:
            raise RuntimeError(f"{self.name} was never started")
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), within)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
                raise CheckFailed(
                    f"{self.name} did not stop within {within:.0f} s of SIGTERM (killed)"
                ) from None
        # Whatever it left behind in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        self.returncode = process.returncode
        return int(process.returncode or 0)
