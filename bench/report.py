"""Print the side-by-side table of scripts/bench from the JSON files of its runs.

    python3 bench/report.py BASELINE.json|- OURS.json|- [RUST.json ...]

A `-` stands for a run that was skipped. Ratios are ours / baseline, measured in the same
invocation; targets are those of issue 8 (requests: at most 24 in the hour with 0 /Sessions, at
most 20 to set up; HA's wait for pending tasks returns at once). Our hour is then listed request
by request with its reason (the scenario event it follows, or a timer).
"""

import json
import sys
from pathlib import Path
from typing import Any

TARGET_HOUR, TARGET_SETUP = 24, 20
# A request up to this many simulated seconds after a scenario event is that event's (debounces).
EVENT_WINDOW = 60


def load(arg: str) -> dict[str, Any] | None:
    """A run's results, or None when skipped or missing."""
    if arg == "-":
        return None
    path = Path(arg)
    if not path.is_file():
        return {"missing": str(path)}
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def dig(run: dict[str, Any] | None, *keys: str) -> Any:
    """run[k1][k2]... or None."""
    value: Any = run
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def fmt(value: Any) -> str:
    """A cell."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def ratio(ours: Any, base: Any) -> str:
    """ours / baseline."""
    if not isinstance(ours, int | float) or not isinstance(base, int | float) or not base:
        return "-"
    return f"{ours / base:.2f}"


def waited(run: dict[str, Any] | None) -> str:
    """HA's wait for pending tasks after setup, in words."""
    wait = dig(run, "block_till_done")
    if not isinstance(wait, dict):
        return "-"
    if wait["returned"]:
        return f"returned in {wait['seconds']:.3f} s"
    return f"not done after {wait['limit_seconds']:.0f} s"


def verdict(ours: dict[str, Any] | None) -> dict[str, str]:
    """Whether ours meets each target."""
    if ours is None or "missing" in ours:
        return {}
    hour = dig(ours, "hour", "requests")
    sessions = dig(ours, "hour", "sessions_requests")
    setup = dig(ours, "setup", "with_flow")
    wait = dig(ours, "block_till_done", "returned")
    return {
        "hour": "yes" if hour <= TARGET_HOUR and sessions == 0 else "NO",
        "setup": "yes" if setup <= TARGET_SETUP else "NO",
        "wait": "yes" if wait else "NO",
    }


def table(rows: list[list[str]]) -> str:
    """Aligned plain-text table, first row as header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def rust_output(path: Path) -> str:
    """A micro-benchmark's stdout: its JSON pretty-printed (one document or one per line)."""
    if not path.is_file():
        return "  (no output)"
    text = path.read_text().strip()
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return text
    return "\n".join(json.dumps(doc, indent=2) for doc in docs)


def main(argv: list[str]) -> int:
    """Print the report; non-zero when a run that was asked for left no results."""
    base, ours = load(argv[0]), load(argv[1])
    status = 0
    for name, run in (("baseline", base), ("ours", ours)):
        if run is None:
            print(f"{name}: skipped" + (" (no --baseline DIR given)" if name == "baseline" else ""))
        elif "missing" in run:
            print(f"{name}: FAILED (no results at {run['missing']}; see its log)")
            status = 1
    for name, run in (("baseline", base), ("ours", ours)):
        if run and "missing" not in run:
            version = dig(run, "integration", "version")
            print(
                f"{name}: {dig(run, 'integration', 'path')} (version {version}), "
                f"Home Assistant {run['home_assistant']}, Python {run['python']}"
            )
    seconds = dig(ours, "scenario", "simulated_seconds") or dig(
        base, "scenario", "simulated_seconds"
    )
    span = "the hour" if seconds == 3600 else f"{seconds} simulated s"
    ok = verdict(ours) if seconds == 3600 else {}
    rows = [["figure", "baseline", "ours", "ours/baseline", "target met"]]

    def row(label: str, *keys: str, target: str = "") -> None:
        b, o = dig(base, *keys), dig(ours, *keys)
        rows.append([label, fmt(b), fmt(o), ratio(o, b), target])

    row(f"Emby requests in {span}", "hour", "requests", target=ok.get("hour", ""))
    row("  of which /Sessions", "hour", "sessions_requests")
    row("requests to set up (flow + entry)", "setup", "with_flow", target=ok.get("setup", ""))
    row("  config flow", "config_flow", "requests")
    row("  entry setup", "setup", "requests")
    rows.append(["HA's wait for pending tasks", waited(base), waited(ours), "", ok.get("wait", "")])
    row(f"CPU s in {span}, HA side", "hour", "cpu_seconds", "home_assistant")
    row(f"CPU s in {span}, process", "hour", "cpu_seconds", "process")
    row(f"CPU s in {span}, simulator", "hour", "cpu_seconds", "simulator")
    row(f"real s to simulate {span}", "hour", "wall_seconds")
    row("CPU s to set up, HA side", "setup", "cpu_seconds", "home_assistant")
    print()
    print(table(rows))
    for name, run in (("baseline", base), ("ours", ours)):
        if pending := dig(run, "block_till_done", "waiting_for"):
            print(f"{name}: HA's wait was still waiting for {', '.join(pending)}")

    endpoints = sorted(
        set(dig(base, "hour", "by_endpoint") or {}) | set(dig(ours, "hour", "by_endpoint") or {})
    )
    if endpoints:
        rows = [[f"requests in {span} by endpoint", "baseline", "ours"]]
        for key in endpoints:
            rows.append(
                [
                    key,
                    fmt(dig(base, "hour", "by_endpoint", key) or (0 if base else None)),
                    fmt(dig(ours, "hour", "by_endpoint", key) or (0 if ours else None)),
                ]
            )
        print()
        print(table(rows))
    endpoints = sorted(
        set(dig(base, "setup", "by_endpoint") or {})
        | set(dig(base, "config_flow", "by_endpoint") or {})
        | set(dig(ours, "setup", "by_endpoint") or {})
        | set(dig(ours, "config_flow", "by_endpoint") or {})
    )
    if endpoints:
        rows = [["requests to set up by endpoint (flow + entry)", "baseline", "ours"]]
        for key in endpoints:
            cells = [key]
            for run in (base, ours):
                if not run or "missing" in run:
                    cells.append("-")
                    continue
                flow = dig(run, "config_flow", "by_endpoint", key) or 0
                setup = dig(run, "setup", "by_endpoint", key) or 0
                cells.append(f"{flow + setup} ({flow} + {setup})")
            rows.append(cells)
        print()
        print(table(rows))

    if timeline := dig(ours, "hour", "timeline"):
        events = dig(ours, "hour", "events") or []
        rows = [["second", "requests (ours)", "reason"]]
        for second, by_endpoint in timeline:
            reason = next(
                (
                    f"after {what} (s {at})"
                    for at, what in reversed(events)
                    if at <= second <= at + EVENT_WINDOW
                ),
                "no scenario event: a timer, or a push such as an item played to its end",
            )
            calls = ", ".join(f"{count} {key}" for key, count in sorted(by_endpoint.items()))
            rows.append([str(second), calls, reason])
        print()
        print(table(rows))

    for arg in argv[2:]:
        path = Path(arg)
        print()
        kind = "Python-side" if path.stem.startswith("py-") else "Rust"
        print(f"{kind} micro-benchmark {path.stem.removeprefix('py-').removeprefix('rust-')}:")
        print(rust_output(path))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
