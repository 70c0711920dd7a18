"""Options flow: every option is stored, reloads the entry and changes what the integration does.

Each option's effect is shown on the wire where it has one (the simulator's request log, its
WebSocket subscriptions and push counts); time moves with `freezer` for Home Assistant and
`sim.advance` for the simulator.
"""

import itertools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from embymedia_core import EmbyClosedError
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import (
    CONF_ENABLE_DISCOVERY_SENSORS,
    CONF_ENABLE_WEBSOCKET,
    CONF_IGNORE_WEB_PLAYERS,
    CONF_IGNORED_DEVICES,
    CONF_LIBRARY_SCAN_INTERVAL,
    CONF_PURGE_AFTER_DAYS,
    CONF_SCAN_INTERVAL,
    CONF_SERVER_SCAN_INTERVAL,
    CONF_USER_ID,
    CONF_WEBSOCKET_INTERVAL,
    DOMAIN,
    WEB_PLAYER_CLIENTS,
)
from emby_simulator import EmbySimulator, SimulatorConfig
from tests.helpers import tick

DEFAULTS: dict[str, Any] = {
    CONF_SCAN_INTERVAL: 10,
    CONF_ENABLE_WEBSOCKET: True,
    CONF_WEBSOCKET_INTERVAL: 1500,
    CONF_LIBRARY_SCAN_INTERVAL: 1,
    CONF_SERVER_SCAN_INTERVAL: 5,
    CONF_ENABLE_DISCOVERY_SENSORS: True,
    CONF_USER_ID: "all",
    CONF_IGNORED_DEVICES: [],
    CONF_IGNORE_WEB_PLAYERS: False,
    CONF_PURGE_AFTER_DAYS: 0,
}


type FindDevice = Callable[[ConfigEntry, str], dr.DeviceEntry | None]
type WaitUntil = Callable[..., Awaitable[None]]

# The default server without the clients' own script: only the test changes what plays.
QUIET_SERVER = SimulatorConfig(api_key="test-api-key", users=3, clients=6, playing=2, script=False)


async def set_options(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> None:
    """Run the options flow with `changes` over the defaults and wait for the reload."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], DEFAULTS | changes
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


def client_devices(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    """Emby device ids that have a device in the registry (the server excluded)."""
    server_id = entry.runtime_data.sessions.server_id
    return {
        key
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        for domain, key in device.identifiers
        if domain == DOMAIN and key != server_id
    }


async def test_form_offers_users_and_known_clients(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """The user choice lists the server's users; the ignore list every client seen."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    schema = result["data_schema"].schema
    users = {option["value"] for option in schema[CONF_USER_ID].config["options"]}
    server_users = await init_integration.runtime_data.client.get_users()
    assert users == {"all"} | {user["id"] for user in server_users}
    devices = {option["value"] for option in schema[CONF_IGNORED_DEVICES].config["options"]}
    assert devices == set(init_integration.runtime_data.sessions.known_devices)
    assert devices >= set(init_integration.runtime_data.sessions.data)


async def test_options_saved_and_reloaded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Saving stores typed values and reloads the entry with a new runtime."""
    runtime = init_integration.runtime_data
    await set_options(hass, init_integration, **{CONF_SCAN_INTERVAL: 30.0})
    assert init_integration.options[CONF_SCAN_INTERVAL] == 30
    assert isinstance(init_integration.options[CONF_SCAN_INTERVAL], int)
    assert init_integration.options[CONF_USER_ID] is None
    assert init_integration.runtime_data is not runtime
    with pytest.raises(EmbyClosedError):
        await runtime.client.get_sessions()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (CONF_SCAN_INTERVAL, 4),
        (CONF_SCAN_INTERVAL, 301),
        (CONF_WEBSOCKET_INTERVAL, 400),
        (CONF_WEBSOCKET_INTERVAL, 10100),
        (CONF_LIBRARY_SCAN_INTERVAL, 25),
        (CONF_SERVER_SCAN_INTERVAL, 4),
        (CONF_SERVER_SCAN_INTERVAL, 61),
        (CONF_PURGE_AFTER_DAYS, -1),
    ],
)
async def test_out_of_range_rejected(
    hass: HomeAssistant, init_integration: MockConfigEntry, key: str, value: int
) -> None:
    """Values outside the documented ranges are refused."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], DEFAULTS | {key: value}
        )


