"""The efficiency scenario of FEATURES.md, run on whichever `custom_components.embymedia` is loaded.

Defaults, WebSocket up, 3 Emby users (all chosen in the config flow), 6 clients of which 2 play
(the server pushes `Sessions` while they do) and both stop once (at 20 and 40 minutes), one
library change (a movie added at 30 minutes), 4 libraries, one hour (issue 8). The clients'
own script is off, so the hour is the same on every run.

The test goes through the integration's real config flow, counts the Emby requests of the flow
and of the entry's setup, gives `hass.async_block_till_done()` a bounded real-time window, then
moves Home Assistant's clock through the hour in steps (firing its timers) while the simulator
advances playback by the same amount and pushes `Sessions`. It writes what it measured to the JSON
file named by --bench-out. It asserts the scenario (the entry loads, the WebSocket is used), never
a figure: figures are compared side by side by scripts/bench.
"""

import asyncio
import cProfile
import dataclasses
import json
import platform
import re
import resource
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from conftest import integration_dir
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import event as event_helper
from homeassistant.util import dt as dt_util
from simulator_thread import SimulatorThread

from emby_simulator import EmbySimulator, SimulatorConfig

DOMAIN = "embymedia"
API_KEY = "bench-api-key-0123456789abcdef"
USERS, CLIENTS, PLAYING, LIBRARIES = 3, 6, 2, 4
# What happens in the hour (simulated second -> event).
STOP_FIRST_AT, LIBRARY_CHANGE_AT, STOP_SECOND_AT = 1200, 1800, 2400

# Real-time polling while waiting for the system to go quiet. The waits use the monotonic clock
# through clock_gettime, which freezegun leaves alone (it freezes time.monotonic and the loop's
# clock, so asyncio timeouts would never expire while the test holds Home Assistant's clock).
POLL = 0.005
_MONOTONIC_RESOLUTION = time.get_clock_info("monotonic").resolution
STEP_SETTLE_LIMIT = 0.5
SETUP_SETTLE_LIMIT = 10.0
QUIET_AFTER_SETUP = 0.3
LONG_LIVED_AFTER_STEPS = 3
MAX_FLOW_STEPS = 8
FLOW_FIELD_VALUES = {"host": "127.0.0.1", "ssl": False, "verify_ssl": True, "api_key": API_KEY}
USER_FIELDS = ("user_id", "user")
ID_SEGMENT = re.compile(r"^(?:[0-9a-fA-F]{16,}|[0-9a-fA-F-]{36})$")


def real_now() -> float:
    """Monotonic real time (not frozen by freezegun)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def process_cpu() -> float:
    """User + system CPU seconds of this process (every thread: HA, the core's, the simulator's)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def real_sleep(seconds: float) -> None:
    """Sleep in real time without blocking the loop (asyncio.sleep waits on the frozen clock)."""
    await asyncio.get_running_loop().run_in_executor(None, time.sleep, seconds)


async def run_bounded(awaitable: Awaitable[Any], limit: float) -> tuple[bool, float]:
    """Await with a real-time limit; returns (finished, real seconds). Cancels it when not."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(awaitable)
    stop = threading.Event()
    watchdog = loop.run_in_executor(None, stop.wait, limit)
    start = real_now()
    await asyncio.wait({task, watchdog}, return_when=asyncio.FIRST_COMPLETED)
    elapsed = real_now() - start
    stop.set()
    await watchdog
    if task.done():
        task.result()
        return True, elapsed
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    return False, elapsed


def task_name(task: "asyncio.Future[Any]") -> str:
    """The coroutine a task runs (its qualified name), else the task's name."""
    coro = task.get_coro() if isinstance(task, asyncio.Task) else None
    return getattr(coro, "__qualname__", None) or getattr(task, "get_name", lambda: "?")()


def endpoint(key: str) -> str:
    """'GET /emby/Users/<id>/Items' -> 'GET /Users/{id}/Items' (ids folded so users add up)."""
    method, _, path = key.partition(" ")
    if not path:
        method, path = "GET", key
    path = path.split("?", 1)[0].removeprefix("/emby")
    parts = ["{id}" if ID_SEGMENT.match(part) else part for part in path.split("/")]
    return f"{method} {'/'.join(parts)}"


