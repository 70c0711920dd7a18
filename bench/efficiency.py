"""The event-loop, CPU, latency, cache, memory and scale figures of scripts/bench (issue 13),
side by side, from the JSON files of one invocation; writes them to OUT/summary.json too.

    python3 bench/efficiency.py OUT

OUT holds what scripts/bench wrote: the one-hour runs (`alone.json`: Home Assistant with no
integration, `ours.json`, `baseline.json`), the per-update runs (`updates-ours.json`,
`updates-baseline.json`, `updates-reference.json`, `updates-floor.json`) and the Python
micro-benchmarks (`py-cache_bench.json`, `py-memory_bench.json`, `py-scale_bench.json`). Missing
files show as "-". Ratios are ours / other from this one invocation; medians with their spread.
"""

import json
import sys
from pathlib import Path
from typing import Any


def load(out: Path, name: str) -> dict[str, Any] | None:
    """One result file, or None."""
    path = out / name
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return data


def dig(run: Any, *keys: str | int) -> Any:
    """run[k1][k2]... or None."""
    value = run
    for key in keys:
        if (isinstance(value, dict) and key in value) or (
            isinstance(value, list) and isinstance(key, int) and key < len(value)
        ):
            value = value[key]
        else:
            return None
    return value


def num(value: Any, digits: int = 1) -> str:
    """A cell."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def ratio(a: Any, b: Any) -> float | None:
    """a / b."""
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return None
    return round(a / b, 3)


def spread_cell(figure: Any) -> str:
    """`median (p10-p90)` of a spread dict."""
    if not isinstance(figure, dict) or "median_us" not in figure:
        return "-"
    return f"{figure['median_us']:.0f} ({figure['p10_us']:.0f}-{figure['p90_us']:.0f})"


def table(rows: list[list[str]]) -> str:
    """Aligned plain-text table, first row as header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def without_samples(figure: Any) -> Any:
    """A spread dict without its samples (they stay in updates-*.json)."""
    if isinstance(figure, dict):
        return {k: v for k, v in figure.items() if k != "values_us"}
    return figure


def per_update(out: Path, summary: dict[str, Any]) -> list[str]:
    """Figure 1 and 3: event-loop CPU per update and frame-to-state latency."""
    runs = {name: load(out, f"updates-{name}.json") for name in ("ours", "baseline", "reference")}
    lines: list[str] = []
    rows = [["event-loop CPU per update, µs: median (p10-p90)", "ours", "baseline", "reference",
             "ours/baseline", "ours/reference"]]  # fmt: skip
    figures = {
        "push of 20 sessions (2 playing), frame to state": ("push", "loop_cpu_frame_to_state"),
        "poll of 100 sessions (GET /Sessions), refresh": ("poll", "loop_cpu_per_poll"),
        "browse page of 5,000 items": ("browse", "loop_cpu"),
    }
    for label, keys in figures.items():
        cells = [dig(runs[name], *keys) for name in runs]
        medians = [dig(cell, "median_us") for cell in cells]
        r_base, r_ref = ratio(medians[0], medians[1]), ratio(medians[0], medians[2])
        rows.append([label, *(spread_cell(c) for c in cells), num(r_base, 2), num(r_ref, 2)])
        cells = [without_samples(c) for c in cells]
        summary.setdefault("event_loop_cpu_us", {})[keys[0]] = {
            "ours": cells[0], "baseline": cells[1], "reference": cells[2],
            "ours_to_baseline": r_base, "ours_to_reference": r_ref,
        }  # fmt: skip
    everything = [dig(runs[n], "push", "loop_cpu_per_push_all_us") for n in runs]
    rows.append(
        ["push, everything the loop did per push (harness included)"]
        + [num(value) for value in everything]
        + [num(ratio(everything[0], everything[1]), 2), num(ratio(everything[0], everything[2]), 2)]
    )
    lines += [table(rows), ""]
    lines += push_floor(out, runs, summary)
    rounds = max((dig(runs[n], "rounds") or 0 for n in runs), default=0)
    lines.append(f"rounds per reader, pooled (the readers taking turns): {rounds or '-'}")
    for name, run in runs.items():
        browse = dig(run, "browse")
        if isinstance(browse, dict) and not browse.get("measured"):
            lines.append(f"browse, {name}: not measured ({browse.get('reason')})")
    lines.append("")
    rows = [["frame to HA state latency, µs", "ours", "baseline", "reference", "ours/baseline"]]
    latency: dict[str, Any] = {}
    for q in ("median_us", "p99_us"):
        cells = [dig(runs[n], "push", "latency_frame_to_state", q) for n in runs]
        label = "p50" if q == "median_us" else "p99"
        latency[label] = {"ours": cells[0], "baseline": cells[1], "reference": cells[2],
                          "ours_to_baseline": ratio(cells[0], cells[1])}  # fmt: skip
        rows.append([f"{label} over {dig(runs['ours'], 'push', 'events') or '-'} events",
                     *(num(c, 0) for c in cells), num(ratio(cells[0], cells[1]), 2)])  # fmt: skip
    missed = [dig(runs[n], "push", "missed") for n in runs]
    rows.append(["pushes whose state never came (3 s)", *(num(m) for m in missed), ""])
    summary["latency_frame_to_state_us"] = latency
    lines += [table(rows), ""]
    return lines


