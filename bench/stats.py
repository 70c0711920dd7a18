"""Median and spread of microsecond samples, for the per-update figures and for pooling the
rounds of a reader (bench/merge_rounds.py). No dependency beyond the standard library."""

import statistics
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def spread(values: list[float]) -> dict[str, Any]:
    """Median and spread of microsecond samples, the samples included (so rounds can be
    pooled)."""
    if not values:
        return {"samples": 0}
    return {
        "values_us": [round(v, 1) for v in values],
        "samples": len(values),
        "median_us": round(statistics.median(values), 1),
        "p10_us": round(percentile(values, 0.10), 1),
        "p90_us": round(percentile(values, 0.90), 1),
        "p99_us": round(percentile(values, 0.99), 1),
        "iqr_us": round(percentile(values, 0.75) - percentile(values, 0.25), 1),
    }
