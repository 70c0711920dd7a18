"""Fixtures: an Emby simulator on loopback, a config entry for it, and the loaded integration.

Tests drive the real integration and the real Rust core against `emby_simulator` over 127.0.0.1;
nothing of our own is mocked.
"""

import logging
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

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


# -- The API key never leaks (issue 14) --------------------------------------------------------
# Checked in every test: log records (tracebacks included), state attributes (entity pictures and
# every URL handed to the frontend), event payloads, diagnostics dumps, browse-media payloads,
# Home Assistant exceptions and the reason of a config entry that failed to set up. The server's
# own records (the simulator and aiohttp's access log, which shows the WebSocket URL it was asked
# for) are not the integration's and are left out.
SERVER_SIDE_LOGGERS = ("emby_simulator", "aiohttp.access", "aiohttp.server")


class _KeyLeaks(logging.Handler):
    """Collects every place a key was seen."""

    def __init__(self, keys: set[str]) -> None:
        super().__init__(logging.NOTSET)
        self.keys = keys
        self.leaks: list[str] = []

    def check(self, where: str, value: object) -> None:
        text = value if isinstance(value, str) else repr(value)
        if any(key in text for key in self.keys):
            self.leaks.append(f"{where}: {text[:300]}")

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(SERVER_SIDE_LOGGERS):
            return
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            message += " " + "".join(traceback.format_exception(record.exc_info[1]))
        self.check(f"log record {record.name}", message)


@pytest.fixture(autouse=True)
def api_key_never_leaks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if the API key shows anywhere Home Assistant keeps or shows things."""
    from homeassistant.components import diagnostics  # noqa: F401 - loaded for the platform
    from homeassistant.components.media_player import BrowseMedia
    from homeassistant.core import EventBus, State
    from homeassistant.exceptions import HomeAssistantError

    from custom_components.embymedia import diagnostics as our_diagnostics

    guard = _KeyLeaks({API_KEY})
    root = logging.getLogger()
    root.addHandler(guard)

    state_init = State.__init__

    def _state_init(
        self: State, entity_id: str, state: str, attributes: Any = None, *args: Any, **kwargs: Any
    ) -> None:
        guard.check(f"state of {entity_id}", (state, dict(attributes or {})))
        state_init(self, entity_id, state, attributes, *args, **kwargs)

    fire = EventBus.async_fire_internal

    def _fire(
        self: EventBus, event_type: Any, event_data: Any = None, *args: Any, **kwargs: Any
    ) -> None:
        guard.check(f"event {event_type}", event_data)
        fire(self, event_type, event_data, *args, **kwargs)

    error_init = HomeAssistantError.__init__

    def _error_init(self: HomeAssistantError, *args: Any, **kwargs: Any) -> None:
        guard.check(f"{type(self).__name__}", (args, kwargs.get("translation_placeholders")))
        error_init(self, *args, **kwargs)

    as_dict = BrowseMedia.as_dict

    def _as_dict(self: BrowseMedia, *args: Any, **kwargs: Any) -> dict[str, Any]:
        result = as_dict(self, *args, **kwargs)
        guard.check("browse media", result)
        return result

    dump = our_diagnostics.async_get_config_entry_diagnostics

    async def _dump(hass: HomeAssistant, entry: ConfigEntry) -> Any:
        result = await dump(hass, entry)
        guard.check("diagnostics", result)
        return result

    monkeypatch.setattr(State, "__init__", _state_init)
    monkeypatch.setattr(EventBus, "async_fire_internal", _fire)
    monkeypatch.setattr(HomeAssistantError, "__init__", _error_init)
    monkeypatch.setattr(BrowseMedia, "as_dict", _as_dict)
    monkeypatch.setattr(our_diagnostics, "async_get_config_entry_diagnostics", _dump)
    try:
        yield
    finally:
        root.removeHandler(guard)
    assert not guard.leaks, "the API key leaked:\n" + "\n".join(guard.leaks[:10])


@pytest.fixture(autouse=True)
def entry_reasons_never_show_the_key(request: pytest.FixtureRequest) -> Iterator[None]:
    """The reason a config entry shows after a failed setup carries no key (tests with hass)."""
    yield
    if "hass" not in request.fixturenames:
        return
    hass: HomeAssistant = request.getfixturevalue("hass")
    for entry in hass.config_entries.async_entries():
        assert API_KEY not in (entry.reason or ""), entry.reason


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep flows that create or reload an entry from setting the integration up."""
    with patch("custom_components.embymedia.async_setup_entry", return_value=True) as mock:
        yield mock
