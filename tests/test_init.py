"""Entry setup and unload against the simulator: devices, errors, closing the core client."""

from collections.abc import Callable

import pytest
from embymedia_core import EmbyClosedError
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia import async_remove_config_entry_device
from custom_components.embymedia.const import CONF_PORT, DOMAIN
from custom_components.embymedia.options import async_get_device_id
from emby_simulator import EmbySimulator, Fault

type FindDevice = Callable[[ConfigEntry, str], dr.DeviceEntry | None]


async def test_setup_and_unload(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    find_device: FindDevice,
) -> None:
    """Setup fills every coordinator and creates the server device; unload closes the client."""
    runtime = init_integration.runtime_data
    assert runtime.server_info["id"] == simulator.server_id
    assert runtime.sessions.server_id == simulator.server_id
    assert runtime.sessions.data  # remote-controllable clients of the simulator
    assert runtime.library.data is not None
    assert runtime.server.data is not None
    users = await runtime.client.get_users()
    assert set(runtime.discovery) == {user["id"] for user in users if not user["is_disabled"]}

    server = find_device(init_integration, simulator.server_id)
    assert server is not None
    assert server.manufacturer == "Emby"
    assert server.sw_version == runtime.server_info["version"]

    client = runtime.client
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(EmbyClosedError):
        await client.get_sessions()


async def test_setup_request_budget(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Setting the entry up costs at most 20 requests (FEATURES.md) and no duplicate calls."""
    before = sum(simulator.request_counts().values())
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert sum(simulator.request_counts().values()) - before <= 20
    assert simulator.count("/Sessions") == 1
    assert simulator.count("/System/Info") == 1
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_setup_server_down(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A server that cannot be reached: retry later."""
    mock_config_entry.add_to_hass(hass)
    simulator.set_fault(Fault(force_status=503))
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_refused(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Nothing listening on the port: retry later."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_PORT: 9}
    )
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_auth_failed(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A 401 stops setup and starts reauthentication."""
    mock_config_entry.add_to_hass(hass)
    simulator.set_fault(Fault(force_status=401))
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_stop_event_closes_client(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Home Assistant stopping closes the core client (its tasks must not outlive the loop)."""
    client = init_integration.runtime_data.client
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    with pytest.raises(EmbyClosedError):
        await client.get_sessions()


async def test_own_device_id(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The device id sent to Emby is this instance's, and our own session gets no device."""
    device_id = await async_get_device_id(hass)
    assert device_id.startswith("homeassistant-embymedia-")
    assert len(device_id) > len("homeassistant-embymedia-") + 16
    sessions = init_integration.runtime_data.sessions
    assert sessions.own_device_id == device_id
    assert device_id not in sessions.data
    assert device_id not in sessions.known_devices


async def test_remove_device(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    find_device: FindDevice,
) -> None:
    """Only devices of clients not connected now can be deleted; never the server."""
    device_registry = dr.async_get(hass)
    sessions = init_integration.runtime_data.sessions
    server = find_device(init_integration, simulator.server_id)
    assert server is not None
    assert not await async_remove_config_entry_device(hass, init_integration, server)

    connected_id = next(iter(sessions.data))
    connected = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, connected_id)}
    )
    assert not await async_remove_config_entry_device(hass, init_integration, connected)

    gone = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "gone-client")}
    )
    assert await async_remove_config_entry_device(hass, init_integration, gone)


async def test_setup_retries_when_the_users_fail(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The server answers but its user list fails: retry later, with a translated reason."""
    mock_config_entry.add_to_hass(hass)
    simulator.set_fault(Fault(force_status=503, paths=("/Users",)))
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason is not None
