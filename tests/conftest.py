"""Fixtures: an Emby simulator on loopback, a config entry for it, and the loaded integration.

Tests drive the real integration and the real Rust core against `emby_simulator` over 127.0.0.1;
nothing of our own is mocked.
"""

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components  # noqa: F401  (makes custom_components.embymedia importable for hass)
from custom_components.embymedia.const import (
    CONF_API_KEY,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "test-api-key"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/embymedia in every test."""


@pytest.fixture(autouse=True)
def discovery_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """No UDP discovery unless a test points it at a responder on 127.0.0.1 (never a
    broadcast from a test)."""
    monkeypatch.setenv("EMBYMEDIA_DISCOVERY_TARGET", "off")


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """The simulated server (override or parametrize indirectly for other setups)."""
    return SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2)


@pytest.fixture
async def simulator(
    socket_enabled: None, simulator_config: SimulatorConfig
) -> AsyncIterator[EmbySimulator]:
    """A running Emby simulator on 127.0.0.1."""
    async with EmbySimulator(simulator_config) as sim:
        yield sim


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Options of the mock config entry (empty: every default)."""
    return {}


@pytest.fixture
def entry_user_id() -> str | None:
    """The Emby user of the mock config entry (None: all users)."""
    return None


def entry_data(sim: EmbySimulator, user_id: str | None = None) -> dict[str, Any]:
    """Config entry data for a simulator."""
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: sim.api_key,
        CONF_USER_ID: user_id,
    }


@pytest.fixture
def mock_config_entry(
    simulator: EmbySimulator, entry_options: dict[str, Any], entry_user_id: str | None
) -> MockConfigEntry:
    """A config entry for the simulator (not yet added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Emby Simulator",
        unique_id=simulator.server_id,
        data=entry_data(simulator, entry_user_id),
        options=entry_options,
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The config entry, set up against the simulator; unloaded at the end of the test."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    yield mock_config_entry
    if mock_config_entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        await hass.async_block_till_done()


type WaitUntil = Callable[..., Awaitable[None]]

# Step of `wait_until`: a real sleep in the executor, so waiting also works while a test freezes
# time (freezer), which stops asyncio timers but not threads.
WAIT_STEP = 0.02


@pytest.fixture
def wait_until(hass: HomeAssistant) -> WaitUntil:
    """Wait (real time, bounded) until a condition holds: the core and the simulator answer on
    their own threads and sockets, which Home Assistant's test clock cannot hurry."""

    async def _wait(condition: Callable[[], bool], within: float = 10.0) -> None:
        for _ in range(int(within / WAIT_STEP)):
            await hass.async_block_till_done()
            if condition():
                return
            await hass.async_add_executor_job(time.sleep, WAIT_STEP)
        await hass.async_block_till_done()
        assert condition(), f"condition not met within {within} s"

    return _wait


type FindDevice = Callable[[ConfigEntry, str], dr.DeviceEntry | None]


@pytest.fixture
def find_device(hass: HomeAssistant) -> FindDevice:
    """The entry's device with the Emby id (works on every supported registry API)."""

    def _find(entry: ConfigEntry, emby_id: str) -> dr.DeviceEntry | None:
        registry = dr.async_get(hass)
        return next(
            (
                device
                for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
                if (DOMAIN, emby_id) in device.identifiers
            ),
            None,
        )

    return _find
