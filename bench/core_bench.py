"""Micro-benchmark of the core's REST client as Python sees it; prints one JSON document.

    python bench/core_bench.py [--calls N]

Against the Emby simulator on loopback (same process, so upstream figures include the
simulator's own Python time):

- cache_hit: cost of one awaited call answered from the browse cache (Rust lookup, conversion
  to dicts, the asyncio wake-up), for a small answer and for a page of 100 items;
- conversion: what the dicts cost per item (hit of 100 items minus hit of 1, divided by 99),
  next to `json.loads` of the same items as JSON text: the cheapest way Python itself builds
  such dicts (the pyclass alternative is measured by bench/pyclass_vs_dict/run.py; both
  figures and the decision are in docs/ARCHITECTURE.md);
- miss: one call that goes upstream (request, parse, convert);
- coalescing: 10 concurrent identical calls while the server takes 200 ms (one upstream
  request, the wall time of all ten) next to 10 concurrent different ones (ten requests).

Nothing here asserts a timing; scripts/bench prints the figures.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from embymedia_core import EmbyClient

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

KEY = "bench-key"


def summary(samples_ns: list[int]) -> dict[str, float]:
    """Median, p95 and mean of per-call times, in microseconds."""
    ordered = sorted(samples_ns)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "median_us": round(statistics.median(ordered) / 1000, 2),
        "p95_us": round(p95 / 1000, 2),
        "mean_us": round(statistics.fmean(ordered) / 1000, 2),
        "calls": len(ordered),
    }


async def timed(calls: int, make: Any) -> list[int]:
    """Per-call durations of `calls` sequential awaits of `make()`."""
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        await make()
        samples.append(time.perf_counter_ns() - started)
    return samples


async def run(calls: int) -> dict[str, Any]:
    """Every figure, against one simulator."""
    config = SimulatorConfig(api_key=KEY, users=1, clients=2, playing=1, movies=300)
    async with EmbySimulator(config) as sim:
        client = EmbyClient("127.0.0.1", sim.port, KEY, device_id="core-bench")
        try:
            uid = str(sim.users[0]["Id"])
            big = {"recursive": True, "include_item_types": ["Movie"], "limit": 100}
            one = {"recursive": True, "include_item_types": ["Movie"], "limit": 1}
            page = await client.get_items(uid, **big)
            await client.get_items(uid, **one)
            await client.get_views(uid)

            hit_views = await timed(calls, lambda: client.get_views(uid))
            hit_100 = await timed(calls, lambda: client.get_items(uid, **big))
            hit_1 = await timed(calls, lambda: client.get_items(uid, **one))

            text = json.dumps(page["items"])
            parse = []
            for _ in range(calls):
                started = time.perf_counter_ns()
                json.loads(text)
                parse.append(time.perf_counter_ns() - started)
            items = len(page["items"])

            miss_calls = max(20, calls // 20)
            counter = iter(range(10**9))
            miss = await timed(
                miss_calls,
                lambda: client.get_items(
                    uid, recursive=True, limit=1, start_index=next(counter) % 250
                ),
            )
            client.invalidate_all()

            sim.set_fault(Fault(latency=0.2, paths=("/Users/{id}/Items",)))
            sim.reset_counts()
            started = time.perf_counter_ns()
            await asyncio.gather(*(client.get_items(uid, limit=7) for _ in range(10)))
            same_ns = time.perf_counter_ns() - started
            same_requests = sim.count("/Users/{id}/Items")
            sim.reset_counts()
            started = time.perf_counter_ns()
            await asyncio.gather(*(client.get_items(uid, limit=8 + i) for i in range(10)))
            different_ns = time.perf_counter_ns() - started
            different_requests = sim.count("/Users/{id}/Items")
            sim.set_fault(None)

            per_item_ns = (statistics.median(hit_100) - statistics.median(hit_1)) / (items - 1)
            per_item_json_ns = statistics.median(parse) / items
            return {
                "benchmark": "core_rest_from_python",
                "cache_hit": {
                    "views": summary(hit_views),
                    "items_100": summary(hit_100),
                    "items_1": summary(hit_1),
                },
                "conversion": {
                    "items": items,
                    "dict_per_item_us": round(per_item_ns / 1000, 3),
                    "json_loads_per_item_us": round(per_item_json_ns / 1000, 3),
                    "ratio_dict_to_json_loads": round(per_item_ns / per_item_json_ns, 2),
                },
                "miss": summary(miss),
                "coalescing": {
                    "identical_calls": 10,
                    "identical_upstream_requests": same_requests,
                    "identical_wall_ms": round(same_ns / 1e6, 1),
                    "different_calls": 10,
                    "different_upstream_requests": different_requests,
                    "different_wall_ms": round(different_ns / 1e6, 1),
                    "server_latency_ms": 200,
                },
                "metrics": client.metrics()["cache_stats"],
            }
        finally:
            await client.close()


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per cache-hit figure")
    args = parser.parse_args()
    result = asyncio.run(run(max(10, args.calls)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