async def test_scan_interval_without_websocket(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With the WebSocket off, sessions are polled at the configured interval."""
    await set_options(
        hass, init_integration, **{CONF_SCAN_INTERVAL: 30, CONF_ENABLE_WEBSOCKET: False}
    )
    sessions = init_integration.runtime_data.sessions
    assert sessions.update_interval == timedelta(seconds=30)
    assert not sessions.websocket_connected


def updates(entry: MockConfigEntry, coordinator: str) -> int:
    """Fetches of a coordinator as the core recorded them (failed ones included: a jump of the
    test clock by minutes can make the simulator close the core's idle connections just as
    one is reused, which shows as a failed fetch but is a fetch all the same)."""
    stats = entry.runtime_data.client.metrics()["efficiency_metrics"]["coordinators"]
    return int(stats[coordinator]["updates"])


@pytest.mark.parametrize("simulator_config", [QUIET_SERVER])
async def test_server_scan_interval_changes_polling(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, init_integration: MockConfigEntry
) -> None:
    """Server minutes: the server is polled every 20 minutes instead of every 5 (while it is
    polled: with the WebSocket up it pushes restarts and tasks and is read hourly)."""
    await set_options(
        hass,
        init_integration,
        **{CONF_SERVER_SCAN_INTERVAL: 20, CONF_ENABLE_WEBSOCKET: False},
    )
    assert init_integration.runtime_data.server.update_interval == timedelta(minutes=20)
    start = updates(init_integration, "server")
    for _ in range(3):
        await tick(hass, freezer, 5 * 60)
    assert updates(init_integration, "server") == start  # the default would have polled 3 times
    await tick(hass, freezer, 5 * 60)
    assert updates(init_integration, "server") == start + 1
    for _ in range(4):
        await tick(hass, freezer, 5 * 60)
    assert updates(init_integration, "server") == start + 2


@pytest.mark.parametrize("simulator_config", [QUIET_SERVER])
async def test_library_scan_interval_changes_polling(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, init_integration: MockConfigEntry
) -> None:
    """Library hours: libraries and counts every 3 hours instead of every hour (while polled:
    with the WebSocket up, LibraryChanged refreshes them). The library sensors listen, so
    Home Assistant runs the timer."""
    await set_options(
        hass,
        init_integration,
        **{CONF_LIBRARY_SCAN_INTERVAL: 3, CONF_ENABLE_WEBSOCKET: False},
    )
    library = init_integration.runtime_data.library
    assert library.update_interval == timedelta(hours=3)
    remove = library.async_add_listener(lambda: None)
    start = updates(init_integration, "library")
    for _ in range(2):
        await tick(hass, freezer, 3600)
    assert updates(init_integration, "library") == start  # the default would have polled twice
    await tick(hass, freezer, 3600)
    assert updates(init_integration, "library") == start + 1
    remove()


@pytest.mark.parametrize("simulator_config", [QUIET_SERVER])
@pytest.mark.parametrize("interval_ms", [10_000, 1500])
async def test_websocket_interval_throttles_session_pushes(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
    interval_ms: int,
) -> None:
    """The socket subscribes with SessionsStart "0,<websocket_interval>": the server pushes
    progress no more often than that (10 s here), while 1.5 s lets every report through."""
    await set_options(hass, init_integration, **{CONF_WEBSOCKET_INTERVAL: interval_ms})
    sessions = init_integration.runtime_data.sessions
    await wait_until(lambda: sessions.websocket_connected and sessions.push_count > 0)
    subscribed = [s for s in simulator.hub.sockets if s.sessions_interval is not None]
    assert [s.sessions_interval for s in subscribed] == [interval_ms / 1000]

    # Two clients play and report progress every 10 s each, at different times: one step of
    # simulated time at a time, note when the server pushed Sessions.
    pushed_at: list[float] = []
    for _ in range(60):
        before = simulator.sessions_pushes
        simulator.advance(1)
        if simulator.sessions_pushes > before:
            pushed_at.append(simulator.clock.seconds)
    gaps = [later - earlier for earlier, later in itertools.pairwise(pushed_at)]
    assert len(pushed_at) >= 5
    if interval_ms == 10_000:
        assert min(gaps) >= 10
    else:
        assert min(gaps) < 10  # more than one report per 10 s reached Home Assistant's socket
    # And they reach Home Assistant.
    pushes = sessions.push_count
    await simulator.flush()
    await wait_until(lambda: sessions.push_count > pushes)


@pytest.mark.parametrize("simulator_config", [QUIET_SERVER])
async def test_enable_websocket_off_closes_the_socket(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Turning the WebSocket off: the socket closes, no new one opens, sessions are polled at
    the scan interval; turning it on again subscribes again."""
    sessions = init_integration.runtime_data.sessions
    await wait_until(lambda: sessions.websocket_connected and sessions.push_count > 0)
    await set_options(hass, init_integration, **{CONF_ENABLE_WEBSOCKET: False})
    await wait_until(lambda: simulator.subscriptions == 0 and not simulator.hub.sockets)
    connections = simulator.websocket_connections
    sessions = init_integration.runtime_data.sessions
    assert not sessions.websocket_connected
    assert sessions.update_interval == timedelta(seconds=10)
    assert simulator.websocket_connections == connections

    await set_options(hass, init_integration, **{CONF_ENABLE_WEBSOCKET: True})
    sessions = init_integration.runtime_data.sessions
    await wait_until(lambda: sessions.websocket_connected and simulator.subscriptions == 1)
    assert simulator.websocket_connections == connections + 1


async def test_discovery_off(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Without discovery data: no discovery coordinator, and not one discovery request."""
    await set_options(hass, init_integration, **{CONF_ENABLE_DISCOVERY_SENSORS: False})
    runtime = init_integration.runtime_data
    assert runtime.discovery == {}
    metrics = runtime.client.metrics()["efficiency_metrics"]
    assert "discovery" not in metrics["coordinators"]
    called = " ".join(metrics["api_calls"])
    assert "/Items/Latest" not in called
    assert "/Items/Resume" not in called
    assert "/Shows/NextUp" not in called
    assert "/Sessions" in called  # the metrics are recorded at all


async def test_user_choice(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """One user: discovery rows and library counts are asked for that user only; back to all
    users: discovery rows for every user."""
    all_users = {user["id"] for user in await init_integration.runtime_data.client.get_users()}
    chosen = sorted(all_users)[-1]
    since = len(simulator.request_log)
    await set_options(hass, init_integration, **{CONF_USER_ID: chosen})
    runtime = init_integration.runtime_data
    assert set(runtime.discovery) == {chosen}
    assert runtime.library.user_id == chosen
    assert runtime.sessions.user_id == chosen
    requests = simulator.request_log[since:]
    latest = {
        r.path.split("/")[2] for r in requests if r.template == "/Users/{UserId}/Items/Latest"
    }
    assert latest == {chosen}
    counts = [r.query.get("userid") for r in requests if r.path == "/Items/Counts"]
    assert counts == [chosen]

    since = len(simulator.request_log)
    await set_options(hass, init_integration, **{CONF_USER_ID: "all"})
    assert set(init_integration.runtime_data.discovery) == all_users
    requests = simulator.request_log[since:]
    latest = {
        r.path.split("/")[2] for r in requests if r.template == "/Users/{UserId}/Items/Latest"
    }
    assert latest == all_users
    counts = [r.query.get("userid") for r in requests if r.path == "/Items/Counts"]
    assert counts == [None]


async def test_ignored_device(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """An ignored client loses its device and entities, and gets none again."""
    sessions = init_integration.runtime_data.sessions
    ignored = sorted(sessions.data)[0]
    assert ignored in client_devices(hass, init_integration)

    await set_options(hass, init_integration, **{CONF_IGNORED_DEVICES: [ignored]})
    sessions = init_integration.runtime_data.sessions
    assert ignored not in sessions.data
    assert ignored in sessions.excluded_devices
    assert ignored not in client_devices(hass, init_integration)
    entity_registry = er.async_get(hass)
    assert not [
        entity
        for entity in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
        if ignored in entity.unique_id
    ]
    # Still offered in the form, so it can be un-ignored.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    offered = result["data_schema"].schema[CONF_IGNORED_DEVICES].config["options"]
    assert ignored in {option["value"] for option in offered}


async def test_ignore_web_players(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Browser players get no entities when asked."""
    sessions = await init_integration.runtime_data.client.get_sessions()
    web = {s.device_id for s in sessions if s.client in WEB_PLAYER_CLIENTS}
    assert web, "the simulator should run at least one web player"
    assert web & set(init_integration.runtime_data.sessions.data)

    await set_options(hass, init_integration, **{CONF_IGNORE_WEB_PLAYERS: True})
    assert not web & set(init_integration.runtime_data.sessions.data)
    assert not web & client_devices(hass, init_integration)


@pytest.mark.parametrize(("days", "purged"), [(0, False), (30, True)])
async def test_purge_unseen_clients(
    hass: HomeAssistant,
    *,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    days: int,
    purged: bool,
    find_device: FindDevice,
) -> None:
    """A client unseen for longer than the purge age loses its device; 0 keeps it forever."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options={CONF_PURGE_AFTER_DAYS: days})
    device_registry = dr.async_get(hass)
    device_registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, "old-client")},
        name="Old TV",
    )
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}.last_seen"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}.last_seen",
        "data": {"old-client": "2020-01-01T00:00:00+00:00"},
    }
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    gone = find_device(mock_config_entry, "old-client") is None
    assert gone is purged
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
