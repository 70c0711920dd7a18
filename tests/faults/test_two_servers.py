"""Two Emby servers that see the same client app (issue 14): ignoring the client on one server
never touches the other server's device or entities.

The client's device is keyed by its Emby DeviceId: before Home Assistant 2026.8 one device is
linked to both entries (since then each entry has its own). Seen failing before the fix on
2026.3: housekeeping removed the whole shared device, and the other server's media player lost
its device.
"""

from collections.abc import AsyncIterator

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import (
    CONF_ENABLE_WEBSOCKET,
    CONF_IGNORED_DEVICES,
    DOMAIN,
)
from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "test-api-key"


@pytest.fixture
async def second_simulator(socket_enabled: None) -> AsyncIterator[EmbySimulator]:
    """A second server with the same clients (same seed) and another server id."""
    config = SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2, server_id="b" * 32)
    async with EmbySimulator(config) as sim:
        yield sim


def _entry(sim: EmbySimulator) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=sim.server_id,
        unique_id=sim.server_id,
        data={
            "host": "127.0.0.1",
            "port": sim.port,
            "ssl": False,
            "verify_ssl": True,
            "api_key": API_KEY,
            "user_id": None,
        },
        options={CONF_ENABLE_WEBSOCKET: False},
    )


def _entries_of(device: dr.DeviceEntry) -> set[str]:
    """The entries a device belongs to: one since Home Assistant 2026.8, any number before."""
    if hasattr(dr.DeviceEntry, "config_entry_id"):
        return {device.config_entry_id}  # type: ignore[attr-defined,unused-ignore]
    return set(device.config_entries)


def _device(hass: HomeAssistant, entry: MockConfigEntry, device_id: str) -> dr.DeviceEntry | None:
    """The client's device among the entry's (every supported registry API has this)."""
    return next(
        (
            d
            for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
            if (DOMAIN, device_id) in d.identifiers
        ),
        None,
    )


def _player(hass: HomeAssistant, entry: MockConfigEntry, device_id: str) -> er.RegistryEntry | None:
    return next(
        (
            e
            for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
            if e.domain == "media_player" and e.unique_id.endswith(f"_{device_id}")
        ),
        None,
    )


async def test_ignoring_a_client_on_one_server_spares_the_other(
    hass: HomeAssistant, simulator: EmbySimulator, second_simulator: EmbySimulator
) -> None:
    """Server A ignores the client: A's entities go, B's device and entities stay linked."""
    first, second = _entry(simulator), _entry(second_simulator)
    # The same app on the same device, signed in to both servers.
    for sim in (simulator, second_simulator):
        sim.add_client(client="Emby Theater", device_name="Living Room PC", device_id="shared-pc")
    for entry in (first, second):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    shared = sorted(set(first.runtime_data.sessions.data) & set(second.runtime_data.sessions.data))
    assert shared, "the two servers see the same clients"
    device_id = shared[0]
    device = _device(hass, second, device_id)
    assert device is not None
    assert _device(hass, first, device_id) is not None

    hass.config_entries.async_update_entry(
        first, options={**first.options, CONF_IGNORED_DEVICES: [device_id]}
    )
    assert await hass.config_entries.async_reload(first.entry_id)
    await hass.async_block_till_done()

    device = _device(hass, second, device_id)
    assert device is not None, "the other server's device was removed"
    assert second.entry_id in _entries_of(device)
    assert first.entry_id not in _entries_of(device)
    assert _device(hass, first, device_id) is None
    kept = _player(hass, second, device_id)
    assert kept is not None and kept.device_id == device.id
    assert hass.states.get(kept.entity_id) is not None
    gone = _player(hass, first, device_id)
    assert gone is None or gone.device_id != device.id
    for entry in (first, second):
        assert await hass.config_entries.async_unload(entry.entry_id)
