"""Coordinators against the simulator: the polling table of EFFICIENCY.md, WebSocket pushes and
interval switching, event-driven refreshes, error mapping and the metrics the core records.

Time: Home Assistant's clock moves with `freezer` + `async_fire_time_changed`, the simulator's with
`sim.advance`; waits for the core's real I/O are bounded (`wait_until`).
"""

import copy
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import (
    CONF_ENABLE_WEBSOCKET,
    CONF_SCAN_INTERVAL,
    DISCOVERY_EVENT_DELAY,
    DISCOVERY_SCAN_INTERVAL,
    DOMAIN,
    WEBSOCKET_FALLBACK_INTERVAL,
    WEBSOCKET_QUIET_LIMIT,
)
from custom_components.embymedia.coordinator import LAST_SEEN_SAVE_DELAY, EmbyRuntimeData
from custom_components.embymedia.events import EmbyEventHandler
from emby_simulator import EmbySimulator, Fault
from tests.helpers import settle, tick

NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}

type WaitUntil = Callable[..., Awaitable[None]]


async def websocket_up(runtime: EmbyRuntimeData, wait_until: WaitUntil) -> None:
    """Wait until the socket is connected and the first session push arrived."""
    await wait_until(
        lambda: runtime.sessions.websocket_connected and runtime.sessions.push_count > 0
    )


