"""Child process of `test_websocket.py::test_interpreter_exit_with_the_socket_open_never_crashes`.

Runs a simulator on its own thread, opens the core's WebSocket with events in flight (a flood of
Sessions frames while Python reads), then lets the interpreter exit without closing the client,
in one of three ways (argv[1]):

* `return`: `asyncio.run` returns while the reading task is pending (asyncio cancels it).
* `thread`: the reading loop runs on a daemon thread that is still busy when the main thread
  returns; the interpreter finalizes under it.
* `exit`: `sys.exit()` from inside the reading coroutine.

Prints `READY` once events flowed; the parent checks the exit status and stderr.
"""

import asyncio
import sys
import threading
import time

from embymedia_core import EmbyClient

from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "exit-test-key"
FLOOD = 3000


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
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        async with EmbySimulator(SimulatorConfig(api_key=API_KEY, clients=4, playing=2)) as sim:
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

    task = asyncio.create_task(consume())
    await asyncio.wait_for(flowing.wait(), 20)
    server.flood()
    print("READY", flush=True)
    await asyncio.sleep(0.05)  # let the flood reach the core
    leave.set()
    if exit_inside:
        await asyncio.wait_for(task, 20)


def main() -> None:
    mode = sys.argv[1]
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
