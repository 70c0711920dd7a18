"""The Emby simulator on its own thread and event loop.

Home Assistant's loop then runs only Home Assistant and the integration under test, and the
simulator's CPU time (its thread's clock) can be subtracted from the process's.
"""

import asyncio
import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

from emby_simulator import EmbySimulator, SimulatorConfig

START_TIMEOUT = 30.0


class SimulatorThread:
    """Runs `EmbySimulator(config)` in a thread; `call` runs a function on it from another loop."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Prepare (nothing runs until `start`)."""
        self._config = config
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="emby-simulator", daemon=True)
        self.sim: EmbySimulator | None = None

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        try:
            async with EmbySimulator(self._config) as sim:
                self.sim = sim
                self._ready.set()
                await self._stopped.wait()
        except BaseException as err:
            self._error = err
            raise
        finally:
            self._ready.set()

    def start(self) -> EmbySimulator:
        """Start the thread and wait (bounded) until the simulator listens."""
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self.sim is None:
            raise RuntimeError(f"the simulator did not start: {self._error!r}")
        return self.sim

    async def call[T](self, fn: Callable[[EmbySimulator], T]) -> Any:
        """Run `fn(sim)` on the simulator's loop (awaiting it if it returns an awaitable)."""

        async def _run() -> Any:
            assert self.sim is not None
            result: Any = fn(self.sim)
            if inspect.isawaitable(result):
                result = await result
            return result

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_run(), self._loop))

    def post(self, fn: Callable[[EmbySimulator], object]) -> None:
        """Run `fn(sim)` on the simulator's loop soon, without waiting (the caller's loop does no
        work for it, which the per-update figures rely on)."""
        self._loop.call_soon_threadsafe(lambda: fn(self.sim) if self.sim is not None else None)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the simulator's thread has used."""
        ident = self._thread.ident
        if ident is None or not self._thread.is_alive():
            return 0.0
        return time.clock_gettime(time.pthread_getcpuclockid(ident))

    def stop(self, timeout: float = 10.0) -> None:
        """Leave the simulator's context and join the thread (bounded)."""
        stopped = self._stopped
        if stopped is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(stopped.set)
        self._thread.join(timeout)
