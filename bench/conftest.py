"""Options of the one-hour scenario, and the integration under test.

scripts/bench runs pytest from a directory that holds `custom_components/embymedia` (ours or the
baseline's) and `emby_simulator`; that directory is first on sys.path, so importing
`custom_components` here, before Home Assistant mounts its test config dir, makes Home Assistant
load the integration under test and nothing else.
"""

from pathlib import Path

import pytest

import custom_components


def pytest_addoption(parser: pytest.Parser) -> None:
    """Scenario options (scripts/bench sets them)."""
    group = parser.getgroup("embymedia-bench")
    group.addoption("--bench-out", required=True, help="write the JSON results here")
    group.addoption("--bench-label", default="run", help="name of the integration under test")
    group.addoption("--bench-seconds", type=int, default=3600, help="simulated seconds after setup")
    group.addoption(
        "--bench-step", type=int, default=5, help="simulated seconds per step of the clock"
    )
    group.addoption(
        "--bench-wait-limit",
        type=float,
        default=10.0,
        help="real seconds granted to hass.async_block_till_done() after setup",
    )
    group.addoption(
        "--bench-no-integration",
        action="store_true",
        help="load no integration (the hour: HA alone; per update: the plain-Python reference)",
    )
    group.addoption(
        "--bench-floor",
        action="store_true",
        help="per update, with --bench-no-integration: the core's floor reader instead of the "
        "plain-Python reference (bench/floor_reader.py)",
    )
    group.addoption("--bench-events", type=int, default=1000, help="pushes per per-update figure")
    group.addoption(
        "--bench-profile", default=None, help="also profile the pushes into this pstats file"
    )


def integration_dir() -> Path:
    """Directory of the `custom_components.embymedia` this process loads."""
    return Path(next(iter(custom_components.__path__))) / "embymedia"


@pytest.fixture
def expected_lingering_tasks() -> bool:
    """Endless tasks are one of the measured figures, not a failure of the benchmark."""
    return True


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Timers left by the integration under test are reported by HA, not failed on."""
    return True
