"""Per-update cost on Home Assistant's event loop, for whichever `custom_components.embymedia` is
loaded, or for the plain-Python reference reader (bench/reference_reader.py) when none is, or for
the core's floor reader (bench/floor_reader.py, `--bench-floor`: pushes only).

Three figures, each over many repetitions (medians and spread; scripts/bench compares them):

* push: the simulator (on its own thread) flips one of the two playing clients between playing
  and paused, without telling anyone, then pushes one `Sessions` frame of 20 sessions. Measured
  from the frame to the first media player state written with the new state: the CPU time of
  HA's event-loop thread (its thread CPU clock, read by the simulator thread as it writes the
  frame to the socket, after encoding it, and by the state listener on the loop) and the wall
  time (frame to state latency).
* poll: the same flip on a server of 100 sessions, then one refresh of the integration's
  coordinator that fetches `GET /Sessions` (found by watching which refresh calls it): event-loop
  CPU of the awaited refresh, entity state writes included.
* browse: a browse page of 5,000 items through `media_player.browse_media` (a hook: measured only
  when the loaded media player supports browsing; otherwise recorded as not measured).

HA's clock is not frozen here: the waits are real and bounded. Nothing asserts a figure.
"""

import asyncio
import cProfile
import json
import platform
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import integration_dir
from floor_reader import FloorReader
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from reference_reader import ReferenceReader
from simulator_thread import SimulatorThread
from stats import spread
from test_one_hour import API_KEY, MAX_FLOW_STEPS, fill_form

from emby_simulator import EmbySimulator, SimulatorConfig

DOMAIN = "embymedia"
PUSH_SESSIONS, POLL_SESSIONS, BROWSE_ITEMS = 20, 100, 5000
WARMUP = 20
STATE_TIMEOUT = 3.0
SETUP_TIMEOUT = 30.0
SETTLE = 0.5
"""Real seconds given to setup, reload and unload to finish (the baseline leaves tasks that
`hass.async_block_till_done()` would wait on forever)."""
MAX_MISSED = 10
AFTER_UPDATE = 0.003
"""Real seconds the loop gets after each update to finish trailing work before the next."""


def server(clients: int, **extra: Any) -> SimulatorConfig:
    """A quiet server: the clients act only when the benchmark tells them."""
    return SimulatorConfig(
        api_key=API_KEY, users=3, clients=clients, playing=2, script=False, **extra
    )


async def wait_for(condition: Callable[[], bool], limit: float) -> bool:
    """Poll a condition (real time, bounded)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def set_up_integration(hass: HomeAssistant, sim: EmbySimulator) -> ConfigEntry[Any]:
    """The integration's config flow with its defaults (all users), until the entry is loaded."""
    users = [str(user["Id"]) for user in sim.users]
    result: Any = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    for _ in range(MAX_FLOW_STEPS):
        if result["type"] is not FlowResultType.FORM:
            break
        values, _ = fill_form(result, sim.port, users)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.CREATE_ENTRY, f"flow ended with {result}"
    entry: ConfigEntry[Any] = result["result"]
    assert await wait_for(lambda: entry.state is ConfigEntryState.LOADED, SETUP_TIMEOUT)
    await asyncio.sleep(SETTLE)
    return entry


def media_players(hass: HomeAssistant) -> list[str]:
    """Media player entities of the integration (or of the reference reader)."""
    return [s.entity_id for s in hass.states.async_all("media_player")]


class StateWatch:
    """Records, on the loop, when a media player's state (playing/paused) changes."""

    def __init__(self, hass: HomeAssistant, cpu_clock: int) -> None:
        """Listen to state changes."""
        self.cpu_clock = cpu_clock
        self.hit: tuple[int, int] | None = None
        self.changed = asyncio.Event()
        self._unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_change)

    @callback
    def _on_change(self, event: Event[Any]) -> None:
        old, new = event.data.get("old_state"), event.data.get("new_state")
        if self.hit is not None or old is None or new is None:
            return
        if not new.entity_id.startswith("media_player.") or old.state == new.state:
            return
        self.hit = (time.perf_counter_ns(), time.clock_gettime_ns(self.cpu_clock))
        self.changed.set()

    def arm(self) -> None:
        """Wait for the next change."""
        self.hit = None
        self.changed.clear()

    def close(self) -> None:
        """Stop listening."""
        self._unsub()


def playing_devices(sim: EmbySimulator) -> list[str]:
    """Device ids of the clients playing now."""
    return [s.device_id for s in sim.sessions if s.now_playing is not None]


def flip(sim: EmbySimulator, device_id: str) -> None:
    """Pause or resume a client without any frame (the next push or poll shows it)."""
    session = next(s for s in sim.sessions if s.device_id == device_id)
    session.is_paused = not session.is_paused


