"""The server's and users' entities (sensor, binary_sensor, button, image, update) against the
simulator: a snapshot of every one, the WebSocket messages that update them without a request,
the requests disabled entities do not cost, nulls, failures and recovery."""

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_platform
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.amber import AmberSnapshotExtension

from custom_components.embymedia.const import (
    CONF_ENABLE_WEBSOCKET,
    DISCOVERY_EVENT_DELAY,
    DOMAIN,
    EVENT_REFRESH_COOLDOWN,
)
from custom_components.embymedia.event_bus import EVENT_LIBRARY_UPDATED, EVENT_USER_DATA_CHANGED
from custom_components.embymedia.pictures import item_picture, picture_url
from custom_components.embymedia.sensor import (
    LIBRARY_SENSORS,
    PLUGIN_SENSORS,
    EmbySensorEntityDescription,
    EmbyServerSensor,
)
from emby_simulator import EmbySimulator, Fault, SimulatorConfig
from tests.helpers import settle

NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
API_KEY = "test-api-key"  # the conftest simulator's
PLATFORMS = ("sensor", "binary_sensor", "button", "image", "update")
# Requests only disabled-by-default entities cause.
OPTIONAL_PATHS = (
    "/Devices",
    "/Plugins",
    "/LiveTv/Info",
    "/LiveTv/Recordings",
    "/LiveTv/Timers",
    "/LiveTv/SeriesTimers",
    "/Artists",
    "/Users/{id}/Suggestions",
    "/Users/{id}/Items",
)

type WaitUntil = Callable[..., Awaitable[None]]
type FindDevice = Callable[[ConfigEntry, str], dr.DeviceEntry | None]


