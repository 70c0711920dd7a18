"""Memory of the core as a process holds it: RSS with full caches, then over a simulated 6-hour
soak with playback and library changes; prints one JSON document.

    python bench/memory_bench.py [--hours 6] [--step 60]

The simulator runs in a child process (`python -m emby_simulator`), so this process's RSS is
Python, the core and its caches only. Full caches: 500 browse entries of 100 items (distinct
pages) and the discovery rows (latest, resume, next up, suggestions) of 3 users. The soak: the
server's clients play and stop on their script while the simulated clock moves in steps; the
event stream is read throughout; every 10 simulated minutes the library changes (LibraryChanged),
the caches are invalidated and refilled; `GET /Sessions` every step. RSS is sampled every 15
simulated minutes: the curve must be flat. Nothing asserts a figure.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from embymedia_core import EmbyClient

KEY = "bench-memory-key"
USERS, PAGES, PAGE = 3, 500, 100


def rss_mib() -> float:
    """Resident set size of this process (MiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 2)
    return 0.0


SOAK_SERVER = ("--users", str(USERS), "--clients", "6", "--playing", "2", "--movies", "650")


def start_simulator(
    root: Path, key: str = KEY, options: tuple[str, ...] = SOAK_SERVER
) -> tuple[subprocess.Popen[str], int]:
    """The simulator in a child process on a free loopback port."""
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.Popen(
        [sys.executable, "-m", "emby_simulator", "--port", "0", "--api-key", key, *options],
        stdout=subprocess.PIPE, text=True, env=env, cwd=root,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"simulator did not start: {line!r}")
    port = int(line.split("listening on ", 1)[1].split()[0].rsplit(":", 1)[1])
    return proc, port


async def fill(client: EmbyClient, users: list[str]) -> None:
    """500 browse pages of 100 items and every user's discovery rows."""
    for start in range(PAGES):
        await client.get_items(
            users[0], recursive=True, include_item_types=["Movie"], limit=PAGE, start_index=start
        )
    for user in users:
        await client.get_latest(user)
        await client.get_resume(user)
        await client.get_next_up(user)
        await client.get_suggestions(user)


async def run(root: Path, hours: float, step: int) -> dict[str, Any]:
    """Both phases; RSS figures in MiB."""
    gc.collect()
    result: dict[str, Any] = {"benchmark": "memory", "rss_start_mib": rss_mib()}
    proc, port = start_simulator(root)
    http = aiohttp.ClientSession(headers={"X-Emby-Token": KEY})
    client = EmbyClient("127.0.0.1", port, KEY, device_id="bench-memory")
    base = f"http://127.0.0.1:{port}/__sim__"
    try:
        users = [u["id"] if isinstance(u, dict) else u.id for u in await client.get_users()]
        users = users[:USERS]
        gc.collect()
        result["rss_client_mib"] = rss_mib()
        await fill(client, users)
        gc.collect()
        stats = client.metrics()["cache_stats"]
        result["full_caches"] = {
            "rss_mib": rss_mib(),
            "growth_mib": round(rss_mib() - result["rss_client_mib"], 2),
            "cache_stats": stats,
        }

        events = 0
        library_changes = 0

        async def read_events() -> None:
            nonlocal events, library_changes
            async for batch in client.events():
                events += len(batch)
                library_changes += sum(1 for e in batch if e["type"] == "library_changed")

        reader = asyncio.create_task(read_events())
        curve: list[tuple[float, float]] = [(0.0, rss_mib())]
        started = time.monotonic()
        steps = int(hours * 3600 // step)
        for index in range(1, steps + 1):
            async with http.post(f"{base}/advance", params={"seconds": str(step)}) as response:
                response.raise_for_status()
            await client.get_sessions()
            simulated = index * step
            if simulated % 600 == 0:
                async with http.post(
                    f"{base}/library_change",
                    json={"items_added": 2, "items_updated": [], "items_removed": 1},
                ) as response:
                    response.raise_for_status()
                client.invalidate_all()
                await fill_some(client, users)
            if simulated % 900 == 0:
                gc.collect()
                curve.append((simulated / 3600, rss_mib()))
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        hourly = [rss for h, rss in curve if h >= 1.0]
        result["soak"] = {
            "simulated_hours": hours,
            "step_seconds": step,
            "real_seconds": round(time.monotonic() - started, 1),
            "events_read": events,
            "library_changed_events": library_changes,
            "curve_hours_rss_mib": curve,
            "rss_after_1h_mib": hourly[0] if hourly else None,
            "rss_end_mib": curve[-1][1],
            "growth_after_1h_mib": round(curve[-1][1] - hourly[0], 2) if hourly else None,
        }
    finally:
        await client.close()
        await http.close()
        proc.terminate()
        proc.wait(10)
    return result


async def fill_some(client: EmbyClient, users: list[str]) -> None:
    """What a refresh after a library change reads again: 20 pages and the discovery rows."""
    for start in range(0, 20 * 25, 25):
        await client.get_items(
            users[0], recursive=True, include_item_types=["Movie"], limit=PAGE, start_index=start
        )
    for user in users:
        await client.get_latest(user)
        await client.get_resume(user)
        await client.get_next_up(user)


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=6.0, help="simulated hours of the soak")
    parser.add_argument("--step", type=int, default=60, help="simulated seconds per step")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="dir with emby_simulator")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.root, args.hours, args.step))))


if __name__ == "__main__":
    main()
