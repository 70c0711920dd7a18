"""Instruments of the fault suite: a loop-lag probe, a simulator on its own thread (so a flood
does not wait for Home Assistant's loop, as a real server would not) or in its own process (so
its Python work does not hold this process's GIL either), and the report every fault test
prints (recovery time, what was lost)."""

import asyncio
import contextlib
import re
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Self

from embymedia_core import POSITION_TOLERANCE_S, Session

from emby_simulator import EmbySimulator, SimulatorConfig
from emby_simulator.flood import TICKS_PER_SECOND, FloodResult

type WaitUntil = Callable[..., Awaitable[None]]

# The probe's sleep: short, so a stall shows to within a few ms.
PROBE_INTERVAL = 0.002


class LoopLag:
    """The longest time the running loop went without running a task that wanted to run: a
    task sleeps `PROBE_INTERVAL` again and again and records how late it wakes up."""

    def __init__(self) -> None:
        """Not running until `start`."""
        self.max_stall = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start probing on the running loop (resets the figures)."""
        self.max_stall = 0.0
        self.samples = 0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> float:
        """Stop probing; the longest stall in seconds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        return self.max_stall

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(PROBE_INTERVAL)
            now = time.perf_counter()
            self.max_stall = max(self.max_stall, now - last - PROBE_INTERVAL)
            self.samples += 1
            last = now


class ThreadedSimulator:
    """An `EmbySimulator` serving from its own thread and event loop."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Built, not started."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="emby-simulator", daemon=True
        )
        self.sim = EmbySimulator(config)

    def start(self) -> EmbySimulator:
        """Serve; returns the simulator (touch it only through `call` / `run`)."""
        self._thread.start()
        self.run(self.sim.start()).result()
        return self.sim

    def run[T](self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run a coroutine on the simulator's loop."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call[T](self, func: Callable[[], T]) -> T:
        """Run a plain call on the simulator's loop and wait for its result."""

        async def _call() -> T:
            return func()

        return self.run(_call()).result()

    def stop(self) -> None:
        """Stop serving and join the thread."""
        self.run(self.sim.stop()).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class ProcessSimulator:
    """`python -m emby_simulator` in a process of its own, for what a threaded simulator would
    distort: its queries over a huge library hold the GIL for tens of milliseconds (measured:
    up to 65 ms of stall of an idle loop per request for 100,000 movies), which a real server,
    another process, never does to Home Assistant's loop."""

    STARTED = re.compile(r"listening on (?P<url>\S+) \(server id (?P<server_id>[^)]+)\)")

    def __init__(self, api_key: str, **sizes: int) -> None:
        """Built, not started; `sizes` are SimulatorConfig's size fields (movies=100_000)."""
        self.api_key = api_key
        self.sizes = sizes
        self._args = [sys.executable, "-m", "emby_simulator", "--port", "0", "--api-key", api_key]
        for name, value in sizes.items():
            self._args += ["--" + name.replace("_", "-"), str(value)]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""
        self.server_id = ""

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.url.rsplit(":", 1)[1])

    def __enter__(self) -> Self:
        """Start and wait for its first line (it prints once it listens)."""
        self._process = subprocess.Popen(
            self._args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if (started := self.STARTED.search(line)) is None:
            self.__exit__()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.url, self.server_id = started["url"], started["server_id"]
        return self

    def __exit__(self, *_: object) -> None:
        """Stop it (SIGTERM, then wait)."""
        if self._process is not None:
            self._process.terminate()
            self._process.communicate(timeout=60)
            self._process = None


def shows_the_flood_end(shown: dict[str, Session], flood: FloodResult) -> bool:
    """Whether every client `shown` that the flood played ends where its last frame put it.

    Each frame moves its client on by 1 s of position, hundreds of seconds in a flood; the core
    hands a report over only when it is off the position extrapolated from the last one handed
    over by more than the tolerance (steady playback is not a change). So a client shows its
    last frame's position less at most the tolerance and the time the flood ran; a lost batch
    leaves it far further behind."""
    slack = round((POSITION_TOLERANCE_S + flood.seconds) * TICKS_PER_SECOND)
    return all(
        0 <= last - (shown[device].play_state.position_ticks or 0) <= slack
        for device, last in flood.last_positions.items()
        if device in shown
    )


@dataclass
class FaultReport:
    """One line of the fault table (issue 14): printed, so `pytest -s` and the bench show it."""

    fault: str
    recovery_s: float | None = None
    requests_lost: int = 0
    events_lost: int = 0
    loop_stall_ms: float | None = None
    note: str = ""

    def emit(self) -> None:
        """Print the line (`FAULT |` prefix: scripts/bench collects them)."""
        recovery = "-" if self.recovery_s is None else f"{self.recovery_s:.2f} s"
        stall = "-" if self.loop_stall_ms is None else f"{self.loop_stall_ms:.1f} ms"
        print(
            f"FAULT | {self.fault} | recovery {recovery} | requests lost {self.requests_lost}"
            f" | events lost {self.events_lost} | loop stall {stall} | {self.note}"
        )
