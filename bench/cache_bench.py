"""Cache hits and coalescing from Python: the core next to a plain-Python LRU cache with an
asyncio-lock coalescer of the same behaviour; prints one JSON document.

    python bench/cache_bench.py [--calls N]

The plain-Python side is what a pure-Python integration would write: aiohttp fetches, an
`OrderedDict` LRU (500 entries, 5 min, like the core's browse cache) keyed by path and query, a
per-key `asyncio.Lock` so concurrent identical calls make one request, and the answer parsed
once with orjson and kept: callers share it, as they share the core's small answers
(src/python/memo.rs).

Figures: one awaited cache hit (a small answer: a user's views; a page of 100 items), wall time
and the calling thread's CPU time, medians and spread, the three readers of a figure taking
turns (20 turns); next to them the conversion alone: the
same dicts the core hands over, built by orjson from their JSON (`same_dicts`: the core's answer
has every field of its TypedDict, 37 an item, where Emby's JSON has those it fills, about 10, so
the plain-Python cache builds fewer objects). The core keeps the objects of small answers (at
most 32 items) and converts a page of 100 at every hit, so the page's hit is its conversion.
Then 100 concurrent identical calls while the server takes 200 ms (upstream requests, wall
time for all). The simulator runs on its own thread. Nothing asserts a figure.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embymedia_core import EmbyClient
from simulator_thread import SimulatorThread

from emby_simulator import Fault, SimulatorConfig

KEY = "bench-cache-key"
CONCURRENT = 100
LATENCY = 0.2


class PythonCache:
    """LRU + TTL cache with a per-key asyncio lock in front of aiohttp."""

    def __init__(self, base: str, max_entries: int = 500, ttl: float = 300.0) -> None:
        """Empty; `open()` makes the HTTP session."""
        self.base = base
        self.max_entries = max_entries
        self.ttl = ttl
        self.upstream = 0
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self._http: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        """The HTTP session."""
        self._http = aiohttp.ClientSession(headers={"X-Emby-Token": KEY})

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()

    def invalidate_all(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def _fresh(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def get(self, path: str, params: dict[str, Any]) -> Any:
        """The parsed answer of `GET path?params` (shared), from the cache when fresh."""
        key = f"{path}?{urlencode(sorted(params.items()))}"
        if (answer := self._fresh(key)) is not None:
            return answer
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if (answer := self._fresh(key)) is None:
                assert self._http is not None
                self.upstream += 1
                async with self._http.get(self.base + path, params=params) as response:
                    response.raise_for_status()
                    answer = orjson.loads(await response.read())
                self._entries[key] = (time.monotonic() + self.ttl, answer)
                if len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return answer


def spread(samples_ns: list[int]) -> dict[str, float]:
    """Median and spread in microseconds."""
    us = sorted(n / 1000 for n in samples_ns)
    q = statistics.quantiles(us, n=20)
    return {
        "samples": len(us),
        "median_us": round(statistics.median(us), 2),
        "p10_us": round(q[1], 2),
        "p90_us": round(q[17], 2),
        "iqr_us": round(q[14] - q[4], 2),
    }


# Each figure's calls are made in this many turns, the readers taking turns: a machine whose
# speed drifts (a shared 2-core machine) then slows every reader alike, not whichever ran last.
TURNS = 20


async def timed_in_turns(
    calls: int, readers: dict[str, tuple[Callable[[], Any], bool]]
) -> dict[str, dict[str, Any]]:
    """Wall and thread-CPU time per call of each reader (`(call, awaited)`), in TURNS turns."""
    wall: dict[str, list[int]] = {name: [] for name in readers}
    cpu: dict[str, list[int]] = {name: [] for name in readers}
    per_turn = max(1, calls // TURNS)
    for _ in range(TURNS):
        for name, (make, awaited) in readers.items():
            for _ in range(per_turn):
                w, c = time.perf_counter_ns(), time.thread_time_ns()
                if awaited:
                    await make()
                else:
                    make()
                cpu[name].append(time.thread_time_ns() - c)
                wall[name].append(time.perf_counter_ns() - w)
    return {name: {"wall": spread(wall[name]), "thread_cpu": spread(cpu[name])} for name in readers}


async def coalesce(
    simulator: SimulatorThread, make: Callable[[], Awaitable[Any]]
) -> dict[str, Any]:
    """CONCURRENT identical calls against a slow server: upstream requests and wall time."""
    await simulator.call(lambda s: s.reset_counts())
    started = time.perf_counter_ns()
    await asyncio.gather(*(make() for _ in range(CONCURRENT)))
    wall = time.perf_counter_ns() - started
    requests = await simulator.call(lambda s: s.count("/Users/{id}/Items"))
    return {"calls": CONCURRENT, "upstream_requests": requests, "wall_ms": round(wall / 1e6, 1)}


async def run(calls: int) -> dict[str, Any]:
    """Every figure for both caches."""
    # Enough movies for a full page of 100 (the simulator's default library has 40).
    simulator = SimulatorThread(
        SimulatorConfig(api_key=KEY, users=1, clients=2, playing=0, movies=150)
    )
    sim = simulator.start()
    uid = str(sim.users[0]["Id"])
    core = EmbyClient("127.0.0.1", sim.port, KEY, device_id="bench-cache")
    py = PythonCache(f"http://127.0.0.1:{sim.port}")
    await py.open()
    page = {"Recursive": "true", "IncludeItemTypes": "Movie", "Limit": "100"}
    results: dict[str, Any] = {"benchmark": "cache_hits_and_coalescing", "calls": calls}
    try:
        views_answer = await core.get_views(uid)
        page_answer = await core.get_items(
            uid, recursive=True, include_item_types=["Movie"], limit=100
        )
        results["items"] = {"views": len(views_answer), "page": len(page_answer["items"])}
        views = orjson.dumps(views_answer)
        items = orjson.dumps(page_answer)
        await py.get(f"/Users/{uid}/Views", {})
        await py.get(f"/Users/{uid}/Items", page)
        results["hit_small"] = await timed_in_turns(
            calls,
            {
                "core": (lambda: core.get_views(uid), True),
                "python": (lambda: py.get(f"/Users/{uid}/Views", {}), True),
                "same_dicts": (lambda: orjson.loads(views), False),
            },
        )
        results["hit_page_100"] = await timed_in_turns(
            calls,
            {
                "core": (
                    lambda: core.get_items(
                        uid, recursive=True, include_item_types=["Movie"], limit=100
                    ),
                    True,
                ),
                "python": (lambda: py.get(f"/Users/{uid}/Items", page), True),
                "same_dicts": (lambda: orjson.loads(items), False),
            },
        )
        await simulator.call(
            lambda s: s.set_fault(Fault(latency=LATENCY, paths=("/Users/{id}/Items",)))
        )
        core.invalidate_all()
        py.invalidate_all()
        results["coalescing"] = {
            "server_latency_ms": int(LATENCY * 1000),
            "core": await coalesce(simulator, lambda: core.get_items(uid, limit=7)),
            "python": await coalesce(
                simulator, lambda: py.get(f"/Users/{uid}/Items", {"Limit": 7})
            ),
        }
    finally:
        await core.close()
        await py.close()
        simulator.stop()
    return results


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per cache-hit figure")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(max(20, args.calls)))))


if __name__ == "__main__":
    main()
