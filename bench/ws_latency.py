"""Event latency of the core's WebSocket: from the simulator writing a frame to Python holding the
event, through `client.events()` taken as the integration takes it (a reader on the stream's
descriptor), side by side with a plain aiohttp WebSocket read in Python (what
a pure-Python integration does).

The simulator runs on its own thread and loop (bench/simulator_thread.py); each frame carries the
`time.perf_counter_ns()` of its sending in its Data, and the reader subtracts it on arrival. Two
scenarios per reader:

* single: one frame, wait for it, next frame (the latency of an isolated event);
* burst: N frames back to back (per-event latency under load and events per second).

Usage (scripts/bench runs it; standalone from the repository root):

    python bench/ws_latency.py [--frames 2000] [--burst 5000] [--rounds 3] [--out FILE.json]

Figures depend on the machine and its load: compare the two readers of one run, not runs.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embymedia_core import EmbyClient
from simulator_thread import SimulatorThread

from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "bench-latency-key"
DEVICE_ID = "bench-latency"
MESSAGE = "UserDeleted"  # Data is a bare string: the send timestamp, untouched by either reader

type Arrival = Callable[[], Awaitable[list[int]]]


def send_stamped(count: int) -> Callable[[EmbySimulator], None]:
    """A function for the simulator's loop: `count` frames, each stamped as it is queued."""

    def _send(sim: EmbySimulator) -> None:
        for _ in range(count):
            sim.send_ws(MESSAGE, str(time.perf_counter_ns()))

    return _send


async def core_reader(port: int, burst: int) -> tuple[Arrival, Callable[[], Awaitable[None]]]:
    """Events through the Rust core, taken as the integration takes them (events.py): a reader
    on the stream's descriptor takes each batch in its callback, where the stamp is read (the
    integration handles the batch right there). Returns (next arrival stamps, close). The queue
    holds the whole burst: this measures latency, not what a flood drops."""
    loop = asyncio.get_running_loop()
    client = EmbyClient("127.0.0.1", port, API_KEY, device_id=DEVICE_ID)
    stream = client.events(queue_capacity=min(burst + 64, 100_000))
    arrived: list[int] = []
    connected = loop.create_future()
    waiter: asyncio.Future[None] | None = None

    def _take() -> None:
        batch = stream.take()
        now = time.perf_counter_ns()
        if not batch:
            return
        for e in batch:
            if e["type"] == "user_deleted" and e["user_id"]:
                arrived.append(now - int(e["user_id"]))
            elif e["type"] == "sessions" and not connected.done():
                connected.set_result(None)
        if arrived and waiter is not None and not waiter.done():
            waiter.set_result(None)

    fd = stream.fileno()
    loop.add_reader(fd, _take)
    await connected

    async def arrivals() -> list[int]:
        nonlocal waiter
        while not arrived:
            waiter = loop.create_future()
            await waiter
        got = arrived[:]
        arrived.clear()
        return got

    async def close() -> None:
        loop.remove_reader(fd)
        stream.release()
        await client.close()

    return arrivals, close


async def aiohttp_reader(port: int, burst: int) -> tuple[Arrival, Callable[[], Awaitable[None]]]:
    """The same frames read with aiohttp and json.loads in Python."""
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(
        f"ws://127.0.0.1:{port}/embywebsocket?api_key={API_KEY}&deviceId={DEVICE_ID}-aiohttp",
        heartbeat=30,
    )
    await ws.send_str(json.dumps({"MessageType": "SessionsStart", "Data": "0,1500"}))

    async def arrivals() -> list[int]:
        while True:
            msg = await ws.receive()
            now = time.perf_counter_ns()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"socket ended: {msg.type}")
            frame = json.loads(msg.data)
            if frame.get("MessageType") == MESSAGE:
                return [now - int(frame["Data"])]

    async def close() -> None:
        await ws.close()
        await session.close()

    return arrivals, close


def summary(latencies_ns: list[int], seconds: float | None = None) -> dict[str, float]:
    """Percentiles in microseconds (and throughput when timed)."""
    us = sorted(n / 1000 for n in latencies_ns)
    q = statistics.quantiles(us, n=100)
    out = {
        "events": len(us),
        "p50_us": round(q[49], 1),
        "p90_us": round(q[89], 1),
        "p99_us": round(q[98], 1),
        "max_us": round(us[-1], 1),
        "mean_us": round(statistics.fmean(us), 1),
    }
    if seconds:
        out["events_per_s"] = round(len(us) / seconds)
    return out


async def measure(
    server: SimulatorThread, reader: Arrival, frames: int, burst: int
) -> tuple[list[int], list[int], float]:
    """Both scenarios for one reader: single latencies, burst latencies, the burst's seconds."""
    single: list[int] = []
    for _ in range(frames):
        await server.call(send_stamped(1))
        while not (got := await reader()):
            pass
        single += got
    burst_latencies: list[int] = []
    started = time.perf_counter()
    await server.call(send_stamped(burst))
    while len(burst_latencies) < burst:
        burst_latencies += await reader()
    return single, burst_latencies, time.perf_counter() - started


async def main(frames: int, burst: int, rounds: int) -> dict[str, Any]:
    """The readers take turns, `rounds` times (so neither is favoured by what else the machine
    did during its run); each reader's rounds are pooled."""
    server = SimulatorThread(SimulatorConfig(api_key=API_KEY, clients=2, playing=0))
    sim = server.start()
    results: dict[str, Any] = {"frames": frames, "burst": burst, "rounds": rounds}
    pooled: dict[str, tuple[list[int], list[int], list[float]]] = {
        "core": ([], [], []),
        "aiohttp": ([], [], []),
    }
    try:
        for _ in range(rounds):
            for name, make in (("core", core_reader), ("aiohttp", aiohttp_reader)):
                reader, close = await make(sim.port, burst)
                try:
                    single, burst_latencies, seconds = await measure(server, reader, frames, burst)
                finally:
                    await close()
                pooled[name][0].extend(single)
                pooled[name][1].extend(burst_latencies)
                pooled[name][2].append(seconds)
    finally:
        server.stop()
    for name, (single, burst_latencies, seconds) in pooled.items():
        results[name] = {
            "single": summary(single),
            "burst": summary(burst_latencies, sum(seconds)),
        }
    return results


def print_table(results: dict[str, Any]) -> None:
    print(f"WebSocket event latency, frame written -> event in Python ({results['frames']} single,")
    print(f"{results['burst']} in a burst); microseconds")
    print(f"{'reader':10} {'scenario':8} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9} {'ev/s':>9}")
    for name in ("core", "aiohttp"):
        for scenario in ("single", "burst"):
            r = results[name][scenario]
            rate = r.get("events_per_s", "")
            print(
                f"{name:10} {scenario:8} {r['p50_us']:>9} {r['p90_us']:>9} {r['p99_us']:>9} "
                f"{r['max_us']:>9} {rate:>9}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=2000, help="single-frame round trips")
    parser.add_argument("--burst", type=int, default=5000, help="frames in the burst")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each reader, pooled")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    results = asyncio.run(main(args.frames, args.burst, max(1, args.rounds)))
    print_table(results)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