async def measure_pushes(
    hass: HomeAssistant, simulator: SimulatorThread, events: int
) -> dict[str, Any]:
    """Frame to state: loop CPU and latency per Sessions push (see the module docstring)."""
    sim = simulator.sim
    assert sim is not None
    devices = await simulator.call(playing_devices)
    assert len(devices) == 2, devices
    cpu_clock = time.pthread_getcpuclockid(threading.get_ident())
    watch = StateWatch(hass, cpu_clock)
    sent: list[tuple[int, int]] = []

    def push(device_id: str) -> Callable[[EmbySimulator], None]:
        def _stamp() -> None:
            sent.append((time.perf_counter_ns(), time.clock_gettime_ns(cpu_clock)))

        def _push(s: EmbySimulator) -> None:
            flip(s, device_id)
            # Stamped as the frame is written: encoding and queueing it are the server's time.
            s.state.hub.before_next_send = _stamp
            s.send_ws("Sessions", s.sessions_json())

        return _push

    cpu_us: list[float] = []
    latency_us: list[float] = []
    missed = 0
    loop_cpu_start = time.clock_gettime_ns(cpu_clock)
    wall_start = time.perf_counter_ns()
    try:
        for index in range(WARMUP + events):
            watch.arm()
            simulator.post(push(devices[index % 2]))
            try:
                await asyncio.wait_for(watch.changed.wait(), STATE_TIMEOUT)
            except TimeoutError:
                missed += 1
                if missed >= MAX_MISSED:
                    break
                continue
            assert watch.hit is not None
            if index >= WARMUP:
                t0, c0 = sent[-1]
                latency_us.append((watch.hit[0] - t0) / 1000)
                cpu_us.append((watch.hit[1] - c0) / 1000)
            await asyncio.sleep(AFTER_UPDATE)
    finally:
        watch.close()
    loop_cpu = time.clock_gettime_ns(cpu_clock) - loop_cpu_start
    return {
        "sessions": PUSH_SESSIONS,
        "playing": 2,
        "events": events,
        "missed": missed,
        "loop_cpu_frame_to_state": spread(cpu_us),
        "latency_frame_to_state": spread(latency_us),
        # Everything HA's loop did over the run, per push (trailing work and the harness's own
        # waiting included, the same for every reader).
        "loop_cpu_per_push_all_us": round(loop_cpu / 1000 / (WARMUP + events), 1),
        "wall_seconds": round((time.perf_counter_ns() - wall_start) / 1e9, 2),
    }


async def sessions_refresher(
    simulator: SimulatorThread, entry: ConfigEntry[Any]
) -> DataUpdateCoordinator[Any] | None:
    """The entry's coordinator whose refresh fetches `GET /Sessions`."""
    runtime = getattr(entry, "runtime_data", None)
    candidates: list[DataUpdateCoordinator[Any]] = []
    for name in dir(runtime):
        if name.startswith("__"):
            continue
        value = getattr(runtime, name, None)
        if isinstance(value, DataUpdateCoordinator) and value not in candidates:
            candidates.append(value)
    for coordinator in candidates:
        before = await simulator.call(lambda s: s.count("/Sessions", "GET"))
        await coordinator.async_refresh()
        if await simulator.call(lambda s: s.count("/Sessions", "GET")) > before:
            return coordinator
    return None


async def measure_polls(
    simulator: SimulatorThread, refresh: Callable[[], Any], polls: int
) -> dict[str, Any]:
    """Loop CPU of one awaited refresh after one client changed."""
    devices = await simulator.call(playing_devices)
    cpu_clock = time.pthread_getcpuclockid(threading.get_ident())
    cpu_us: list[float] = []
    for index in range(WARMUP + polls):
        await simulator.call(lambda s, d=devices[index % 2]: flip(s, d))
        start = time.clock_gettime_ns(cpu_clock)
        await refresh()
        if index >= WARMUP:
            cpu_us.append((time.clock_gettime_ns(cpu_clock) - start) / 1000)
        await asyncio.sleep(AFTER_UPDATE)
    return {"sessions": POLL_SESSIONS, "polls": polls, "loop_cpu_per_poll": spread(cpu_us)}


async def measure_browse(hass: HomeAssistant, pages: int) -> dict[str, Any]:
    """A browse page of BROWSE_ITEMS items, when the media player can browse (a hook)."""
    component = hass.data.get("entity_components", {}).get("media_player")
    entities = list(getattr(component, "entities", ()))
    browsable = [
        e
        for e in entities
        if getattr(e, "platform", None) is not None
        and e.platform.platform_name == DOMAIN
        and (e.supported_features or 0) & 0x20000  # MediaPlayerEntityFeature.BROWSE_MEDIA
    ]
    if not browsable:
        return {"measured": False, "reason": "no media player of the integration can browse"}
    entity = browsable[0]
    cpu_clock = time.pthread_getcpuclockid(threading.get_ident())
    root = await entity.async_browse_media()
    # Walk down to the first folder holding BROWSE_ITEMS children (the Movies library).
    path: list[str] = []
    node: Any = root
    for _ in range(4):
        children = list(node.children or ())
        if len(children) >= BROWSE_ITEMS:
            break
        folder = next((c for c in children if c.can_expand and "movie" in c.title.lower()), None)
        folder = folder or next((c for c in children if c.can_expand), None)
        if folder is None:
            break
        path.append(folder.title)
        node = await entity.async_browse_media(folder.media_content_type, folder.media_content_id)
    children_seen = len(node.children or ())
    if children_seen < BROWSE_ITEMS:
        return {
            "measured": False,
            "reason": f"no page of {BROWSE_ITEMS} items: walked {path}, last had {children_seen}",
        }
    cpu_us: list[float] = []
    for _ in range(pages):
        start = time.clock_gettime_ns(cpu_clock)
        await entity.async_browse_media(node.media_content_type, node.media_content_id)
        cpu_us.append((time.clock_gettime_ns(cpu_clock) - start) / 1000)
    return {"measured": True, "path": path, "children": children_seen, "loop_cpu": spread(cpu_us)}


