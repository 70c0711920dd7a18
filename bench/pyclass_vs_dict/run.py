"""Dicts or frozen pyclasses for the core's models: the cost per item of one update.

Build (from this directory, after `source ../../scripts/lib/common.sh`, which picks the Python
>= 3.13 the binding builds against; the core's release artifacts are reused):

    CARGO_TARGET_DIR=../../target cargo build --release
    cp ../../target/release/libpyclass_exp.so pyclass_exp.abi3.so

Run inside the Python 3.14 root (scripts/lib/py314.sh), with this directory and the checkout on
the path: ``py314_run env PYTHONPATH=$PWD:$TOP python run.py``.

One page of 100 movies from the simulator, parsed once into the core's `Item`; then, per item:
the core's dicts (serde straight to Python objects), the former dicts through
`serde_json::Value` and that `Value` step alone, a frozen pyclass wrapping the Rust struct
(fields converted when read); dicts and pyclasses built only, built with 8 fields read, and built
with 8 fields read twice; `json.loads` of the same JSON as Python's own cost of such dicts.
Nothing asserts a timing; the figures are in docs/ARCHITECTURE.md.
"""

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pyclass_exp  # type: ignore[import-not-found]

from emby_simulator import EmbySimulator, SimulatorConfig

FIELDS = [
    "id",
    "name",
    "type",
    "run_time_ticks",
    "production_year",
    "overview",
    "genres",
    "date_created",
]
QUERY = (
    "Recursive=true&IncludeItemTypes=Movie&Limit=100&Fields=PrimaryImageAspectRatio,"
    "BasicSyncInfo,DateCreated,Overview,Genres,ProductionYear"
)


async def page_text() -> str:
    """The Items of one page as Emby sends them."""
    async with EmbySimulator(SimulatorConfig(api_key="k", users=1, movies=300)) as sim:
        url = f"http://127.0.0.1:{sim.port}/Users/{sim.users[0]['Id']}/Items?{QUERY}"
        headers = {"X-Emby-Token": "k"}
        async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as reply:
            return json.dumps((await reply.json())["Items"])


def per_item(fn: Callable[[], Any], items: int, reps: int = 3000) -> float:
    """Median µs per item of `fn()` (one page)."""
    samples = []
    for _ in range(reps):
        started = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - started)
    return round(statistics.median(samples) / items / 1000, 3)


def main() -> None:
    """Print the figures as one JSON document."""
    text = asyncio.run(page_text())
    page = pyclass_exp.Page(text)
    items = len(json.loads(text))

    def read(build: Callable[[], list[Any]], get: Callable[[Any, str], Any], times: int) -> None:
        built = build()
        for _ in range(times):
            for obj in built:
                for field in FIELDS:
                    get(obj, field)

    def item(d: Any, f: str) -> Any:
        return d[f]

    print(
        json.dumps(
            {
                "items": items,
                "json_loads_us": per_item(lambda: json.loads(text), items),
                "core_dicts_build_us": per_item(page.core_dicts, items),
                "value_dicts_build_us": per_item(page.dicts, items),
                "value_step_us": per_item(page.values, items),
                "pyclass_build_us": per_item(page.objects, items),
                "dicts_build_read8_us": per_item(lambda: read(page.core_dicts, item, 1), items),
                "pyclass_build_read8_us": per_item(lambda: read(page.objects, getattr, 1), items),
                "dicts_build_read8x2_us": per_item(lambda: read(page.core_dicts, item, 2), items),
                "pyclass_build_read8x2_us": per_item(lambda: read(page.objects, getattr, 2), items),
            }
        )
    )


if __name__ == "__main__":
    main()
