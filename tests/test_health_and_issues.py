"""System health and the repair issues against the simulator: each issue appears while its
condition holds and goes when it clears."""

import dataclasses
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    get_system_health_info,
)

from custom_components.embymedia.const import (
    CONF_API_KEY,
    CONF_ENABLE_WEBSOCKET,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from custom_components.embymedia.issues import (
    ISSUE_SERVER_TOO_OLD,
    ISSUE_USER_DELETED,
    ISSUE_WEBSOCKET_REFUSED,
    WEBSOCKET_REFUSED_AFTER,
    issue_id,
)
from custom_components.embymedia.system_health import (
    REQUEST_HISTORY,
    SAMPLE_INTERVAL,
    RequestHistory,
    total_requests,
)
from emby_simulator import EmbySimulator, Fault

NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
type WaitUntil = Callable[..., Awaitable[None]]


def issue(hass: HomeAssistant, kind: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(kind, entry))


def set_version(sim: EmbySimulator, version: str) -> None:
    """Another Emby version from now on (the configuration is frozen: swap it)."""
    system = sim.state.system
    system._config = dataclasses.replace(system._config, version=version)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_system_health_single_server(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Reachable, version, WebSocket state and the hour's requests; unreachable when down."""
    assert await async_setup_component(hass, "system_health", {})
    await hass.async_block_till_done()
    await init_integration.runtime_data.client.ping()  # one request after setup
    info = await get_system_health_info(hass, DOMAIN)
    requests_now = total_requests(init_integration)
    for key, value in info.items():
        if isinstance(value, Awaitable):
            info[key] = await value
    assert info["server"] == "Emby Simulator"
    assert info["server_reachable"] is True
    assert info["server_version"] == simulator.config.version
    assert info["websocket"] == "disabled"
    assert info["requests_last_hour"] == requests_now - info_baseline(hass)
    assert info["requests_last_hour"] >= 1

    await simulator.stop()
    info = await get_system_health_info(hass, DOMAIN)
    assert await info["server_reachable"] == {"type": "failed", "error": "unreachable"}


def info_baseline(hass: HomeAssistant) -> int:
    """The request total when the entry's history started."""
    (history,) = hass.data[REQUEST_HISTORY].values()
    return history.samples[0][1]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_requests_of_the_last_hour(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Only requests newer than an hour count (to the sampling interval)."""
    client = init_integration.runtime_data.client
    start = dt_util.utcnow()
    history = RequestHistory(init_integration, start)
    at_start = total_requests(init_integration)
    await client.ping()
    history.async_sample(start + timedelta(minutes=30))
    at_half_hour = total_requests(init_integration)
    await client.ping()
    await client.ping()
    now = total_requests(init_integration)
    assert now - at_half_hour == 2
    # 70 minutes in: the newest sample an hour old is the first.
    assert history.last_hour(start + timedelta(minutes=70)) == now - at_start
    # 95 minutes in: the 30-minute sample is an hour old.
    history.async_sample(start + timedelta(minutes=95))
    assert history.last_hour(start + timedelta(minutes=95)) == now - at_half_hour
    assert len(history.samples) == 2  # the first is no longer needed
    assert timedelta(minutes=5) >= SAMPLE_INTERVAL


async def test_system_health_two_servers(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """With several servers every value names its server."""
    async with EmbySimulator(
        dataclasses.replace(simulator.config, server_name="Den", seed=5, port=0)
    ) as other:
        second = MockConfigEntry(
            domain=DOMAIN,
            title="Den",
            unique_id=other.server_id,
            data={
                CONF_HOST: "127.0.0.1",
                CONF_PORT: other.port,
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
                CONF_API_KEY: other.api_key,
            },
        )
        second.add_to_hass(hass)
        assert await hass.config_entries.async_setup(second.entry_id)
        await wait_until(lambda: second.runtime_data.sessions.websocket_connected)
        assert await async_setup_component(hass, "system_health", {})
        info = await get_system_health_info(hass, DOMAIN)
        assert info["servers"] == 2
        for key, value in info.items():
            if isinstance(value, Awaitable):
                info[key] = await value
        assert info["Den reachable"] is True
        assert info["Emby Simulator reachable"] is True
        assert info["Den version"] == other.config.version
        assert info["Den websocket"].startswith("connected")
        assert isinstance(info["Emby Simulator requests in the last hour"], int)
        assert await hass.config_entries.async_unload(second.entry_id)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_server_too_old_issue(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """An old server raises the issue; once it reports a supported version it goes."""
    # The fixture's server is 4.9.5: make it old, poll, then new again.
    set_version(simulator, "4.7.2.0")
    server = init_integration.runtime_data.server
    await server.async_refresh()
    await hass.async_block_till_done()
    found = issue(hass, ISSUE_SERVER_TOO_OLD, init_integration)
    assert found is not None
    assert found.translation_placeholders == {
        "server": "Emby Simulator",
        "version": "4.7.2.0",
        "minimum": "4.8",
    }
    set_version(simulator, "4.9.5.0")
    await server.async_refresh()
    await hass.async_block_till_done()
    assert issue(hass, ISSUE_SERVER_TOO_OLD, init_integration) is None


async def test_websocket_refused_issue(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    wait_until: WaitUntil,
) -> None:
    """Upgrades refused for an hour while REST answers: the issue; the socket connects: gone."""
    simulator.set_fault(Fault(ws_drop=True))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    sessions = mock_config_entry.runtime_data.sessions
    assert not sessions.websocket_connected

    freezer.tick(WEBSOCKET_REFUSED_AFTER - timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert issue(hass, ISSUE_WEBSOCKET_REFUSED, mock_config_entry) is None

    freezer.tick(timedelta(minutes=15))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.server.last_update_success
    assert issue(hass, ISSUE_WEBSOCKET_REFUSED, mock_config_entry) is not None

    simulator.set_fault(None)
    await wait_until(lambda: sessions.websocket_connected, within=60)
    assert issue(hass, ISSUE_WEBSOCKET_REFUSED, mock_config_entry) is None
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_deleted_user_issue(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """The entry's user deleted on the server (announced over the WebSocket): the issue and a
    setup error; choosing another user clears it."""
    carol = next(user for user in simulator.library.users if user.name == "Carol")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data={**mock_config_entry.data, CONF_USER_ID: carol.id},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_until(lambda: entry.runtime_data.sessions.websocket_connected)
    assert issue(hass, ISSUE_USER_DELETED, entry) is None

    simulator.library.users.remove(carol)
    simulator.send_ws("UserDeleted", carol.id)
    await simulator.flush()
    await wait_until(lambda: entry.state is ConfigEntryState.SETUP_ERROR)
    found = issue(hass, ISSUE_USER_DELETED, entry)
    assert found is not None
    assert found.translation_placeholders == {"server": "Emby Simulator", "user_id": carol.id}

    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_USER_ID: None})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert issue(hass, ISSUE_USER_DELETED, entry) is None
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_issue_strings_exist() -> None:
    """Each issue kind has its title and description."""
    strings: dict[str, Any] = json.loads(
        (Path(__file__).parent.parent / "custom_components/embymedia/strings.json").read_text()
    )
    for kind in (ISSUE_SERVER_TOO_OLD, ISSUE_WEBSOCKET_REFUSED, ISSUE_USER_DELETED):
        assert {"title", "description"} <= set(strings["issues"][kind])