def fold(counts: dict[str, int]) -> dict[str, int]:
    """Request counts by endpoint."""
    folded: Counter[str] = Counter()
    for key, value in counts.items():
        folded[endpoint(key)] += value
    return dict(sorted(folded.items()))


def diff(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    """Requests made between two snapshots, by endpoint."""
    out = {key: after[key] - before.get(key, 0) for key in after}
    return fold({key: value for key, value in out.items() if value})


def sessions_requests(by_endpoint: dict[str, int]) -> int:
    """Requests to `/Sessions` itself (not commands sent to a session)."""
    return sum(v for k, v in by_endpoint.items() if k.partition(" ")[2] == "/Sessions")


def simulator_config() -> SimulatorConfig:
    """The scenario's server; only fields the simulator knows are passed."""
    wanted: dict[str, Any] = {
        "api_key": API_KEY,
        "users": USERS,
        "clients": CLIENTS,
        "playing": PLAYING,
        "libraries": LIBRARIES,
        "script": False,
    }
    known = {field.name for field in dataclasses.fields(SimulatorConfig)}
    missing = set(wanted) - known - {"libraries", "script"}
    assert not missing, f"SimulatorConfig lacks {missing}"
    return SimulatorConfig(**{k: v for k, v in wanted.items() if k in known})


def write_results(path: Path, results: dict[str, Any]) -> None:
    """The JSON file scripts/bench reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def sim_total(sim: EmbySimulator) -> int:
    """Requests the simulator has served."""
    return sum(sim.request_counts().values())


def sim_counts(sim: EmbySimulator) -> dict[str, int]:
    """A copy of the simulator's request counts."""
    return dict(sim.request_counts())


def sim_stats(sim: EmbySimulator) -> dict[str, Any]:
    """What the simulator can tell about the scenario (WebSocket use, libraries)."""
    stats: dict[str, Any] = {}
    for name in (
        "websocket_connections",
        "sessions_pushes",
        "pushes",
        "subscriptions",
        "libraries",
        "views",
    ):
        value = getattr(sim, name, None)
        if callable(value):
            with suppress(TypeError):
                value = value()
        if isinstance(value, int | float | str | bool):
            stats[name] = value
        elif isinstance(value, list | tuple | dict | set):
            stats[name] = len(value)
    return stats


def playing_clients(sim: EmbySimulator) -> list[str]:
    """Device ids of the clients that play now."""
    return [s.device_id for s in sim.sessions if getattr(s, "now_playing", None)]


async def scenario_event(sim: EmbySimulator, second: int, playing: list[str]) -> str | None:
    """The scenario's event at this simulated second, done on the simulator."""
    if second == STOP_FIRST_AT and playing:
        sim.stop_playback(playing[0])
        return f"stop {playing[0]}"
    if second == STOP_SECOND_AT and len(playing) > 1:
        sim.stop_playback(playing[1])
        return f"stop {playing[1]}"
    if second == LIBRARY_CHANGE_AT:
        sim.trigger_library_change(items_added=1)
        return "library change (1 movie added)"
    return None


async def advance(sim: EmbySimulator, seconds: int) -> None:
    """Move simulated playback; the server pushes what a real one would and sends it."""
    result: Any = sim.advance(seconds)
    if asyncio.iscoroutine(result):
        await result
    flush = getattr(sim, "flush", None)
    if flush is not None:
        await flush()


class Quiet:
    """Waits (bounded, real time) until the integration has finished what a step started.

    Done means: no request reached the server during the last poll and every task on HA's loop
    has finished, except long-lived ones (receive loops, health-check loops), recognised as tasks
    still pending after setup or after several steps in a row.
    """

    def __init__(self, simulator: SimulatorThread) -> None:
        """Watch HA's loop and the simulator."""
        self.simulator = simulator
        self.long_lived: set[asyncio.Task[Any]] = set()
        self._pending_steps: Counter[asyncio.Task[Any]] = Counter()
        self.slow_steps = 0

    def _busy(self) -> list[asyncio.Task[Any]]:
        current = asyncio.current_task()
        return [
            task
            for task in asyncio.all_tasks()
            if task is not current and not task.done() and task not in self.long_lived
        ]

    def adopt_pending(self) -> None:
        """Everything pending now counts as long-lived."""
        self.long_lived.update(self._busy())

    async def wait(self, limit: float, quiet_for: float = 0.0) -> bool:
        """True when the system went quiet within `limit` real seconds."""
        deadline = real_now() + limit
        last = -1
        quiet_since: float | None = None
        while True:
            await real_sleep(POLL)
            total = await self.simulator.call(sim_total)
            now = real_now()
            if total == last and not self._busy():
                quiet_since = quiet_since or now
                if now - quiet_since >= quiet_for:
                    return True
            else:
                quiet_since = None
            last = total
            if now > deadline:
                break
        self.slow_steps += 1
        for task in list(self._pending_steps):
            if task.done():
                del self._pending_steps[task]
        for task in self._busy():
            self._pending_steps[task] += 1
            if self._pending_steps[task] >= LONG_LIVED_AFTER_STEPS:
                self.long_lived.add(task)
        return False


def user_choice_field(result: dict[str, Any]) -> str | None:
    """Name of the form's user selection field, if it has one."""
    schema = result.get("data_schema")
    names = [str(key.schema) for key in schema.schema] if schema is not None else []
    return next((name for name in names if name in USER_FIELDS), None)


def fill_form(result: dict[str, Any], port: int, users: list[str]) -> tuple[dict[str, Any], str]:
    """The user input for one form: the server's address, and every user (the default choice)."""
    schema = result["data_schema"]
    values: dict[str, Any] = {}
    note = ""
    for key in schema.schema:
        name = str(key.schema)
        if name == "port":
            values[name] = port
        elif name in FLOW_FIELD_VALUES:
            values[name] = FLOW_FIELD_VALUES[name]
        elif name in USER_FIELDS:
            default = key.default() if callable(key.default) else None
            assert default is not None, f"{name}: no default to pick all users with"
            assert default not in users, f"{name}: the default picks one user ({default})"
            values[name] = default
            note = f"{result['step_id']}.{name}={default!r} (all users)"
    return values, note


def fire_time_changed(hass: HomeAssistant) -> None:
    """Run the timers due at the frozen clock's now, as the test helper `async_fire_time_changed`
    does (the same now plus the 0.5 s its helpers may add, the same patched time trackers), but
    with the clocks read once per step. The helper reads `time.time()` and `loop.time()` for every
    pending timer, each a freezegun stack inspection of some 10 µs: a cost per pending timer and
    step that a running Home Assistant does not have, charged to whichever integration keeps
    timers (each of ours and of the baseline keeps about ten)."""
    utc_now = dt_util.utcnow() + timedelta(microseconds=event_helper.RANDOM_MICROSECOND_MAX)
    timestamp = utc_now.timestamp()
    seconds_ahead = timestamp - time.time()
    loop_now = hass.loop.time() + _MONOTONIC_RESOLUTION
    for handle in list(getattr(hass.loop, "_scheduled", ())):
        if not isinstance(handle, asyncio.TimerHandle) or handle.cancelled():
            continue
        if seconds_ahead >= handle.when() - loop_now:
            with (
                patch.object(event_helper, "time_tracker_utcnow", return_value=utc_now),
                patch.object(event_helper, "time_tracker_timestamp", return_value=timestamp),
            ):
                handle._run()
                handle.cancel()


@contextmanager
def running_simulator() -> Iterator[SimulatorThread]:
    """The simulator on its thread, stopped at the end."""
    simulator = SimulatorThread(simulator_config())
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


async def set_up(
    hass: HomeAssistant,
    simulator: SimulatorThread,
    *,
    quiet: Quiet,
    users: list[str],
    wait_limit: float,
    results: dict[str, Any],
) -> tuple[ConfigEntry[Any], dict[str, int]]:
    """The config flow (all users) and the entry's setup, counted; returns the entry and the
    request counts once setup went quiet."""
    sim = simulator.sim
    assert sim is not None
    # --- Config flow (all users), then the entry's setup --------------------------------
    start_counts = await simulator.call(sim_counts)
    setup_cpu, setup_sim_cpu = process_cpu(), simulator.cpu_seconds()
    result: Any = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    steps: list[dict[str, Any]] = []
    choice = ""
    before_last = start_counts
    for _ in range(MAX_FLOW_STEPS):
        if result["type"] is not FlowResultType.FORM:
            break
        assert not result.get("errors"), f"flow step {result['step_id']}: {result['errors']}"
        shown = str(result["step_id"])
        values, note = fill_form(result, sim.port, users)
        choice = note or choice
        before_last = await simulator.call(sim_counts)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
        after = await simulator.call(sim_counts)
        steps.append({"step": shown, "requests": sum(diff(after, before_last).values())})
    assert result["type"] is FlowResultType.CREATE_ENTRY, f"flow ended with {result}"
    assert choice, "the flow offered no user choice"
    entry: ConfigEntry[Any] = result["result"]

    async def _loaded() -> None:
        while entry.state is not ConfigEntryState.LOADED:
            assert entry.state not in (
                ConfigEntryState.SETUP_ERROR,
                ConfigEntryState.SETUP_RETRY,
            ), f"setup failed: {entry.state} {entry.reason}"
            await real_sleep(POLL)

    loaded, _ = await run_bounded(_loaded(), SETUP_SETTLE_LIMIT)
    assert loaded, f"entry not loaded after {SETUP_SETTLE_LIMIT} s: {entry.state}"

    # --- HA's wait for pending tasks, right after setup ----------------------------------
    returned, waited = await run_bounded(hass.async_block_till_done(), wait_limit)
    results["block_till_done"] = {
        "returned": returned,
        "seconds": round(waited, 4),
        "limit_seconds": wait_limit,
        # What it was still waiting for (HA's own task set; informative only).
        "waiting_for": sorted(task_name(t) for t in getattr(hass, "_tasks", ()) if not t.done()),
    }

    await quiet.wait(SETUP_SETTLE_LIMIT, quiet_for=QUIET_AFTER_SETUP)
    quiet.adopt_pending()
    setup_counts = await simulator.call(sim_counts)
    setup_cpu, setup_sim_cpu = (
        process_cpu() - setup_cpu,
        simulator.cpu_seconds() - setup_sim_cpu,
    )
    flow_requests = diff(before_last, start_counts)
    setup_requests = diff(setup_counts, before_last)
    results["config_flow"] = {
        "steps": steps,
        "user_choice": choice,
        "requests": sum(flow_requests.values()),
        "by_endpoint": flow_requests,
    }
    results["setup"] = {
        "requests": sum(setup_requests.values()),
        "by_endpoint": setup_requests,
        "with_flow": sum(diff(setup_counts, start_counts).values()),
        "long_lived_tasks": sorted(task_name(task) for task in quiet.long_lived),
        "cpu_seconds": {
            "process": round(setup_cpu, 3),
            "simulator": round(setup_sim_cpu, 3),
            "home_assistant": round(setup_cpu - setup_sim_cpu, 3),
        },
    }
    return entry, setup_counts


@pytest.mark.freeze_time("2026-11-24 12:00:00+00:00")
async def test_one_hour(
    freezer: FrozenDateTimeFactory,
    socket_enabled: None,
    enable_custom_integrations: None,
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
) -> None:
    """Set up through the config flow, then one hour of playback; write the figures."""
    # The test harness runs the loop in asyncio debug mode, which records a stack trace with every
    # handle and future; a running Home Assistant does not, and neither does this figure.
    asyncio.get_running_loop().set_debug(False)
    option = request.config.getoption
    out = Path(option("--bench-out"))
    seconds, step = int(option("--bench-seconds")), int(option("--bench-step"))
    wait_limit = float(option("--bench-wait-limit"))
    # Without an integration the hour is Home Assistant alone: what scripts/bench subtracts to get
    # an integration's own CPU.
    alone = bool(option("--bench-no-integration"))
    integration = integration_dir()
    manifest = (
        {"domain": DOMAIN} if alone else json.loads((integration / "manifest.json").read_text())
    )
    results: dict[str, Any] = {
        "label": option("--bench-label"),
        "integration": None
        if alone
        else {
            "path": str(integration),
            "domain": manifest["domain"],
            "version": manifest.get("version"),
        },
        "home_assistant": HA_VERSION,
        "python": platform.python_version(),
        "scenario": {
            "users": USERS,
            "clients": CLIENTS,
            "playing": PLAYING,
            "libraries": LIBRARIES,
            "simulated_seconds": seconds,
            "step_seconds": step,
        },
    }
    assert manifest["domain"] == DOMAIN

    with running_simulator() as simulator:
        sim = simulator.sim
        assert sim is not None
        quiet = Quiet(simulator)
        users = [str(getattr(user, "id", user)) for user in getattr(sim, "users", [])]

        if alone:
            setup_counts = await simulator.call(sim_counts)
            entry: ConfigEntry[Any] | None = None
        else:
            entry, setup_counts = await set_up(
                hass, simulator, quiet=quiet, users=users, wait_limit=wait_limit, results=results
            )

        # --- One hour ------------------------------------------------------------------------
        cpu_before, sim_cpu_before = process_cpu(), simulator.cpu_seconds()
        loop_clock = time.pthread_getcpuclockid(threading.get_ident())
        loop_cpu_before = time.clock_gettime(loop_clock)
        wall_before = real_now()
        profiler: cProfile.Profile | None = None
        if option("--bench-profile"):
            # Where the hour's time goes (cProfile; its overhead inflates the figures: a
            # profiled hour's CPU is not reported as the hour's).
            profiler = cProfile.Profile()
            profiler.enable()
        # When each request came (simulated seconds into the hour), to explain the totals.
        timeline: list[tuple[int, dict[str, int]]] = []
        events: list[tuple[int, str]] = []
        playing = await simulator.call(playing_clients)
        before = setup_counts
        for index in range(seconds // step):
            second = (index + 1) * step
            freezer.tick(timedelta(seconds=step))
            fire_time_changed(hass)
            await simulator.call(lambda s: advance(s, step))
            event = await simulator.call(
                lambda s: scenario_event(s, second, playing)  # noqa: B023
            )
            if event is not None:
                events.append((second, event))
                await simulator.call(lambda s: s.flush())
            await quiet.wait(STEP_SETTLE_LIMIT)
            now = await simulator.call(sim_counts)
            if new := diff(now, before):
                timeline.append(((index + 1) * step, new))
            before = now
        await quiet.wait(SETUP_SETTLE_LIMIT, quiet_for=QUIET_AFTER_SETUP)
        wall = real_now() - wall_before
        cpu, sim_cpu = process_cpu() - cpu_before, simulator.cpu_seconds() - sim_cpu_before
        loop_cpu = time.clock_gettime(loop_clock) - loop_cpu_before
        if profiler is not None:
            profiler.disable()
            await hass.async_add_executor_job(profiler.dump_stats, option("--bench-profile"))
        hour_counts = await simulator.call(sim_counts)
        hour = diff(hour_counts, setup_counts)
        results["hour"] = {
            "requests": sum(hour.values()),
            "sessions_requests": sessions_requests(hour),
            "by_endpoint": hour,
            "timeline": timeline,
            "events": events,
            "wall_seconds": round(wall, 3),
            "cpu_seconds": {
                "process": round(cpu, 3),
                "simulator": round(sim_cpu, 3),
                "home_assistant": round(cpu - sim_cpu, 3),
                # HA's event-loop thread alone (the rest: the core's threads, executors).
                "event_loop_thread": round(loop_cpu, 3),
            },
            "steps_not_quiet": quiet.slow_steps,
            "long_lived_tasks": sorted(task_name(task) for task in quiet.long_lived),
        }
        results["simulator"] = await simulator.call(sim_stats)
        results["entry_state_after_hour"] = None if entry is None else str(entry.state)

        await hass.async_add_executor_job(write_results, out, results)
        if entry is None:
            return

        unloaded, unload_seconds = await run_bounded(
            hass.config_entries.async_unload(entry.entry_id), SETUP_SETTLE_LIMIT
        )
        results["unload"] = {"finished": unloaded, "seconds": round(unload_seconds, 4)}
        await hass.async_add_executor_job(write_results, out, results)
