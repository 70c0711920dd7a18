"""Micro-benchmark of the core's REST client as Python sees it; prints one JSON document.

    python bench/core_bench.py [--calls N]

Against the Emby simulator on loopback (same process, so upstream figures include the
simulator's own Python time):

- cache_hit: cost of one awaited call answered from the browse cache (Rust lookup, conversion
  to dicts, the asyncio wake-up), for a small answer and for a page of 100 items;
- conversion: what the dicts cost per item (a hit of 100 items minus a hit of 1, divided by
  99, each a hit converted again: 40 pages asked in turn, more than the 32 answers the core
  keeps converted; a plain hit hands out the object made before),
  next to `json.loads` of the same items as JSON text: the cheapest way Python itself builds
  such dicts (the pyclass alternative is measured by bench/pyclass_vs_dict/run.py; both
  figures and the decision are in docs/ARCHITECTURE.md);
- miss: one call that goes upstream (request, parse, convert);
- coalescing: 10 concurrent identical calls while the server takes 200 ms (one upstream
  request, the wall time of all ten) next to 10 concurrent different ones (ten requests);
- sessions: the per-update path. `get_sessions()` of 20 sessions (upstream every time), and
  per session what an update costs Python: the `Session` pyclass (built: `copy.replace`, a
  clone of the Rust struct wrapped in a new object, an upper bound of what the core does) next
  to the dict it used to be (built: `to_dict()`, the same serde-to-dict conversion the core
  used), each with the fields one update reads (coordinator and media player) and the equality
  test the coordinator makes against the previous data.

Nothing here asserts a timing; scripts/bench prints the figures.
"""

import argparse
import asyncio
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from embymedia_core import EmbyClient, Session

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

KEY = "bench-key"
PAGES_IN_TURN = 40
"""More pages than the core keeps converted (32)."""

# What one session update reads: the session coordinator (filtering, newest per device), the
# media player's state (play state, now-playing item) and its supported features.
SESSION_READS = (
    "device_id", "supports_remote_control", "client", "device_name", "last_activity_date",
    "last_activity_date", "application_version", "supported_commands", "playable_media_types",
    "playlist_length", "now_playing_item", "play_state",
)  # fmt: skip
PLAY_STATE_READS = (
    "can_seek", "is_paused", "volume_level", "is_muted", "repeat_mode", "shuffle",
    "position_ticks", "is_paused",
)  # fmt: skip
ITEM_READS = (
    "is_theme_media", "id", "name", "series_name", "channel_name", "type", "type",
    "parent_index_number", "index_number", "artists", "album", "album_artist", "run_time_ticks",
    "media_type", "image_tags", "series_id", "series_primary_image_tag",
)  # fmt: skip


def read_update_attrs(session: Session) -> None:
    """The reads of one update, on the pyclass."""
    for name in SESSION_READS:
        getattr(session, name)
    play_state = session.play_state
    for name in PLAY_STATE_READS:
        getattr(play_state, name)
    if (item := session.now_playing_item) is not None:
        for name in ITEM_READS:
            getattr(item, name)


def read_update_keys(session: dict[str, Any]) -> None:
    """The same reads on the dict form."""
    for name in SESSION_READS:
        session[name]
    play_state = session["play_state"]
    for name in PLAY_STATE_READS:
        play_state[name]
    if (item := session["now_playing_item"]) is not None:
        for name in ITEM_READS:
            item[name]


def per_session_us(calls: int, sessions: list[Any], fn: Any) -> float:
    """Median µs per session of `fn(sessions)`."""
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        fn(sessions)
        samples.append(time.perf_counter_ns() - started)
    return round(statistics.median(samples) / len(sessions) / 1000, 3)


async def session_figures(calls: int) -> dict[str, Any]:
    """The per-update figures of the sessions (see the module docstring)."""
    config = SimulatorConfig(api_key=KEY, users=1, clients=20, playing=10, movies=100)
    async with EmbySimulator(config) as sim:
        client = EmbyClient("127.0.0.1", sim.port, KEY, device_id="core-bench-sessions")
        try:
            sessions = await client.get_sessions()
            fetch = await timed(max(50, calls // 10), client.get_sessions)
        finally:
            await client.close()
    dicts = [s.to_dict() for s in sessions]
    previous = [copy.replace(s) for s in sessions]
    previous_dicts = [s.to_dict() for s in sessions]

    def pyclass_update(items: list[Session]) -> None:
        built = [copy.replace(s) for s in items]
        for s in built:
            read_update_attrs(s)
        assert built == previous

    def dict_update(items: list[Session]) -> None:
        built = [s.to_dict() for s in items]
        for d in built:
            read_update_keys(d)
        assert built == previous_dicts

    n = len(sessions)
    figures = {
        "pyclass_build": per_session_us(calls, sessions, lambda ss: [copy.replace(s) for s in ss]),
        "dict_build": per_session_us(calls, sessions, lambda ss: [s.to_dict() for s in ss]),
        "pyclass_read": per_session_us(
            calls, sessions, lambda ss: [read_update_attrs(s) for s in ss]
        ),
        "dict_read": per_session_us(calls, dicts, lambda ds: [read_update_keys(d) for d in ds]),
        "pyclass_equal": per_session_us(calls, sessions, lambda ss: ss == previous),
        "dict_equal": per_session_us(calls, dicts, lambda ds: ds == previous_dicts),
        "pyclass_update": per_session_us(calls, sessions, pyclass_update),
        "dict_update": per_session_us(calls, sessions, dict_update),
    }
    return {
        "sessions": n,
        "playing": sum(1 for s in sessions if s.now_playing_item is not None),
        "get_sessions": summary(fetch),
        "per_session_us": figures,
        "push_of_n_us": {
            "pyclass": round(figures["pyclass_update"] * n, 1),
            "dict": round(figures["dict_update"] * n, 1),
        },
    }


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


async def converted_hits(
    client: EmbyClient, uid: str, calls: int, query: dict[str, Any]
) -> list[int]:
    """Hits of PAGES_IN_TURN cached pages of `query`, asked in turn (each converts again)."""
    pages = [query | {"start_index": i} for i in range(PAGES_IN_TURN)]
    for page in pages:
        await client.get_items(uid, **page)
    turn = iter(range(10**9))
    return await timed(calls, lambda: client.get_items(uid, **pages[next(turn) % PAGES_IN_TURN]))


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
            # The conversion: hits of 40 cached pages asked in turn, more than the core keeps
            # converted (32), so that each hit converts its answer again.
            converted_100 = await converted_hits(client, uid, calls, big)
            converted_1 = await converted_hits(client, uid, calls, one)

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

            per_item_ns = (statistics.median(converted_100) - statistics.median(converted_1)) / (
                items - 1
            )
            per_item_json_ns = statistics.median(parse) / items
            return {
                "benchmark": "core_rest_from_python",
                "cache_hit": {
                    "views": summary(hit_views),
                    "items_100": summary(hit_100),
                    "items_1": summary(hit_1),
                    "items_100_converted": summary(converted_100),
                    "items_1_converted": summary(converted_1),
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


async def run_all(calls: int) -> dict[str, Any]:
    """The REST figures, then the sessions' (each against its own simulator)."""
    result = await run(calls)
    result["sessions"] = await session_figures(calls)
    return result


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per cache-hit figure")
    args = parser.parse_args()
    result = asyncio.run(run_all(max(10, args.calls)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
