"""Browse benchmark (issue 10): what opening a folder costs, as the media player does it.

    python bench/browse_bench.py [--movies N] [--calls N]

Against the Emby simulator on loopback with a generated library of 50,000 movies (same process
and event loop, as Home Assistant would run the integration):

- cached: a page of 100 movies already in the browse cache, timed from the call the media
  player's `async_browse_media` makes (`BrowseTree(...)` then `.browse(node)`) to the
  `BrowseMedia` returned; also with `as_dict()` (what the WebSocket sends the frontend);
- uncached: the first page of the whole library, of a letter (NameStartsWith) and of the next
  page: Emby requests each one made (the simulator's log) and its wall time (the simulator
  filters and sorts 50,000 items in Python inside that time).

Prints one JSON document. Nothing here asserts a timing; scripts/bench prints the figures.
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

from custom_components.embymedia.browse import BrowseTree, Node, make_browse_media
from emby_simulator import EmbySimulator, SimulatorConfig

KEY = "bench-key"
ITEMS = "/Users/{id}/Items"
TARGET_MS = 2.0


def summary(samples: list[float]) -> dict[str, float]:
    """Median, p95 and max in milliseconds."""
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


async def run(movies: int, calls: int) -> dict[str, Any]:
    """Every figure of the benchmark."""
    config = SimulatorConfig(
        api_key=KEY, users=1, clients=1, playing=0, script=False, movies=movies,
        series=1, artists=1, albums=1, home_videos=1,
    )  # fmt: skip
    started = time.perf_counter()
    async with EmbySimulator(config) as sim:
        generated = time.perf_counter() - started
        client = EmbyClient("127.0.0.1", sim.port, KEY, device_id="browse-bench")
        try:
            user_id = str(sim.users[0]["Id"])
            tree = BrowseTree(client, "bench", user_id, make_browse_media)
            views = await client.get_views(user_id)
            view = next(v for v in views if v["collection_type"] == "movies")
            pages = {
                "all": Node("all", (view["id"], "Movie")),
                "letter": Node("letter", (view["id"], "Movie", "S")),
                "next_page": Node("all", (view["id"], "Movie"), 100),
            }
            uncached: dict[str, Any] = {}
            for name, node in pages.items():
                before = sim.count(ITEMS)
                t0 = time.perf_counter()
                page = await tree.browse(node.id)
                elapsed = time.perf_counter() - t0
                uncached[name] = {
                    "requests": sim.count(ITEMS) - before,
                    "children": len(page.children or []),
                    "wall_ms": round(elapsed * 1000, 1),
                }
            node_id = pages["all"].id
            before = sim.count(ITEMS)
            plain, with_dict = [], []
            for _ in range(calls):
                t0 = time.perf_counter()
                result = await BrowseTree(client, "bench", user_id, make_browse_media).browse(
                    node_id
                )
                plain.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                result = await BrowseTree(client, "bench", user_id, make_browse_media).browse(
                    node_id
                )
                result.as_dict()
                with_dict.append(time.perf_counter() - t0)
            cached_requests = sim.count(ITEMS) - before
        finally:
            await client.close()
    return {
        "library": {"movies": movies, "generated_s": round(generated, 1)},
        "cached_page_of_100": {
            "to_browse_media": summary(plain),
            "with_as_dict": summary(with_dict),
            "calls": calls,
            "requests": cached_requests,
            "target_ms": TARGET_MS,
            "target_met": statistics.median(plain) * 1000 <= TARGET_MS,
        },
        "uncached": uncached,
    }


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--movies", type=int, default=50_000)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.movies, args.calls)), indent=2))


if __name__ == "__main__":
    main()