@pytest.fixture
def all_enabled() -> Iterator[None]:
    """Every entity enabled, the disabled-by-default ones too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


def requests(simulator: EmbySimulator) -> int:
    """Requests served so far."""
    return sum(simulator.request_counts().values())


def entity_id(hass: HomeAssistant, domain: str, unique_suffix: str, sim: EmbySimulator) -> str:
    """Entity id of the server entity `<server id>_<suffix>`."""
    found = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"{sim.server_id}_{unique_suffix}"
    )
    assert found is not None, f"no {domain} {unique_suffix}"
    return found


def state_of(hass: HomeAssistant, entity: str) -> str:
    """The state of an entity."""
    state = hass.states.get(entity)
    assert state is not None, entity
    return state.state


def states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """State and attributes of the entry's server and user entities (plain JSON)."""
    out: dict[str, Any] = {}
    registry = er.async_get(hass)
    for registered in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.entity_id
    ):
        if registered.domain not in PLATFORMS:
            continue
        state = hass.states.get(registered.entity_id)
        if state is None and registered.disabled_by is not None:
            continue
        assert state is not None, registered.entity_id
        # The entry id (random) appears in image URLs.
        attributes = json.loads(
            json.dumps(dict(state.attributes), default=str).replace(entry.entry_id, "<entry>")
        )
        for key in ("entity_picture", "access_token"):
            if isinstance(value := attributes.get(key), str):
                attributes[key] = re.sub(r"token=[^&]+", "token=<token>", value)
                if key == "access_token":
                    attributes[key] = "<token>"
        out[registered.entity_id] = {
            "unique_id": registered.unique_id.split("_", 1)[1],
            "translation_key": registered.translation_key,
            "state": state.state,
            "attributes": attributes,
        }
    return out


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and let the first fetches of on-demand sources finish."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move Home Assistant's clock and run what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.freeze_time("2026-05-01T12:00:00+00:00")
@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
@pytest.mark.usefixtures("all_enabled")
async def test_every_entity_snapshot(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every server, library and user entity, the disabled-by-default ones included: state and
    attributes against the simulator's library, sessions and activity, per user (the
    simulator's clock starts at the frozen time, so its dates are stable)."""
    await setup(hass, mock_config_entry)
    # Optional rows asked for by the entities as they were added (debounced): fetched.
    await tick(hass, freezer, 31)
    snapshot_states = states(hass, mock_config_entry)
    assert all(value["state"] != STATE_UNAVAILABLE for value in snapshot_states.values())
    assert snapshot_states == snapshot.use_extension(AmberSnapshotExtension)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_user_devices_and_read_only_players(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    find_device: FindDevice,
) -> None:
    """One device per Emby user, linked to the server; a client that cannot be remote
    controlled (Infuse) is a media player without controls, and has no remote or notify."""
    server = find_device(init_integration, simulator.server_id)
    assert server is not None
    for user in simulator.users:
        device = find_device(init_integration, f"{simulator.server_id}_user_{user['Id']}")
        assert device is not None
        assert device.name == user["Name"]
        assert device.via_device_id == server.id
    infuse = next(s.device_id for s in simulator.sessions if s.client == "Infuse")
    entities = er.async_get(hass)
    unique_id = f"{simulator.server_id}_{infuse}"
    player = entities.async_get_entity_id("media_player", DOMAIN, unique_id)
    assert player is not None
    state = hass.states.get(player)
    assert state is not None
    assert state.attributes["supported_features"] == 0
    assert entities.async_get_entity_id("remote", DOMAIN, unique_id) is None
    assert entities.async_get_entity_id("notify", DOMAIN, unique_id) is None
    # The user devices survive housekeeping and cannot be deleted while the user exists.
    init_integration.runtime_data.sessions.async_housekeeping()
    assert find_device(init_integration, f"{simulator.server_id}_user_{simulator.users[0]['Id']}")


async def test_disabled_entities_cost_no_request(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """With the default entities, nothing only a disabled entity shows is ever requested;
    enabling one (Home Assistant reloads the entry) fetches exactly its source."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    await hass.async_block_till_done()
    for path in OPTIONAL_PATHS:
        assert simulator.count(path) == 0, path
    plugins = entity_id(hass, "sensor", "plugins", simulator)
    assert hass.states.get(plugins) is None  # disabled: not even added

    er.async_get(hass).async_update_entity(plugins, disabled_by=None)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    await wait_until(lambda: state_of(hass, plugins) not in (STATE_UNAVAILABLE, STATE_UNKNOWN))
    assert state_of(hass, plugins) == "5"
    assert simulator.count("/Plugins") == 1
    assert simulator.count("/Devices") == 0

    # A plugin installed: the package frames refresh the plugins (once for the burst).
    await wait_until(lambda: init_integration.runtime_data.sessions.websocket_connected)
    simulator.install_plugin("Playback Reporting", "2.1.0.0")
    await simulator.flush()
    await wait_until(lambda: state_of(hass, plugins) == "6")
    await hass.async_block_till_done()
    assert simulator.count("/Plugins") == 2


async def test_enabled_entity_gets_its_data_without_a_reload(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """An entity enabled after setup and added to the running platform (no reload of the
    entry, no time passing, so not Home Assistant's delayed reload) fetches its source at once:
    an on-demand source never fetched before (plugins) and an optional row of a source that
    already has data (artists of the library)."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    await hass.async_block_till_done()
    assert runtime.extra is not None
    registry = er.async_get(hass)
    plugins = entity_id(hass, "sensor", "plugins", simulator)
    artists = entity_id(hass, "sensor", "artists", simulator)
    for entity in (plugins, artists):
        assert hass.states.get(entity) is None
        registry.async_update_entity(entity, disabled_by=None)
    assert simulator.count("/Plugins") == 0
    assert simulator.count("/Artists") == 0

    platform = next(
        platform
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.domain == "sensor"
        and platform.config_entry is not None
        and platform.config_entry.entry_id == init_integration.entry_id
    )
    await platform.async_add_entities(
        [
            EmbyServerSensor(runtime.extra.plugins, _description(PLUGIN_SENSORS, "plugins")),
            EmbyServerSensor(runtime.library, _description(LIBRARY_SENSORS, "artists")),
        ]
    )
    await wait_until(lambda: state_of(hass, plugins) == "5" and state_of(hass, artists) == "4")
    assert init_integration.runtime_data is runtime  # never reloaded
    assert init_integration.state is ConfigEntryState.LOADED
    assert simulator.count("/Plugins") == 1
    assert simulator.count("/Artists") == 1
    assert hass.states.get(plugins).attributes["plugins"]  # type: ignore[union-attr]


def _description(
    descriptions: tuple[EmbySensorEntityDescription[Any], ...], key: str
) -> EmbySensorEntityDescription[Any]:
    return next(d for d in descriptions if d.key == key)


async def test_websocket_messages_update_their_entities_without_requests(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """RestartRequired, ScheduledTasksInfo and ActivityLogEntry each change exactly their
    entities, with no request at all."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    last_activity = entity_id(hass, "sensor", "last_activity", simulator)
    await wait_until(lambda: state_of(hass, last_activity) != STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    before = states(hass, init_integration)
    count = requests(simulator)

    def changed() -> set[str]:
        now = states(hass, init_integration)
        return {key for key, value in now.items() if before[key] != value}

    # RestartRequired: the pending-restart flag.
    pending = entity_id(hass, "binary_sensor", "pending_restart", simulator)
    simulator.set_pending_restart()
    await simulator.flush()
    await wait_until(lambda: state_of(hass, pending) == STATE_ON)
    assert changed() == {pending}
    before = states(hass, init_integration)

    # ScheduledTasksInfo: running tasks and the library scan (with its progress).
    scan = entity_id(hass, "binary_sensor", "library_scan_active", simulator)
    tasks = entity_id(hass, "sensor", "running_tasks", simulator)
    assert simulator.run_task("RefreshLibrary")
    await simulator.flush()
    await wait_until(lambda: state_of(hass, scan) == STATE_ON)
    assert state_of(hass, tasks) == "1"
    assert changed() == {scan, tasks}
    before = states(hass, init_integration)

    # ActivityLogEntry: last activity (and nothing else when it is no playback).
    entry = {
        "Id": 9001,
        "Name": "Ann changed her password",
        "Type": "UserPasswordChanged",
        "Date": "2026-11-24T12:30:00.0000000Z",
        "Severity": "Info",
    }
    simulator.send_ws("ActivityLogEntry", [entry])
    await simulator.flush()
    await wait_until(lambda: state_of(hass, last_activity) == "2026-11-24T12:30:00+00:00")
    state = hass.states.get(last_activity)
    assert state is not None
    assert state.attributes["name"] == "Ann changed her password"
    assert changed() == {last_activity}
    before = states(hass, init_integration)

    # A playback's start and stop entries: last activity and the watch time of the server and
    # of that user (45 minutes).
    user = simulator.users[0]
    user_watch = entity_id(hass, "sensor", f"{user['Id']}_watch_time", simulator)
    server_watch = entity_id(hass, "sensor", "watch_time_today", simulator)
    today = dt_util.now().date().isoformat()
    pair = [
        {"Id": 9010, "Type": "playback.start", "UserId": user["Id"], "ItemId": "7",
         "Date": f"{today}T00:05:00.0000000Z"},
        {"Id": 9011, "Type": "playback.stop", "UserId": user["Id"], "ItemId": "7",
         "Date": f"{today}T00:50:00.0000000Z"},
    ]  # fmt: skip
    simulator.send_ws("ActivityLogEntry", pair)
    await simulator.flush()
    await wait_until(lambda: state_of(hass, user_watch) == "45.0")
    assert state_of(hass, server_watch) == "45.0"
    assert changed() == {last_activity, user_watch, server_watch}

    assert requests(simulator) == count


async def test_library_and_user_events_refresh_only_their_rows(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """LibraryChanged refreshes the counts and every user's recently-added and next-up rows
    (after its debounce); UserDataChanged of one user that user's resume and next-up rows."""
    runtime = init_integration.runtime_data
    # Count from a quiet start: the core reports the socket connected before it registers the
    # session's capabilities (a POST from its own thread), the socket's first Sessions push comes
    # after that (without it the sessions' 60 s safety-net poll would ask the server), and the
    # first fetches of the on-demand sources are background tasks. A POST landing after the
    # count was taken once made a CI run see 20 requests for 19.
    await wait_until(
        lambda: (
            runtime.sessions.websocket_connected
            and runtime.sessions.push_count > 0
            and simulator.count("/Sessions/Capabilities/Full", "POST") > 0
        )
    )
    await settle(hass)
    user = sorted(runtime.discovery)[0]
    rows = ("/Users/{id}/Items/Latest", "/Users/{id}/Items/Resume", "/Shows/NextUp")
    library = ("/Library/VirtualFolders", "/Items/Counts")
    user_data_events = async_capture_events(hass, EVENT_USER_DATA_CHANGED)
    library_events = async_capture_events(hass, EVENT_LIBRARY_UPDATED)

    def counts() -> dict[str, int]:
        return {path: simulator.count(path) for path in (*rows, *library)}

    def new_requests(since: dict[str, int]) -> dict[str, int]:
        now = simulator.request_counts()
        return {k: v - since.get(k, 0) for k, v in now.items() if v != since.get(k, 0)}

    async def debounced_refresh(
        handled: Callable[[], bool], cooldown: float, requests_before: int
    ) -> None:
        """Wait (real time) until the integration has the event, so its debounce starts at
        the clock as it is now; then move the clock through that debounce and wait for the
        refresh, and through one more cooldown, in which a second refresh the event asked for
        would run. No step depends on how fast the machine answers. (A second more than the
        cooldown each: the clock's float sums must not leave the timer a hair short.)"""
        await wait_until(handled)
        await settle(hass)
        assert requests(simulator) == requests_before, "refreshed before the debounce"
        for _ in range(2):
            freezer.tick(timedelta(seconds=cooldown + 1))
            async_fire_time_changed(hass)
            await settle(hass)

    before, total = counts(), requests(simulator)
    all_before = simulator.request_counts()
    simulator.send_ws("UserDataChanged", {"UserId": user, "UserDataList": [{"ItemId": "1"}]})
    await simulator.flush()
    await debounced_refresh(lambda: len(user_data_events) == 1, DISCOVERY_EVENT_DELAY, total)
    after = counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "/Users/{id}/Items/Resume": 1,
        "/Shows/NextUp": 1,
    }
    assert requests(simulator) == total + 2, new_requests(all_before)

    before, total = counts(), requests(simulator)
    all_before = simulator.request_counts()
    users = len(runtime.discovery)
    simulator.send_ws(
        "LibraryChanged",
        {"ItemsAdded": ["1"], "ItemsUpdated": [], "ItemsRemoved": [], "FoldersAddedTo": []},
    )
    await simulator.flush()
    # The library's debounce is the longer one: the users' rows are refreshed within it.
    await debounced_refresh(lambda: len(library_events) == 1, EVENT_REFRESH_COOLDOWN, total)
    after = counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "/Users/{id}/Items/Latest": users,
        "/Shows/NextUp": users,
        "/Library/VirtualFolders": 1,
        "/Items/Counts": 1,
    }
    assert requests(simulator) == total + 2 * users + 2, new_requests(all_before)


async def test_nulls_are_unknown_and_failures_unavailable(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An activity entry without a date makes last activity unknown (no exception); a failed
    server refresh makes its entities unavailable, is logged once, and recovers."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    last_activity = entity_id(hass, "sensor", "last_activity", simulator)
    await wait_until(lambda: state_of(hass, last_activity) != STATE_UNAVAILABLE)
    simulator.send_ws("ActivityLogEntry", [{"Id": 9002, "Name": None, "Date": None}])
    await simulator.flush()
    await wait_until(lambda: state_of(hass, last_activity) == STATE_UNKNOWN)
    assert "Traceback" not in caplog.text

    version = entity_id(hass, "sensor", "version", simulator)
    connected = entity_id(hass, "binary_sensor", "server_connected", simulator)
    assert state_of(hass, connected) == STATE_ON
    simulator.set_fault(Fault(force_status=500, paths=("/System/Info",)))
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            await runtime.server.async_refresh()
            await hass.async_block_till_done()
    assert state_of(hass, version) == STATE_UNAVAILABLE
    assert state_of(hass, connected) == STATE_OFF
    assert caplog.text.count("Error fetching embymedia server data") == 1
    simulator.set_fault(None)
    await runtime.server.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, version) == simulator.config.version
    assert state_of(hass, connected) == STATE_ON


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
@pytest.mark.usefixtures("all_enabled")
async def test_buttons(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Refresh library scans, refresh metadata refreshes every library, refresh clears the
    caches and reads the server again; a failure is a translated error."""
    scan = entity_id(hass, "button", "scan_libraries", simulator)
    await hass.services.async_call("button", "press", {"entity_id": scan}, blocking=True)
    assert simulator.count("/Library/Refresh", "POST") == 1

    metadata = entity_id(hass, "button", "refresh_metadata", simulator)
    await hass.services.async_call("button", "press", {"entity_id": metadata}, blocking=True)
    assert simulator.count("/Items/{id}/Refresh", "POST") == simulator.libraries

    refresh = entity_id(hass, "button", "refresh", simulator)
    info = simulator.count("/System/Info")
    await hass.services.async_call("button", "press", {"entity_id": refresh}, blocking=True)
    assert simulator.count("/System/Info") == info + 1

    simulator.set_fault(Fault(force_status=500, paths=("/Library/Refresh",)))
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {"entity_id": scan}, blocking=True)
    assert err.value.translation_key == "command_failed"
    simulator.set_fault(Fault(force_status=401, paths=("/Library/Refresh",)))
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {"entity_id": scan}, blocking=True)
    assert err.value.translation_key == "invalid_auth"


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_update_entity_and_polling_without_websocket(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Without the WebSocket every entity still updates by polling at the EFFICIENCY.md
    intervals: the server (update available, pending restart) every 5 minutes."""
    update = entity_id(hass, "update", "server_update", simulator)
    pending = entity_id(hass, "binary_sensor", "pending_restart", simulator)
    assert state_of(hass, update) == STATE_OFF
    simulator.set_update_available()
    simulator.set_pending_restart()
    await tick(hass, freezer, 4 * 60)
    assert state_of(hass, update) == STATE_OFF
    await tick(hass, freezer, 61)
    await wait_until(lambda: state_of(hass, update) == STATE_ON)
    assert state_of(hass, pending) == STATE_ON
    state = hass.states.get(update)
    assert state is not None
    assert state.attributes["installed_version"] == simulator.config.version


async def test_images_are_served_through_home_assistant(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    hass_client: Any,
) -> None:
    """The next-up cover comes through Home Assistant's image proxy; no URL the frontend gets
    holds the API key."""
    runtime = init_integration.runtime_data
    user = sorted(runtime.discovery)[0]
    found = er.async_get(hass).async_get_entity_id(
        "image", DOMAIN, f"{simulator.server_id}_{user}_recently_added_image"
    )
    assert found is not None
    state = hass.states.get(found)
    assert state is not None
    client = await hass_client()
    response = await client.get(state.attributes["entity_picture"])
    assert response.status == 200
    assert (await response.read())[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
    for value in states(hass, init_integration).values():
        assert simulator.api_key not in json.dumps(value)


def test_item_pictures() -> None:
    """An item's own poster, else its series', album's or parent's picture, else a backdrop;
    none when Emby advertises none. URLs are Home Assistant's, without a key."""
    base: dict[str, Any] = {
        "id": "1",
        "type": "Movie",
        "image_tags": {},
        "series_id": None,
        "series_primary_image_tag": None,
        "album_id": None,
        "album_primary_image_tag": None,
        "parent_thumb_item_id": None,
        "parent_thumb_image_tag": None,
        "backdrop_image_tags": [],
    }
    assert item_picture(base) is None  # type: ignore[arg-type]
    cases = [
        ({"image_tags": {"Primary": "p"}}, ("1", "Primary", "p")),
        ({"album_id": "9", "album_primary_image_tag": "a"}, ("9", "Primary", "a")),
        ({"image_tags": {"Thumb": "t"}}, ("1", "Thumb", "t")),
        ({"parent_thumb_item_id": "8", "parent_thumb_image_tag": "pt"}, ("8", "Thumb", "pt")),
        ({"backdrop_image_tags": ["b"]}, ("1", "Backdrop", "b")),
        (
            {"type": "Episode", "series_id": "5", "series_primary_image_tag": "s"},
            ("5", "Primary", "s"),
        ),
    ]
    for changes, expected in cases:
        assert item_picture(base | changes) == expected  # type: ignore[arg-type]
    url = picture_url("entry", ("5", "Primary", "s"))
    assert url.startswith("/api/embymedia/image/entry/5/Primary?")
    assert "api_key" not in url


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(api_key=API_KEY, movies=4000, series=40, albums=60)],
)
@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
@pytest.mark.usefixtures("all_enabled")
async def test_a_big_library_costs_what_a_small_one_does(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Every count is a total (`/Items/Counts`, `Limit=0`) and every list is bounded: a library
    of thousands of items costs the requests of the default one, endpoint by endpoint (every
    entity enabled; the default library's figures are in the snapshot test's setup)."""
    await setup(hass, mock_config_entry)
    await tick(hass, freezer, 31)
    big = {
        endpoint: count
        for endpoint, count in simulator.request_counts().items()
        if not endpoint.startswith("POST")
    }
    async with EmbySimulator(SimulatorConfig(api_key=API_KEY)) as small_sim:
        small_entry = MockConfigEntry(
            domain=DOMAIN,
            title="Small",
            unique_id=small_sim.server_id,
            data={**mock_config_entry.data, "port": small_sim.port},
            options=mock_config_entry.options,
        )
        await setup(hass, small_entry)
        await tick(hass, freezer, 31)
        small = {
            endpoint: count
            for endpoint, count in small_sim.request_counts().items()
            if not endpoint.startswith("POST")
        }
        assert await hass.config_entries.async_unload(small_entry.entry_id)

    def by_template(counts: dict[str, int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for key, value in counts.items():
            method, _, path = key.partition(" ")
            parts = ["{id}" if re.fullmatch(r"[0-9a-f]{32}|\d+", p) else p for p in path.split("/")]
            template = f"{method} {'/'.join(parts)}"
            out[template] = out.get(template, 0) + value
        return out

    assert by_template(big) == by_template(small)
    assert sum(big.values()) == sum(small.values())
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_server_restart_moves_the_flags(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """RestartRequired sets pending restart; ServerRestarting takes the server offline (the
    connected sensor turns off at once); back, one read of the server clears the flag."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    pending = entity_id(hass, "binary_sensor", "pending_restart", simulator)
    connected = entity_id(hass, "binary_sensor", "server_connected", simulator)
    simulator.set_pending_restart()
    await simulator.flush()
    await wait_until(lambda: state_of(hass, pending) == STATE_ON)
    info = simulator.count("/System/Info")

    restart = hass.async_create_task(simulator.restart(down_for=2.0))
    await wait_until(lambda: state_of(hass, connected) == STATE_OFF)
    await restart
    await wait_until(lambda: state_of(hass, connected) == STATE_ON, within=30)
    await wait_until(lambda: state_of(hass, pending) == STATE_OFF)
    assert simulator.count("/System/Info") == info + 1


@pytest.mark.usefixtures("all_enabled")
async def test_a_new_client_refreshes_the_devices(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Emby pushes no device list: a client never seen before (pushed as a session) is what
    makes the connected-devices sensor read /Devices again; known clients cost nothing."""
    runtime = init_integration.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    devices = entity_id(hass, "sensor", "connected_devices", simulator)
    await wait_until(lambda: state_of(hass, devices) not in (STATE_UNAVAILABLE, STATE_UNKNOWN))
    before = simulator.count("/Devices")
    count = int(state_of(hass, devices))
    simulator.add_client(client="Emby Theater", device_name="Den", device_id="den-theater")
    await simulator.flush()
    await wait_until(lambda: state_of(hass, devices) == str(count + 1))
    assert simulator.count("/Devices") == before + 1
