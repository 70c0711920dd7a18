"""Child process of `test_websocket.py::test_interpreter_exit_with_the_socket_open_never_crashes`.

Runs a simulator on its own thread, opens the core's WebSocket with events in flight (a flood of
Sessions frames while Python reads) and REST calls in flight (the simulator answers `/Sessions`
late; some calls are awaited by tasks, others are bare futures nobody awaits, so asyncio's own
cancellation at exit does not end them), then lets the interpreter exit without closing the
client, in one of three ways (argv[1]):

* `return`: `asyncio.run` returns while the reading and calling tasks are pending (asyncio
  cancels them; the bare futures stay in flight).
* `thread`: the reading loop runs on a daemon thread that is still busy when the main thread
  returns; the interpreter finalizes under it.
* `exit`: `sys.exit()` from inside the reading coroutine.

Prints `READY` once events flowed and `REST IN FLIGHT <n>` (bare calls not answered yet) just
before it leaves; the parent checks those, the exit status and stderr.
"""

import asyncio
import logging
import sys
import threading
import time
from collections.abc import Awaitable

from embymedia_core import EmbyClient

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

API_KEY = "exit-test-key"
FLOOD = 3000
# Server delay of every REST call: longer than the exit takes, so the calls end only when the
# atexit hook closes the client, i.e. while the interpreter is on its way out.
REST_LATENCY_S = 0.5
# REST calls started per tick of the caller (every 5 ms while the loop runs).
CALLS_PER_TICK = 2
# Futures nobody awaits (kept alive here so they are not garbage collected before the exit).
BARE_CALLS: list[Awaitable[object]] = []


class SimulatorThread:
    """The simulator on its own loop, so it keeps sending while the main interpreter exits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.sim: EmbySimulator | None = None
        threading.Thread(target=self._main, name="sim", daemon=True).start()
        if not self.ready.wait(30) or self.sim is None:
            raise RuntimeError("simulator did not start")

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        # The server's own complaints about connections cut at exit (aiohttp, the simulator,
        # its loop) go to stdout: the parent reads stderr for the crashes of the client side.
        self.loop.set_exception_handler(
            lambda _loop, context: print("simulator loop:", context.get("message"), flush=True)
        )
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        async with EmbySimulator(SimulatorConfig(api_key=API_KEY, clients=4, playing=2)) as sim:
            sim.set_fault(Fault(latency=REST_LATENCY_S, paths=("/Sessions",)))
            self.sim = sim
            self.ready.set()
            await asyncio.Event().wait()

    def flood(self) -> None:
        """A burst, then a steady stream of frames until the process is gone, so events are
        in flight at every moment of the exit."""
        sim = self.sim
        assert sim is not None

        async def stream() -> None:
            sim.flood_sessions(FLOOD)
            while True:
                sim.flood_sessions(20)
                await asyncio.sleep(0.002)

        self.loop.call_soon_threadsafe(lambda: self.loop.create_task(stream()))


async def read_until_flowing(server: SimulatorThread, exit_inside: bool) -> None:
    assert server.sim is not None
    client = EmbyClient("127.0.0.1", server.sim.port, API_KEY, device_id="exit-test")
    stream = client.events(ping_interval_s=0.2, read_timeout_s=5.0, backoff_base_s=0.05)
    flowing = asyncio.Event()
    leave = asyncio.Event()

    async def consume() -> None:
        async for batch in stream:
            if any(event["type"] == "sessions" for event in batch):
                flowing.set()
            if exit_inside and leave.is_set():
                sys.exit(0)

    async def call() -> None:
        """Awaited calls, one after the other, forever."""
        while True:
            await client.get_sessions()

    async def start_calls() -> None:
        """Bare calls, started without pause until the loop stops."""
        while True:
            BARE_CALLS.extend(client.get_sessions() for _ in range(CALLS_PER_TICK))
            await asyncio.sleep(0.005)

    task = asyncio.create_task(consume())
    await asyncio.wait_for(flowing.wait(), 20)
    callers = [asyncio.create_task(call()) for _ in range(5)]
    callers.append(asyncio.create_task(start_calls()))
    server.flood()
    print("READY", flush=True)
    await asyncio.sleep(0.05)  # let the flood reach the core
    in_flight = sum(1 for f in BARE_CALLS if asyncio.isfuture(f) and not f.done())
    print(f"REST IN FLIGHT {in_flight}", flush=True)
    leave.set()
    if exit_inside:
        await asyncio.wait_for(task, 20)
    assert not any(c.done() for c in callers)  # still calling as the interpreter exits


def main() -> None:
    mode = sys.argv[1]
    to_stdout = logging.StreamHandler(sys.stdout)
    for name in ("aiohttp", "emby_simulator"):
        server_logger = logging.getLogger(name)
        server_logger.addHandler(to_stdout)
        server_logger.propagate = False
    server = SimulatorThread()
    if mode == "return":
        asyncio.run(read_until_flowing(server, exit_inside=False))
    elif mode == "exit":
        asyncio.run(read_until_flowing(server, exit_inside=True))
    elif mode == "thread":
        started = threading.Event()

        def run_loop() -> None:
            loop = asyncio.new_event_loop()
            loop.run_until_complete(read_until_flowing(server, exit_inside=False))
            started.set()
            loop.run_forever()  # keeps reading events until the interpreter goes away

        threading.Thread(target=run_loop, name="reader", daemon=True).start()
        if not started.wait(30):
            raise RuntimeError("events did not flow")
        time.sleep(0.02)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
