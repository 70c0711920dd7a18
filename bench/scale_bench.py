"""Cost against library size and client count, the core next to plain Python; prints JSON.

    python bench/scale_bench.py [--calls N]

Library size (1k, 10k, 100k movies): one page of 100 items from the middle of the library, not
cached (a different page each call): the core's `get_items` next to aiohttp + orjson. Client
count (10, 100, 1,000 sessions, 2 playing): one `GET /Sessions` (the core's `get_sessions`
next to aiohttp + orjson building the same objects, bench/reference_reader.py), and one pushed
`Sessions` frame read to objects in Python (the core's event stream next to an aiohttp
WebSocket + orjson). Cost is the CPU time of the calling event loop's thread per call or push
(the loop Home Assistant would run on), median of the repetitions; wall time beside it.
The simulator runs on its own thread. Nothing asserts a figure.
"""

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embymedia_core import EmbyClient
from memory_bench import start_simulator
from reference_reader import parse_session
from simulator_thread import SimulatorThread

from emby_simulator import EmbySimulator, SimulatorConfig

KEY = "bench-scale-key"
ROOT = Path.cwd()
"""The directory holding emby_simulator (scripts/bench runs this from the run directory)."""
LIBRARY_SIZES = (1_000, 10_000, 100_000)
CLIENT_COUNTS = (10, 100, 1_000)


def median_us(samples_ns: list[int]) -> float:
    """Median in microseconds."""
    return round(statistics.median(samples_ns) / 1000, 1)


async def per_call(calls: int, make: Callable[[int], Awaitable[Any]]) -> dict[str, float]:
    """Loop-thread CPU and wall time per awaited call (median)."""
    cpu: list[int] = []
    wall: list[int] = []
    for index in range(calls):
        w, c = time.perf_counter_ns(), time.thread_time_ns()
        await make(index)
        cpu.append(time.thread_time_ns() - c)
        wall.append(time.perf_counter_ns() - w)
    return {"loop_cpu_us": median_us(cpu), "wall_us": median_us(wall)}


async def library_point(movies: int, calls: int) -> dict[str, Any]:
    """A page of 100 items from a library of `movies` movies. The simulator runs in a child
    process here: its sorting of a large library would otherwise compete for this one's GIL."""
    options = ("--users", "1", "--clients", "1", "--playing", "0", "--libraries", "1")
    proc, port = start_simulator(ROOT, KEY, (*options, "--movies", str(movies)))
    core = EmbyClient("127.0.0.1", port, KEY, device_id="bench-scale")
    http = aiohttp.ClientSession(headers={"X-Emby-Token": KEY})
    uid = (await core.get_users())[0]["id"]
    url = f"http://127.0.0.1:{port}/Users/{uid}/Items"
    middle = movies // 2

    async def python_page(index: int) -> Any:
        params = {"Recursive": "true", "IncludeItemTypes": "Movie", "Limit": "100"}
        params["StartIndex"] = str(middle + index)
        async with http.get(url, params=params) as response:
            return orjson.loads(await response.read())

    try:
        point = {
            "movies": movies,
            "core": await per_call(
                calls,
                lambda i: core.get_items(
                    uid, recursive=True, include_item_types=["Movie"], limit=100,
                    start_index=middle + 1000 + i,
                ),
            ),
            "python": await per_call(calls, python_page),
        }  # fmt: skip
    finally:
        await core.close()
        await http.close()
        proc.terminate()
        proc.wait(10)
    return point


