"""Fixtures for the simulator's own tests: a running simulator and an HTTP client for it.

These tests need no Home Assistant instance, so the top-level autouse fixture that enables
custom integrations (and with it `hass`) is replaced by a no-op here.
"""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "sim-test-key"
HEADERS = {"X-Emby-Token": API_KEY}
AUTH = (
    'MediaBrowser Client="Simulator Tests", Device="pytest", '
    'DeviceId="tests-device-0001", Version="1.0"'
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override of the top-level fixture: no Home Assistant here."""


@pytest.fixture
def config() -> SimulatorConfig:
    """The simulated server (override per test module or parametrize indirectly)."""
    return SimulatorConfig(api_key=API_KEY)


@pytest.fixture
async def sim(socket_enabled: None, config: SimulatorConfig) -> AsyncIterator[EmbySimulator]:
    """A running simulator."""
    async with EmbySimulator(config) as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client."""
    async with aiohttp.ClientSession() as session:
        yield session


async def get_json(
    http: aiohttp.ClientSession, sim: EmbySimulator, path: str, **params: Any
) -> Any:
    """GET with the API key; asserts 200 and returns the JSON."""
    async with http.get(sim.url + path, headers=HEADERS, params=params or None) as response:
        assert response.status == 200, (path, response.status, await response.text())
        assert response.content_type == "application/json"
        return await response.json()