def coordinator_stats(runtime: EmbyRuntimeData) -> dict[str, Any]:
    return dict(runtime.client.metrics()["efficiency_metrics"]["coordinators"])


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_polls_sessions_at_scan_interval_without_websocket(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """No WebSocket: one GET /Sessions per scan interval (10 s), nothing in between."""
    runtime = init_integration.runtime_data
    assert runtime.sessions.update_interval == timedelta(seconds=10)
    start = simulator.count("/Sessions")
    await tick(hass, freezer, 5)
    assert simulator.count("/Sessions") == start
    await tick(hass, freezer, 5)
    assert simulator.count("/Sessions") == start + 1
    for _ in range(6):
        await tick(hass, freezer, 10)
    assert simulator.count("/Sessions") == start + 7


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET | {CONF_SCAN_INTERVAL: 45}])
async def test_scan_interval_option_changes_polling(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The scan interval option is what the session coordinator waits between polls."""
    start = simulator.count("/Sessions")
    await tick(hass, freezer, 30)
    assert simulator.count("/Sessions") == start
    await tick(hass, freezer, 15)
    assert simulator.count("/Sessions") == start + 1


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_websocket_disabled_opens_no_socket(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """enable_websocket off: no socket is opened, sessions are only polled."""
    await settle(hass)
    websocket = init_integration.runtime_data.client.metrics()["efficiency_metrics"]["websocket"]
    assert websocket["connected"] is False
    assert websocket["messages_received"] == 0
    assert websocket["reconnections"] == 0
    assert simulator.count("/embywebsocket") == 0
    sessions = init_integration.runtime_data.sessions
    assert not sessions.websocket_connected
    assert sessions.push_count == 0
    assert sessions.update_interval == timedelta(seconds=10)


async def test_websocket_switches_session_interval(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Up: 60 s fallback. Server restart: the configured 10 s at once. Back: 60 s again."""
    runtime = init_integration.runtime_data
    sessions = runtime.sessions
    await websocket_up(runtime, wait_until)
    assert sessions.update_interval == timedelta(seconds=WEBSOCKET_FALLBACK_INTERVAL)

    restart = hass.async_create_task(simulator.restart(down_for=3.0))
    await wait_until(lambda: not sessions.websocket_connected)
    assert sessions.update_interval == timedelta(seconds=10)
    # Rescheduled at once: the next poll is due within the scan interval, not after 60 s.
    handle = sessions._unsub_refresh.__self__  # type: ignore[union-attr]
    assert handle.when() - hass.loop.time() <= 10.5

    await restart
    await wait_until(lambda: sessions.websocket_connected, within=30)
    assert sessions.update_interval == timedelta(seconds=WEBSOCKET_FALLBACK_INTERVAL)
    websocket = runtime.client.metrics()["efficiency_metrics"]["websocket"]
    assert websocket["reconnections"] >= 1


async def test_an_hour_of_playback_without_session_polls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """WebSocket up, two clients playing for an hour: zero GET /Sessions, and within the
    issue 8 budget of 24 requests for the hour."""
    runtime = init_integration.runtime_data
    await websocket_up(runtime, wait_until)
    sessions_before = simulator.count("/Sessions")
    requests_before = sum(simulator.request_counts().values())

    for _ in range(120):  # 30 s steps
        pushes = runtime.sessions.push_count
        simulator.advance(30)
        await simulator.flush()
        await wait_until(lambda: runtime.sessions.push_count > pushes)  # noqa: B023
        await tick(hass, freezer, 30)

    assert simulator.count("/Sessions") == sessions_before
    assert runtime.sessions.poll_count == 1  # the first refresh only
    requests = sum(simulator.request_counts().values()) - requests_before
    assert requests <= 24
    # The server poll runs hourly as a safety net (restarts and tasks are pushed).
    assert simulator.count("/System/Info") == 2


async def test_fallback_poll_when_pushes_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """WebSocket up but silent (an idle server pushes nothing): no poll for 30 minutes (the
    socket's pings prove it alive), then one safety-net poll."""
    runtime = init_integration.runtime_data
    sessions = runtime.sessions
    await websocket_up(runtime, wait_until)
    start = simulator.count("/Sessions")
    for _ in range(29):
        await tick(hass, freezer, 60)
    assert simulator.count("/Sessions") == start
    # A push during those minutes (on a loaded machine one came late, after a tick) restarts
    # the quiet time: count from the last one.
    for _ in range(40):
        assert sessions.last_push is not None
        if hass.loop.time() - sessions.last_push >= WEBSOCKET_QUIET_LIMIT:
            break
        assert simulator.count("/Sessions") == start, "polled while pushes were recent"
        await tick(hass, freezer, 60)
    # The safety-net check that found the pushes quiet (in the last tick) polls, once.
    await wait_until(lambda: simulator.count("/Sessions") == start + 1)


async def test_auth_error_while_polling_starts_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 401 on a later poll starts reauthentication."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=NO_WEBSOCKET)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    simulator.set_fault(Fault(force_status=401))
    await tick(hass, freezer, 10)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_server_error_makes_sessions_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A failing poll marks the coordinator failed with a translated error; recovery clears it."""
    sessions = init_integration.runtime_data.sessions
    simulator.set_fault(Fault(force_status=500))
    await tick(hass, freezer, 10)
    assert not sessions.last_update_success
    assert getattr(sessions.last_exception, "translation_key", None) == "update_failed"
    simulator.set_fault(None)
    await tick(hass, freezer, 10)
    assert sessions.last_update_success


def handler_for(hass: HomeAssistant, entry: MockConfigEntry) -> EmbyEventHandler:
    """The handler the WebSocket loop feeds (events shaped as in _core.pyi)."""
    return EmbyEventHandler(hass, entry, entry.runtime_data)


def discovery_updates(runtime: EmbyRuntimeData) -> int:
    return int(coordinator_stats(runtime)["discovery"]["updates"])


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_library_changed_refreshes_library_and_discovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A burst of LibraryChanged: one library refresh after the debounce window, and every
    user's recently-added and next-up rows refreshed once after the event delay (resume
    points do not move with the library)."""
    runtime = init_integration.runtime_data
    handler = handler_for(hass, init_integration)
    folders = simulator.count("/Library/VirtualFolders")
    discovery = discovery_updates(runtime)
    rows = discovery_requests(simulator)
    event = {
        "type": "library_changed",
        "items_added": ["1001"],
        "items_updated": [],
        "items_removed": [],
        "folders_added_to": [],
        "folders_removed_from": [],
    }
    for _ in range(4):  # a burst, as during a library scan
        handler.async_handle(event)  # type: ignore[arg-type]
    await settle(hass)
    assert discovery_updates(runtime) == discovery  # waits for the rest of the burst
    await tick(hass, freezer, DISCOVERY_EVENT_DELAY + 1)
    users = len(runtime.discovery)
    assert discovery_updates(runtime) == discovery + users
    assert discovery_requests(simulator) == rows | {
        "latest": rows["latest"] + users,
        "next_up": rows["next_up"] + users,
    }
    assert simulator.count("/Library/VirtualFolders") == folders  # debounced
    await tick(hass, freezer, 31)
    assert simulator.count("/Library/VirtualFolders") == folders + 1
    assert discovery_updates(runtime) == discovery + users
    await tick(hass, freezer, 31)
    assert simulator.count("/Library/VirtualFolders") == folders + 1
    assert discovery_updates(runtime) == discovery + users


def discovery_requests(simulator: EmbySimulator) -> dict[str, int]:
    """Requests of the three discovery rows so far."""
    return {
        "latest": simulator.count("/Users/{id}/Items/Latest"),
        "resume": simulator.count("/Users/{id}/Items/Resume"),
        "next_up": simulator.count("/Shows/NextUp"),
    }


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_user_events_refresh_resume_and_next_up_of_that_user(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """PlaybackStopped and the UserDataChanged that follows cost one refresh of that user's
    resume and next-up rows; "recently added" is left alone until the 30 minutes are up."""
    runtime = init_integration.runtime_data
    handler = handler_for(hass, init_integration)
    user_id = sorted(runtime.discovery)[0]
    coordinator = runtime.discovery[user_id]
    latest_before = coordinator.data.latest
    before, rows = discovery_updates(runtime), discovery_requests(simulator)
    session = next(iter(runtime.sessions.data.values()))
    handler.async_handle(
        {"type": "playback_stopped", "session": copy.replace(session, user_id=user_id)}
    )
    handler.async_handle({"type": "user_data_changed", "user_id": user_id, "item_ids": ["1"]})
    await tick(hass, freezer, DISCOVERY_EVENT_DELAY + 1)
    assert discovery_updates(runtime) == before + 1
    assert discovery_requests(simulator) == rows | {
        "resume": rows["resume"] + 1,
        "next_up": rows["next_up"] + 1,
    }
    assert coordinator.data.latest == latest_before

    # Another user's event refreshes that user only; unknown users cost nothing.
    other = sorted(runtime.discovery)[1]
    handler.async_handle({"type": "user_data_changed", "user_id": other, "item_ids": ["1"]})
    handler.async_handle({"type": "user_data_changed", "user_id": "nobody", "item_ids": []})
    await tick(hass, freezer, DISCOVERY_EVENT_DELAY + 1)
    assert discovery_updates(runtime) == before + 2
    assert discovery_requests(simulator)["latest"] == rows["latest"]

    # The save Emby announces when playback starts changes no row: it costs nothing.
    playing = next(s for s in runtime.sessions.data.values() if s.now_playing_item)
    assert playing.user_id in runtime.discovery
    handler.async_handle(
        {
            "type": "user_data_changed",
            "user_id": playing.user_id,
            "item_ids": [playing.now_playing_item.id],
        }
    )
    await tick(hass, freezer, DISCOVERY_EVENT_DELAY + 1)
    assert discovery_updates(runtime) == before + 2

    # Once the last full fetch is 30 minutes old, an event refreshes every row.
    freezer.tick(DISCOVERY_SCAN_INTERVAL)
    handler.async_handle({"type": "user_data_changed", "user_id": user_id, "item_ids": ["1"]})
    await tick(hass, freezer, DISCOVERY_EVENT_DELAY + 1)
    assert discovery_requests(simulator)["latest"] > rows["latest"]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_playback_events_update_sessions(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Playback events change one client in place; session_ended removes it; clients that
    cannot be remote controlled enter too (read-only players); no request is made for any of
    it."""
    runtime = init_integration.runtime_data
    sessions = runtime.sessions
    handler = handler_for(hass, init_integration)
    requests = sum(simulator.request_counts().values())
    updates: list[int] = []
    remove = sessions.async_add_listener(lambda: updates.append(len(sessions.data)))

    device_id, session = sorted(sessions.data.items())[0]
    paused = copy.replace(session, play_state=copy.replace(session.play_state, is_paused=True))
    handler.async_handle({"type": "playback_progress", "session": paused})
    assert sessions.data[device_id].play_state.is_paused is True
    handler.async_handle({"type": "playback_progress", "session": paused})
    assert len(updates) == 1  # unchanged data does not wake the entities

    handler.async_handle({"type": "session_ended", "session": paused})
    assert device_id not in sessions.data

    newcomer = copy.replace(session, device_id="new-device", device_name="New TV")
    handler.async_handle({"type": "playback_start", "session": newcomer})
    assert "new-device" in sessions.data
    assert sessions.known_devices["new-device"] == "New TV"

    passive = copy.replace(session, device_id="passive", supports_remote_control=False)
    handler.async_handle({"type": "playback_start", "session": passive})
    assert not sessions.data["passive"].supports_remote_control
    assert "passive" in sessions.known_devices

    own = copy.replace(session, device_id=sessions.own_device_id)
    handler.async_handle({"type": "playback_start", "session": own})
    assert sessions.own_device_id not in sessions.data
    assert sessions.own_device_id not in sessions.known_devices

    others = [d for d in sessions.data if d != device_id]
    handler.async_handle({"type": "sessions", "sessions": [session], "removed": others})
    assert set(sessions.data) == {device_id}
    assert sum(simulator.request_counts().values()) == requests
    remove()


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_last_seen_is_saved_while_a_client_stays_active(
    hass: HomeAssistant,
    *,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """The last-seen dates are written LAST_SEEN_SAVE_DELAY after the first change, however
    often the client's activity moves in between (a delay restarted at every change would
    postpone the write until Home Assistant stops)."""
    key = f"{DOMAIN}.{init_integration.entry_id}.last_seen"
    sessions = init_integration.runtime_data.sessions
    handler = handler_for(hass, init_integration)
    await tick(hass, freezer, LAST_SEEN_SAVE_DELAY + 1)  # what setup saw is written
    hass_storage.pop(key, None)
    device_id, session = sorted(sessions.data.items())[0]
    for minute in range(1, 4):  # a change every 20 s: never 60 s without one
        for second in (0, 20, 40):
            active = copy.replace(
                session, last_activity_date=f"2030-01-01T00:{minute:02}:{second:02}.0000000Z"
            )
            handler.async_handle({"type": "playback_progress", "session": active})
            await tick(hass, freezer, 20)
    assert hass_storage[key]["data"][device_id].startswith("2030-01-01T00:0")
    assert sessions.last_seen[device_id].isoformat() == "2030-01-01T00:03:40+00:00"


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET | {CONF_SCAN_INTERVAL: 20}])
async def test_connection_events_switch_intervals(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """connected -> the 60 s timer, which polls only after 30 quiet minutes; disconnected ->
    the configured interval at once."""
    runtime = init_integration.runtime_data
    sessions = runtime.sessions
    handler = handler_for(hass, init_integration)
    # A push that changes nothing (what the core hands over when nobody did anything).
    unchanged = {"type": "sessions", "sessions": [], "removed": []}

    handler.async_handle({"type": "connected"})
    assert sessions.websocket_connected
    assert runtime.server.websocket_connected
    assert sessions.update_interval == timedelta(seconds=WEBSOCKET_FALLBACK_INTERVAL)
    start = simulator.count("/Sessions")
    for _ in range(10):  # a push every 30 s: never a poll
        handler.async_handle(unchanged)
        await tick(hass, freezer, 30)
    assert simulator.count("/Sessions") == start
    await tick(hass, freezer, 61)  # quiet for a minute: no poll yet
    assert simulator.count("/Sessions") == start
    await tick(hass, freezer, WEBSOCKET_QUIET_LIMIT)  # quiet for 30 minutes: one poll
    assert simulator.count("/Sessions") == start + 1

    handler.async_handle({"type": "disconnected", "reason": "server restarting"})
    assert not sessions.websocket_connected
    assert sessions.update_interval == timedelta(seconds=20)
    await tick(hass, freezer, 20)
    assert simulator.count("/Sessions") == start + 2

    handler.async_handle({"type": "reconnecting", "delay_s": 1.0, "attempt": 1})
    handler.async_handle({"type": "server_restarting"})
    assert sessions.update_interval == timedelta(seconds=20)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_scheduled_tasks_follow_the_websocket(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """While the socket is up the server poll (hourly) skips /ScheduledTasks: the task
    subscription pushes them, a task's end included (no request)."""
    runtime = init_integration.runtime_data
    handler = handler_for(hass, init_integration)
    handler.async_handle({"type": "connected"})
    tasks = simulator.count("/ScheduledTasks")
    info = simulator.count("/System/Info")
    await tick(hass, freezer, 300)
    assert simulator.count("/System/Info") == info
    await tick(hass, freezer, 3300)
    assert simulator.count("/System/Info") == info + 1
    assert simulator.count("/ScheduledTasks") == tasks

    handler.async_handle(
        {"type": "scheduled_task_ended", "task_id": "t", "name": "Scan", "status": "Completed"}
    )
    await settle(hass)
    assert simulator.count("/ScheduledTasks") == tasks

    pushed = [dict(task) | {"state": "Running"} for task in runtime.server.data.tasks]
    handler.async_handle({"type": "scheduled_tasks_info", "tasks": pushed})  # type: ignore[typeddict-item]
    assert runtime.server.data.tasks == pushed
    assert simulator.count("/ScheduledTasks") == tasks

    # A reconnect reads the server once (pushes were lost meanwhile, a restart may have
    # changed the version); the tasks come with the new subscription.
    handler.async_handle({"type": "disconnected", "reason": "gone"})
    handler.async_handle({"type": "connected"})
    await settle(hass)
    assert simulator.count("/System/Info") == info + 2
    assert simulator.count("/ScheduledTasks") == tasks


async def test_coordinator_updates_are_recorded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every coordinator's fetch lands in the core's metrics."""
    stats = coordinator_stats(init_integration.runtime_data)
    for name in ("sessions", "library", "server", "discovery"):
        assert stats[name]["updates"] >= 1, name
        assert stats[name]["failures"] == 0, name


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_library_and_server_polling_table(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Without the WebSocket, the polling table of EFFICIENCY.md: library every hour, server
    every 5 minutes, discovery every 30 minutes."""
    runtime = init_integration.runtime_data
    unsubscribe = [
        runtime.library.async_add_listener(lambda: None),
        *(c.async_add_listener(lambda: None) for c in runtime.discovery.values()),
    ]
    info = simulator.count("/System/Info")
    folders = simulator.count("/Library/VirtualFolders")
    discovery = discovery_updates(runtime)
    for _ in range(12):
        await tick(hass, freezer, 300)
    assert simulator.count("/System/Info") - info == 12
    assert simulator.count("/Library/VirtualFolders") - folders == 1
    assert discovery_updates(runtime) - discovery == 2 * len(runtime.discovery)
    for remove in unsubscribe:
        remove()