async def clients_point(clients: int, calls: int) -> dict[str, Any]:
    """`GET /Sessions` and one pushed `Sessions` frame with `clients` sessions."""
    simulator = SimulatorThread(
        SimulatorConfig(api_key=KEY, users=3, clients=clients, playing=2, script=False)
    )
    sim = simulator.start()
    core = EmbyClient("127.0.0.1", sim.port, KEY, device_id="bench-scale-core")
    http = aiohttp.ClientSession(headers={"X-Emby-Token": KEY})
    base = f"127.0.0.1:{sim.port}"

    async def python_poll(_: int) -> Any:
        async with http.get(f"http://{base}/Sessions") as response:
            return [parse_session(raw) for raw in orjson.loads(await response.read())]

    try:
        point: dict[str, Any] = {
            "sessions": clients,
            "poll": {
                "core": await per_call(calls, lambda _: core.get_sessions()),
                "python": await per_call(calls, python_poll),
            },
        }
        point["push"] = {
            "core": await core_push(simulator, core, calls),
            "python": await python_push(simulator, http, base, calls),
        }
    finally:
        await core.close()
        await http.close()
        simulator.stop()
    return point


def pusher(stamps: list[tuple[int, int]], cpu_clock: int) -> Callable[[EmbySimulator], None]:
    """A function for the simulator's loop: one Sessions frame, stamped as it is queued."""

    def _push(sim: EmbySimulator) -> None:
        data = sim.sessions_json()
        stamps.append((time.perf_counter_ns(), time.clock_gettime_ns(cpu_clock)))
        sim.send_ws("Sessions", data)

    return _push


async def core_push(simulator: SimulatorThread, core: EmbyClient, pushes: int) -> dict[str, Any]:
    """Frame to session objects in Python through the core's event stream."""
    stream = core.events()
    while not any(e["type"] == "sessions" for e in await anext(stream)):
        pass
    cpu_clock = time.pthread_getcpuclockid(threading.get_ident())
    stamps: list[tuple[int, int]] = []
    cpu: list[int] = []
    wall: list[int] = []
    for index in range(pushes):
        simulator.post(pusher(stamps, cpu_clock))
        while True:
            batch = await anext(stream)
            # A sessions event queued before this push was stamped is not its arrival.
            if len(stamps) > index and any(e["type"] == "sessions" for e in batch):
                break
        c, w = time.clock_gettime_ns(cpu_clock), time.perf_counter_ns()
        cpu.append(c - stamps[-1][1])
        wall.append(w - stamps[-1][0])
    del stream  # the stream ends with the client
    return {"loop_cpu_us": median_us(cpu), "wall_us": median_us(wall)}


async def python_push(
    simulator: SimulatorThread, http: aiohttp.ClientSession, base: str, pushes: int
) -> dict[str, Any]:
    """Frame to session objects with aiohttp + orjson."""
    ws = await http.ws_connect(f"ws://{base}/embywebsocket?api_key={KEY}&deviceId=bench-scale-py")
    await ws.send_str('{"MessageType":"SessionsStart","Data":"0,1500"}')

    async def next_sessions() -> list[Any]:
        while True:
            msg = await ws.receive()
            frame = orjson.loads(msg.data)
            if frame.get("MessageType") == "Sessions":
                return [parse_session(raw) for raw in frame["Data"]]

    await next_sessions()
    cpu_clock = time.pthread_getcpuclockid(threading.get_ident())
    stamps: list[tuple[int, int]] = []
    cpu: list[int] = []
    wall: list[int] = []
    for _ in range(pushes):
        simulator.post(pusher(stamps, cpu_clock))
        await next_sessions()
        c, w = time.clock_gettime_ns(cpu_clock), time.perf_counter_ns()
        cpu.append(c - stamps[-1][1])
        wall.append(w - stamps[-1][0])
    await ws.close()
    return {"loop_cpu_us": median_us(cpu), "wall_us": median_us(wall)}


async def run(calls: int) -> dict[str, Any]:
    """Every point."""
    return {
        "benchmark": "scale",
        "calls": calls,
        "library": [await library_point(n, calls) for n in LIBRARY_SIZES],
        "clients": [await clients_point(n, calls) for n in CLIENT_COUNTS],
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="repetitions per point")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(max(5, args.calls)))))


if __name__ == "__main__":
    main()