def write(path: Path, results: dict[str, Any]) -> None:
    """The JSON scripts/bench reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


async def test_per_update(
    socket_enabled: None,
    enable_custom_integrations: None,
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
) -> None:
    """Pushes, polls and browse pages; the figures go to --bench-out."""
    # The test harness runs the loop in asyncio debug mode, which records a stack trace with every
    # handle and future; a running Home Assistant does not, and neither does this figure.
    asyncio.get_running_loop().set_debug(False)
    option = request.config.getoption
    out = Path(option("--bench-out"))
    events = int(option("--bench-events"))
    reference = bool(option("--bench-no-integration"))
    floor = reference and bool(option("--bench-floor"))
    results: dict[str, Any] = {
        "label": option("--bench-label"),
        "home_assistant": HA_VERSION,
        "python": platform.python_version(),
    }
    if not reference:
        manifest = json.loads((integration_dir() / "manifest.json").read_text())
        results["integration"] = {"path": str(integration_dir()), "version": manifest["version"]}

    # --- pushes: 20 sessions, 2 playing ---------------------------------------------------------
    simulator = SimulatorThread(server(PUSH_SESSIONS))
    sim = simulator.start()
    try:
        if floor:
            floor_reader = FloorReader(hass, sim.port, API_KEY)
            await floor_reader.start()
            assert await wait_for(lambda: sim.subscriptions > 0, 10), "no Sessions subscription"
        elif reference:
            reader = ReferenceReader(hass, sim.port, API_KEY)
            await reader.start(websocket=True)
            assert await wait_for(lambda: simulator.sim is not None and sim.subscriptions > 0, 10)
        else:
            entry = await set_up_integration(hass, sim)
            assert await wait_for(lambda: sim.subscriptions > 0, 10), "no Sessions subscription"
        assert await wait_for(lambda: len(media_players(hass)) >= 2, 10), media_players(hass)
        await asyncio.sleep(0.5)
        results["push"] = await measure_pushes(hass, simulator, events)
        if profile_out := option("--bench-profile"):
            # Where the loop's time goes per push (cProfile of HA's loop thread; its overhead
            # inflates the figures, so the timed run above is separate).
            profiler = cProfile.Profile()
            profiler.enable()
            await measure_pushes(hass, simulator, max(100, events // 5))
            profiler.disable()
            await hass.async_add_executor_job(profiler.dump_stats, profile_out)
        if floor:
            await floor_reader.stop()
        elif reference:
            await reader.stop()
        else:
            await hass.config_entries.async_unload(entry.entry_id)
            await asyncio.sleep(SETTLE)
    finally:
        simulator.stop()
    await hass.async_add_executor_job(write, out, results)
    if floor:
        # The floor is a push figure: a poll or a browse page has no floor of this kind.
        return

    # --- polls: 100 sessions; browse: a library of 5,000 movies ---------------------------------
    simulator = SimulatorThread(server(POLL_SESSIONS, movies=BROWSE_ITEMS))
    sim = simulator.start()
    try:
        if reference:
            reader = ReferenceReader(hass, sim.port, API_KEY)
            await reader.start(websocket=False)
            results["poll"] = await measure_polls(simulator, reader.poll, events // 5)
            await reader.stop()
            results["browse"] = {"measured": False, "reason": "no browse in the reference reader"}
        else:
            entry = await set_up_integration(hass, sim)
            # Polling is what an entry does without the WebSocket (both integrations call the
            # option `enable_websocket`).
            hass.config_entries.async_update_entry(
                entry, options={**entry.options, "enable_websocket": False}
            )
            assert await hass.config_entries.async_reload(entry.entry_id)
            await asyncio.sleep(SETTLE)
            coordinator = await sessions_refresher(simulator, entry)
            if coordinator is None:
                results["poll"] = {"measured": False, "reason": "no coordinator polls /Sessions"}
            else:
                results["poll"] = await measure_polls(
                    simulator, coordinator.async_refresh, events // 5
                )
            try:
                results["browse"] = await measure_browse(hass, 20)
            except Exception as err:  # a hook: report, never fail the run
                results["browse"] = {"measured": False, "reason": f"{type(err).__name__}: {err}"}
            await hass.config_entries.async_unload(entry.entry_id)
            await asyncio.sleep(SETTLE)
    finally:
        simulator.stop()
    await hass.async_add_executor_job(write, out, results)
