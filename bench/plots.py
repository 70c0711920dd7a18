"""The PNG plots of scripts/bench (matplotlib, from the bench's own venv, never the shared ones).

    python bench/plots.py OUT

Reads OUT/py-scale_bench.json and OUT/py-memory_bench.json; writes OUT/scale_library.png,
OUT/scale_clients.png and OUT/memory_soak.png.
"""

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def load(path: Path) -> dict[str, Any] | None:
    """A result file, or None."""
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return data


def scale_library(run: dict[str, Any], out: Path) -> None:
    """Loop CPU per page of 100 items against library size."""
    points = run["library"]
    x = [p["movies"] for p in points]
    fig, ax = plt.subplots(figsize=(6, 4))
    for side, label in (("core", "core (get_items)"), ("python", "aiohttp + orjson")):
        ax.plot(x, [p[side]["loop_cpu_us"] for p in points], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("movies in the library")
    ax.set_ylabel("event-loop CPU per page of 100 items (µs)")
    ax.set_title("Cost against library size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "scale_library.png", dpi=110)
    plt.close(fig)


def scale_clients(run: dict[str, Any], out: Path) -> None:
    """Loop CPU per poll and per push against the number of sessions."""
    points = run["clients"]
    x = [p["sessions"] for p in points]
    fig, ax = plt.subplots(figsize=(6, 4))
    for kind in ("poll", "push"):
        for side, label in (("core", "core"), ("python", "aiohttp + orjson")):
            ax.plot(
                x,
                [p[kind][side]["loop_cpu_us"] for p in points],
                marker="o",
                linestyle="-" if side == "core" else "--",
                label=f"{kind}: {label}",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sessions on the server")
    ax.set_ylabel("event-loop CPU per update (µs)")
    ax.set_title("Cost against client count")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "scale_clients.png", dpi=110)
    plt.close(fig)


def memory_soak(run: dict[str, Any], out: Path) -> None:
    """RSS over the soak."""
    curve = run["soak"]["curve_hours_rss_mib"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([h for h, _ in curve], [rss for _, rss in curve], marker=".")
    ax.set_ylim(0, max(rss for _, rss in curve) * 1.2)
    ax.set_xlabel("simulated hours")
    ax.set_ylabel("RSS (MiB)")
    ax.set_title("Core with full caches over the soak")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "memory_soak.png", dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    """Every plot whose data exists."""
    out = Path(argv[0])
    if (scale := load(out / "py-scale_bench.json")) is not None:
        scale_library(scale, out)
        scale_clients(scale, out)
    if (mem := load(out / "py-memory_bench.json")) is not None:
        memory_soak(mem, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
