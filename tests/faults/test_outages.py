"""Outages (issue 14): the server down when Home Assistant starts, restarted mid-run, down for
ten minutes, the key revoked. Each reports its recovery time and what was lost (nothing).

Home Assistant's clock moves by time travel (`async_fire_time_changed`); the core and the
simulator answer in real time on their own threads, which `wait_until` waits for.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET, DOMAIN
from emby_simulator import EmbySimulator, Fault

from .probes import FaultReport

type WaitUntil = Callable[..., Awaitable[None]]


def _travel(hass: HomeAssistant, seconds: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))


def _players(hass: HomeAssistant) -> dict[str, str]:
    return {s.entity_id: s.state for s in hass.states.async_all("media_player")}


def _loud(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warnings and errors of the integration and the core."""
    return [
        f"{r.levelname} {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.WARNING
        and r.name.startswith(("custom_components.embymedia", "embymedia_core"))
    ]


async def test_server_down_when_home_assistant_starts(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Nothing listens at setup: retry, then load once the server is up."""
    await simulator.shutdown()
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    await simulator.restart(down_for=0)
    started = time.monotonic()
    _travel(hass, 600)
    await wait_until(lambda: mock_config_entry.state is ConfigEntryState.LOADED)
    runtime = mock_config_entry.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    recovery = time.monotonic() - started
    # Nothing lost: every client with entities is one the server has.
    assert runtime.sessions.data
    assert set(runtime.sessions.data) <= {s.device_id for s in simulator.sessions}
    FaultReport(
        "server down when HA starts", recovery_s=recovery, note="retry by time travel"
    ).emit()
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_restart_mid_run(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """A restart: the socket comes back by itself and a pause right after it shows (pushed,
    not polled: no time travel here)."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    connections = simulator.websocket_connections
    await simulator.restart(down_for=0.5)
    started = time.monotonic()
    await wait_until(
        lambda: (
            runtime.sessions.websocket_connected and simulator.websocket_connections > connections
        ),
        within=30,
    )
    recovery = time.monotonic() - started
    playing = next(s for s in simulator.sessions if s.now_playing and not s.is_paused)
    simulator.pause(playing.device_id)
    await wait_until(
        lambda: (
            (session := (runtime.sessions.data or {}).get(playing.device_id)) is not None
            and session.play_state.is_paused
        ),
        within=30,
    )
    FaultReport(
        "restart mid-run (0.5 s down)",
        recovery_s=recovery,
        note="recovery = restart to socket up; the pause after it arrived by push",
    ).emit()


@pytest.mark.parametrize("entry_options", [{CONF_ENABLE_WEBSOCKET: False}, {}])
async def test_down_for_ten_minutes(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
    caplog: pytest.LogCaptureFixture,
    entry_options: dict[str, Any],
) -> None:
    """Ten minutes down (Home Assistant's clock): clients unavailable, one error per
    coordinator, then back with the same entities once the server is."""
    runtime = init_integration.runtime_data
    before = _players(hass)
    assert before and STATE_UNAVAILABLE not in before.values()
    await simulator.shutdown()
    for _ in range(10):
        _travel(hass, 60)
        await hass.async_block_till_done()
    await wait_until(lambda: not runtime.sessions.last_update_success, within=30)
    await wait_until(lambda: set(_players(hass).values()) == {STATE_UNAVAILABLE}, within=30)
    loud = _loud(caplog)
    coordinators = 3 + len(runtime.discovery)
    assert len(loud) <= coordinators + 1, loud

    await simulator.restart(down_for=0)
    started = time.monotonic()
    _travel(hass, 3600)
    await wait_until(
        lambda: (
            runtime.sessions.last_update_success
            and runtime.server.last_update_success
            and STATE_UNAVAILABLE not in _players(hass).values()
        ),
        within=30,
    )
    recovery = time.monotonic() - started
    assert set(_players(hass)) == set(before)
    FaultReport(
        f"down for 10 minutes ({'WebSocket' if not entry_options else 'polling'})",
        recovery_s=recovery,
        note=f"{len(loud)} warnings/errors during the outage",
    ).emit()


async def test_key_revoked(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A revoked key: reauthentication starts once, the clients go unavailable, the log stays
    quiet (no retry storm), and the socket stops knocking."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    simulator.set_fault(Fault(force_status=401))
    await simulator.restart(down_for=0)  # drops the socket: its reconnect meets the 401
    for _ in range(5):
        _travel(hass, 120)
        await hass.async_block_till_done()
    await wait_until(
        lambda: (
            [
                f["context"]["source"]
                for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            ]
            == [SOURCE_REAUTH]
        ),
        within=30,
    )
    await wait_until(lambda: set(_players(hass).values()) == {STATE_UNAVAILABLE}, within=30)
    loud = _loud(caplog)
    assert len(loud) <= 3 + len(runtime.discovery) + 1, loud
    FaultReport("key revoked", note=f"reauth started, {len(loud)} warnings/errors").emit()


async def test_changes_while_the_socket_is_down_are_not_lost(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Movies added while the socket is down (their LibraryChanged goes nowhere) show after the
    reconnect: in the library counts and in every user's recently added row, without waiting
    for a poll (the library's is hourly while polling, daily once the socket is back)."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: simulator.user_event_sockets == 1)
    library = runtime.library
    assert library.data is not None
    movies = library.data.counts["movie_count"]
    simulator.set_fault(Fault(ws_drop=True))
    await wait_until(lambda: not runtime.sessions.websocket_connected)
    added = simulator.trigger_library_change(items_added=3)["ItemsAdded"]
    simulator.set_fault(None)
    started = time.monotonic()
    await wait_until(lambda: runtime.sessions.websocket_connected, within=30)

    def _caught_up() -> bool:
        return (
            library.data is not None
            and library.data.counts["movie_count"] == movies + 3
            and all(
                coordinator.data is not None
                and {item["id"] for item in coordinator.data.latest} >= set(added)
                for coordinator in runtime.discovery.values()
            )
        )

    await wait_until(_caught_up, within=30)
    FaultReport(
        "library change while the WebSocket is down",
        recovery_s=time.monotonic() - started,
        note="3 movies added in the gap; recovery = fault cleared to counts and rows current",
    ).emit()