def push_floor(out: Path, runs: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    """The push against its floor: the core's stream and one media player entity write with no
    integration code (bench/floor_reader.py). What a push of ours costs above it is our code."""
    floor = dig(load(out, "updates-floor.json"), "push", "loop_cpu_frame_to_state")
    if floor is None:
        return []
    keys = ("push", "loop_cpu_frame_to_state")
    ours, reference = dig(runs["ours"], *keys), dig(runs["reference"], *keys)
    ours_us, floor_us = dig(ours, "median_us"), dig(floor, "median_us")
    reference_us = dig(reference, "median_us")
    own = None
    if isinstance(ours_us, int | float) and isinstance(floor_us, int | float):
        own = round(ours_us - floor_us, 1)
    floor_label = "the floor: the core's stream, one media player entity write, no integration code"
    rows = [
        ["push of 20 sessions, frame to state, loop CPU µs", "median (p10-p90)", "/reference"],
        ["ours", spread_cell(ours), num(ratio(ours_us, reference_us), 2)],
        [floor_label, spread_cell(floor), num(ratio(floor_us, reference_us), 2)],
        [
            "ours above the floor (the integration's own code)",
            num(own, 0),
            num(ratio(own, reference_us), 2),
        ],
    ]
    summary.setdefault("event_loop_cpu_us", {})["push_floor"] = {
        "floor": without_samples(floor),
        "floor_to_reference": ratio(floor_us, reference_us),
        "ours_above_floor_us": own,
        "ours_above_floor_to_reference": ratio(own, reference_us),
    }
    return [table(rows), ""]


def own_cpu(out: Path, summary: dict[str, Any]) -> list[str]:
    """Figure 2: the integration's own CPU in the hour (HA alone subtracted)."""
    alone = dig(load(out, "alone.json"), "hour", "cpu_seconds", "home_assistant")
    ours = dig(load(out, "ours.json"), "hour", "cpu_seconds", "home_assistant")
    base = dig(load(out, "baseline.json"), "hour", "cpu_seconds", "home_assistant")
    own_ours = round(ours - alone, 3) if ours is not None and alone is not None else None
    own_base = round(base - alone, 3) if base is not None and alone is not None else None
    r = ratio(own_ours, own_base)
    summary["own_cpu_in_the_hour_s"] = {
        "alone": alone, "ours_total": ours, "baseline_total": base,
        "ours": own_ours, "baseline": own_base, "ours_to_baseline": r,
    }  # fmt: skip
    rows = [["CPU s in the hour, HA side", "HA alone", "ours", "baseline", "ours/baseline"],
            ["total, median of the rounds", num(alone, 3), num(ours, 3), num(base, 3),
             num(ratio(ours, base), 2)],
            ["the integration's own (HA alone subtracted)", "", num(own_ours, 3),
             num(own_base, 3), num(r, 2)]]  # fmt: skip
    # The same on Home Assistant's event-loop thread alone (the rest: the core's threads).
    loop = [dig(load(out, f"{label}.json"), "hour", "cpu_seconds", "event_loop_thread")
            for label in ("alone", "ours", "baseline")]  # fmt: skip
    if None not in loop:
        own_loop = [round(loop[1] - loop[0], 3), round(loop[2] - loop[0], 3)]
        summary["own_cpu_in_the_hour_s"]["event_loop_thread"] = {
            "alone": loop[0], "ours": own_loop[0], "baseline": own_loop[1],
            "ours_to_baseline": ratio(own_loop[0], own_loop[1]),
        }  # fmt: skip
        rows.append(["own, on HA's event-loop thread", num(loop[0], 3), num(own_loop[0], 3),
                     num(own_loop[1], 3), num(ratio(own_loop[0], own_loop[1]), 2)])  # fmt: skip
    rounds = []
    for n in range(1, 100):
        cells = [dig(load(out, f"{label}-r{n}.json"), "hour", "cpu_seconds", "home_assistant")
                 for label in ("alone", "ours", "baseline")]  # fmt: skip
        if cells[0] is None:
            break
        rounds.append(cells)
        rows.append([f"round {n}: total", *(num(c, 3) for c in cells),
                     num(ratio(cells[1], cells[2]), 2)])  # fmt: skip
    summary["own_cpu_in_the_hour_s"]["rounds_total"] = rounds
    return [table(rows), ""]


def cache(out: Path, summary: dict[str, Any]) -> list[str]:
    """Figure 4: cache hits and coalescing, core next to plain Python."""
    run = load(out, "py-cache_bench.json")
    rows = [["cache, µs: median (p10-p90)", "core", "plain Python", "core/Python",
             "the same dicts by orjson", "core/those"]]  # fmt: skip
    figures: dict[str, Any] = {}
    for key, label in (("hit_small", "hit, small answer (views)"),
                       ("hit_page_100", "hit, page of 100 items")):  # fmt: skip
        for clock in ("wall", "thread_cpu"):
            core, py = dig(run, key, "core", clock), dig(run, key, "python", clock)
            same = dig(run, key, "same_dicts", clock)
            r = ratio(dig(core, "median_us"), dig(py, "median_us"))
            r_same = ratio(dig(core, "median_us"), dig(same, "median_us"))
            rows.append([f"{label}, {clock}", spread_cell(core), spread_cell(py), num(r, 2),
                         spread_cell(same), num(r_same, 2)])  # fmt: skip
            figures[f"{key}_{clock}"] = {
                "core": core, "python": py, "core_to_python": r,
                "same_dicts": same, "core_to_same_dicts": r_same,
            }  # fmt: skip
    for side in ("core", "python"):
        figures[f"coalescing_{side}"] = dig(run, "coalescing", side)
    c, p = dig(run, "coalescing", "core"), dig(run, "coalescing", "python")
    latency = dig(run, "coalescing", "server_latency_ms")
    rows.append([f"100 identical concurrent calls, server at {latency} ms: requests / wall ms",
                 f"{num(dig(c, 'upstream_requests'))} / {num(dig(c, 'wall_ms'))}",
                 f"{num(dig(p, 'upstream_requests'))} / {num(dig(p, 'wall_ms'))}",
                 num(ratio(dig(c, "wall_ms"), dig(p, "wall_ms")), 2), "", ""])  # fmt: skip
    summary["cache"] = figures
    return [table(rows), ""]


def memory(out: Path, summary: dict[str, Any]) -> list[str]:
    """Figure 5: RSS with full caches and over the soak."""
    run = load(out, "py-memory_bench.json")
    soak = dig(run, "soak") or {}
    summary["memory_mib"] = {
        "client": dig(run, "rss_client_mib"),
        "full_caches": dig(run, "full_caches", "rss_mib"),
        "full_caches_growth": dig(run, "full_caches", "growth_mib"),
        "soak_after_1h": soak.get("rss_after_1h_mib"),
        "soak_end": soak.get("rss_end_mib"),
        "soak_growth_after_1h": soak.get("growth_after_1h_mib"),
        "curve": soak.get("curve_hours_rss_mib"),
    }
    curve = " ".join(f"{h:g}h:{rss:.1f}" for h, rss in soak.get("curve_hours_rss_mib") or [])
    return [
        f"RSS, MiB: Python + core {num(dig(run, 'rss_client_mib'))}; with full caches (500 browse "
        f"entries of 100 items, 3 users' discovery) {num(dig(run, 'full_caches', 'rss_mib'))} "
        f"(+{num(dig(run, 'full_caches', 'growth_mib'))})",
        f"soak of {num(soak.get('simulated_hours'), 0)} simulated hours "
        f"({num(soak.get('events_read'), 0)} events, {num(soak.get('library_changed_events'), 0)} "
        f"library changes): RSS after 1 h {num(soak.get('rss_after_1h_mib'))}, at the end "
        f"{num(soak.get('rss_end_mib'))} (growth {num(soak.get('growth_after_1h_mib'), 2)} MiB)",
        f"curve: {curve or '-'}",
        "",
    ]


def scale(out: Path, summary: dict[str, Any]) -> list[str]:
    """Figure 6: cost against library size and client count."""
    run = load(out, "py-scale_bench.json")
    rows = [["library (movies): page of 100, loop CPU µs / wall ms", "core", "plain Python",
             "core/Python"]]  # fmt: skip
    for point in dig(run, "library") or []:
        c, p = point["core"], point["python"]
        rows.append([f"{point['movies']:,}", f"{c['loop_cpu_us']:.0f} / {c['wall_us'] / 1000:.1f}",
                     f"{p['loop_cpu_us']:.0f} / {p['wall_us'] / 1000:.1f}",
                     num(ratio(c["loop_cpu_us"], p["loop_cpu_us"]), 2)])  # fmt: skip
    lines = [table(rows), ""]
    rows = [["sessions: loop CPU µs (poll / push)", "core", "plain Python", "core/Python"]]
    for point in dig(run, "clients") or []:
        cp, pp = point["poll"]["core"]["loop_cpu_us"], point["poll"]["python"]["loop_cpu_us"]
        cs, ps = point["push"]["core"]["loop_cpu_us"], point["push"]["python"]["loop_cpu_us"]
        rows.append([f"{point['sessions']:,}", f"{cp:.0f} / {cs:.0f}", f"{pp:.0f} / {ps:.0f}",
                     f"{num(ratio(cp, pp), 2)} / {num(ratio(cs, ps), 2)}"])  # fmt: skip
    summary["scale"] = run
    return [*lines, table(rows), ""]


def main(argv: list[str]) -> int:
    """Print every table; write summary.json."""
    out = Path(argv[0])
    summary: dict[str, Any] = {}
    lines = ["", "== Event loop (issue 13) =="]
    for part in (per_update, own_cpu, cache, memory, scale):
        lines += part(out, summary)
    print("\n".join(lines))
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
