"""Pools the rounds of one reader's run (the hour, or the per-update run) into one figure file.

    python bench/merge_rounds.py OUT ROUND_FILE [ROUND_FILE ...]

scripts/bench runs the hour and the per-update measurement of every reader several times,
interleaved (ours, baseline, reference, ours, ...), so a reader is not favoured by whatever else
the machine was doing during its one run. Each spread (a dict with `values_us`) is computed
again over the samples of every round; counts (`events`, `missed`, `polls`, `samples`) are
summed; any other number is the median over the rounds; anything else is taken from the first
round.
"""

import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stats import spread

COUNTS = frozenset({"events", "missed", "polls"})


def merge(rounds: list[Any]) -> Any:
    """One value from the same value of every round."""
    first = rounds[0]
    if isinstance(first, dict):
        if "values_us" in first:
            return spread([v for r in rounds for v in r.get("values_us", [])])
        keys = [k for k in first if all(isinstance(r, dict) and k in r for r in rounds)]
        return {k: merge_key(k, [r[k] for r in rounds]) for k in keys}
    return first


def merge_key(key: str, values: list[Any]) -> Any:
    """A field of every round, merged by its kind."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        if key in COUNTS:
            return sum(values)
        return round(statistics.median(values), 3)
    return merge(values)


def main() -> None:
    out, *files = sys.argv[1:]
    rounds = [json.loads(Path(f).read_text()) for f in files]
    merged = merge(rounds)
    merged["rounds"] = len(rounds)
    Path(out).write_text(json.dumps(merged, indent=2))


if __name__ == "__main__":
    main()
