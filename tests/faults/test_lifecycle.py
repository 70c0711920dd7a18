"""Lifecycle faults (issue 14): the entry unloaded and reloaded 50 times leaks no task, thread
or socket; Home Assistant stopping during a reconnect wait or an in-flight request (25 runs
each) crashes nothing and leaves no task behind."""

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from emby_simulator import EmbySimulator, Fault

from .probes import FaultReport

type WaitUntil = Callable[..., Awaitable[None]]

RELOADS = 50
STOPS = 25


def _sockets() -> int:
    """Open sockets of this process (the core's and the simulator's)."""
    count = 0
    for fd in Path(f"/proc/{os.getpid()}/fd").iterdir():
        try:
            count += str(fd.readlink()).startswith("socket:")
        except OSError:
            continue
    return count


def _tasks() -> int:
    return len([t for t in asyncio.all_tasks() if not t.done()])


def _our_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.levelname} {r.name} {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or (r.exc_info is not None and r.levelno >= logging.WARNING)
    ]


async def test_reload_fifty_times_leaks_nothing(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Tasks, threads and sockets after 50 reloads are what they were after the first."""
    entry = init_integration

    async def _reload() -> None:
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        await wait_until(lambda: entry.runtime_data.sessions.websocket_connected)

    await _reload()
    baseline = (_tasks(), threading.active_count(), _sockets())
    started = time.monotonic()
    for _ in range(RELOADS):
        await _reload()
    elapsed = time.monotonic() - started

    def _settled() -> bool:
        tasks, threads, sockets = _tasks(), threading.active_count(), _sockets()
        return tasks <= baseline[0] and threads <= baseline[1] and sockets <= baseline[2]

    try:
        await wait_until(_settled, within=30)
    except AssertionError:
        names = sorted(t.get_name() for t in asyncio.all_tasks() if not t.done())
        threads = sorted(t.name for t in threading.enumerate())
        raise AssertionError(
            f"before {baseline}, after {(_tasks(), threading.active_count(), _sockets())}:"
            f" tasks {names}, threads {threads}"
        ) from None
    assert simulator.websocket_connections <= RELOADS + 3
    assert not _our_records(caplog)
    FaultReport(
        f"unload/reload x{RELOADS}",
        recovery_s=elapsed / RELOADS,
        note=f"tasks/threads/sockets after = before {baseline}; recovery = one reload",
    ).emit()


async def test_stop_during_reconnect_wait_and_in_flight_request(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    wait_until: WaitUntil,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """25 times each: Home Assistant's stop event while the socket waits to reconnect, and
    while a poll's request is in flight. The client closes, the refresh ends without a
    traceback, and no task of the entry survives the unload."""
    mock_config_entry.add_to_hass(hass)
    for run in range(STOPS * 2):
        in_flight = run % 2 == 1
        simulator.set_fault(None)
        if mock_config_entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
        else:
            assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        runtime = mock_config_entry.runtime_data
        await wait_until(lambda: runtime.sessions.websocket_connected)  # noqa: B023
        if in_flight:
            simulator.set_fault(Fault(latency=5.0, paths=("/Library/VirtualFolders",)))
            runtime.client.invalidate_all()
            # Not a hass task: wait_until blocks till hass tasks are done.
            refresh = asyncio.get_running_loop().create_task(runtime.library.async_refresh())
            await wait_until(
                lambda: simulator.count("/Library/VirtualFolders") > 0 and not refresh.done()  # noqa: B023
            )
        else:
            simulator.set_fault(Fault(ws_drop=True))
            await wait_until(lambda: not runtime.sessions.websocket_connected)  # noqa: B023
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()
        if in_flight:
            await asyncio.wait_for(refresh, 10)
            # The client closed under the refresh: the data stays, nothing is logged.
            assert runtime.library.data is not None
        with pytest.raises(Exception, match="closed"):
            await runtime.client.get_sessions()
        simulator.reset_counts()
    simulator.set_fault(None)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    leftover = [t.get_name() for t in asyncio.all_tasks() if "embymedia" in t.get_name()]
    assert not leftover
    assert not _our_records(caplog), _our_records(caplog)
    FaultReport(
        f"HA stop during reconnect wait / in-flight request x{STOPS} each",
        note="no crash, no traceback, no task left",
    ).emit()
