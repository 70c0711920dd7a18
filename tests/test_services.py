"""Integration actions against the simulator: the request each one makes (the simulator's request
log), the checks of ids, users and task names (translated ServiceValidationError naming the bad
value), server failures (translated HomeAssistantError, never a traceback), restart/shutdown sent
once, the search response, and targeting with two servers set up.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import (
    CONF_API_KEY,
    CONF_ENABLE_WEBSOCKET,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from emby_simulator import EmbySimulator, Fault, SimulatorConfig

API_KEY = "test-api-key"
NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
type FindDevice = Callable[[ConfigEntry, str], dr.DeviceEntry | None]
type WaitUntil = Callable[..., Awaitable[None]]


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Polling only: every request in the log is one an action (or a poll) made."""
    return NO_WEBSOCKET


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """The default server without the clients' own script: only the tests act."""
    return SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2, script=False)


def user_id(sim: EmbySimulator, name: str) -> str:
    return next(user["Id"] for user in sim.users if user["Name"] == name)


def first(sim: EmbySimulator, kind: str) -> str:
    """Id of the first item of an Emby type."""
    return str(sim.library.of_type(kind)[0].id)


def player(hass: HomeAssistant, sim: EmbySimulator, client: str) -> str:
    device_id = next(s.device_id for s in sim.sessions if s.client == client)
    entity_id = er.async_get(hass).async_get_entity_id(
        "media_player", DOMAIN, f"{sim.server_id}_{device_id}"
    )
    assert entity_id is not None
    return entity_id


def session_id(sim: EmbySimulator, client: str) -> str:
    return next(s.id for s in sim.sessions if s.client == client)


def requests_since(sim: EmbySimulator, start: int) -> list[tuple[str, str]]:
    """(method, path) of the requests after `start`, session polls left out."""
    return [
        (r.method, r.path)
        for r in sim.request_log[start:]
        if (r.method, r.path) != ("GET", "/Sessions")
    ]


async def act(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=service in ("search",),
    )


async def test_every_action_is_registered_once_in_async_setup(hass: HomeAssistant) -> None:
    """The actions exist before (and without) any config entry."""
    assert await async_setup_component(hass, DOMAIN, {})
    services = hass.services.async_services_for_domain(DOMAIN)
    assert set(services) == {
        "send_message",
        "send_command",
        "play_instant_mix",
        "play_similar",
        "clear_queue",
        "mark_played",
        "mark_unplayed",
        "add_favorite",
        "remove_favorite",
        "refresh_library",
        "create_playlist",
        "add_to_playlist",
        "remove_from_playlist",
        "create_collection",
        "add_to_collection",
        "remove_from_collection",
        "schedule_recording",
        "cancel_recording",
        "cancel_series_timer",
        "run_scheduled_task",
        "restart_server",
        "shutdown_server",
        "search",
    }
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "restart_server")
    assert err.value.translation_key == "server_required"


async def test_client_actions_requests(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Messages, commands, instant mix, similar items and clearing the queue reach the client's
    current session as the Emby requests they are."""
    web = player(hass, simulator, "Emby Web")
    sid = session_id(simulator, "Emby Web")
    album = first(simulator, "MusicAlbum")
    movie = first(simulator, "Movie")

    start = len(simulator.request_log)
    await act(hass, "send_message", **{ATTR_ENTITY_ID: web}, message="Hi", title="HA", timeout=3)
    record = simulator.request_log[-1]
    assert (record.method, record.path) == ("POST", f"/Sessions/{sid}/Message")
    assert record.query["text"] == "Hi"
    assert record.query["header"] == "HA"
    assert record.query["timeoutms"] == "3000"

    await act(
        hass,
        "send_command",
        **{ATTR_ENTITY_ID: web},
        command="SetVolume",
        arguments={"Volume": 40},
    )
    record = next(
        r for r in reversed(simulator.request_log) if r.path == f"/Sessions/{sid}/Command"
    )
    assert record.body == {"Name": "SetVolume", "Arguments": {"Volume": "40"}}

    await act(hass, "play_instant_mix", **{ATTR_ENTITY_ID: web}, item_id=album)
    record = next(
        r for r in reversed(simulator.request_log) if r.path == f"/Sessions/{sid}/Playing"
    )
    assert record.query["playcommand"] == "PlayInstantMix"
    assert record.query["itemids"] == album

    before = len(simulator.request_log)
    await act(hass, "play_similar", **{ATTR_ENTITY_ID: web}, item_id=movie)
    made = requests_since(simulator, before)
    assert made[0] == ("GET", f"/Items/{movie}/Similar")
    assert made[1] == ("POST", f"/Sessions/{sid}/Playing")
    record = next(r for r in reversed(simulator.request_log) if r.path == made[1][1])
    assert record.query["playcommand"] == "PlayNow"
    assert movie not in record.query["itemids"].split(",")

    await act(hass, "clear_queue", **{ATTR_ENTITY_ID: web})
    assert requests_since(simulator, len(simulator.request_log) - 1) == [
        ("POST", f"/Sessions/{sid}/Playing/Stop")
    ]
    assert len(requests_since(simulator, start)) >= 6


async def test_client_action_errors(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """An unknown item, a command the client does not list and a failing server are translated
    errors naming what was wrong."""
    web = player(hass, simulator, "Emby Web")
    sonos = player(hass, simulator, "Emby for Sonos")
    start = len(simulator.request_log)
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "play_instant_mix", **{ATTR_ENTITY_ID: web}, item_id="999999")
    assert err.value.translation_key == "unknown_item"
    assert err.value.translation_placeholders == {"item_id": "999999"}
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "play_similar", **{ATTR_ENTITY_ID: web}, item_id="999999")
    assert err.value.translation_key == "unknown_item"
    assert not any(path.endswith("/Playing") for _, path in requests_since(simulator, start))

    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "send_command", **{ATTR_ENTITY_ID: sonos}, command="GoToSettings")
    assert err.value.translation_key == "command_not_supported"
    assert err.value.translation_placeholders["command"] == "GoToSettings"

    simulator.set_fault(Fault(force_status=500, paths=("/Sessions/{id}/Message",)))
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "send_message", **{ATTR_ENTITY_ID: web}, message="Hi")
    assert err.value.translation_key == "command_failed"


def server_cases(sim: EmbySimulator) -> list[tuple[str, dict[str, Any], tuple[str, str]]]:
    """(action, data, the request it must make) for every server action."""
    alice = user_id(sim, "Alice")
    movie = first(sim, "Movie")
    playlist = sim.library.of_type("Playlist")[0]
    entry_id = playlist.entries[0][0]
    box = first(sim, "BoxSet")
    program = first(sim, "Program")
    timer = sim.library.timers[0].id
    series_timer = sim.library.series_timers[0].id
    task = sim.library.tasks[1]
    return [
        (
            "mark_played",
            {"item_id": movie, "user_id": alice},
            ("POST", f"/Users/{alice}/PlayedItems/{movie}"),
        ),
        (
            "mark_unplayed",
            {"item_id": movie, "user_id": alice},
            ("POST", f"/Users/{alice}/PlayedItems/{movie}/Delete"),
        ),
        (
            "add_favorite",
            {"item_id": movie, "user_id": alice},
            ("POST", f"/Users/{alice}/FavoriteItems/{movie}"),
        ),
        (
            "remove_favorite",
            {"item_id": movie, "user_id": alice},
            ("POST", f"/Users/{alice}/FavoriteItems/{movie}/Delete"),
        ),
        ("refresh_library", {}, ("POST", "/Library/Refresh")),
        ("refresh_library", {"library_id": "3"}, ("POST", "/Items/3/Refresh")),
        ("create_playlist", {"name": "Trip", "item_ids": [movie]}, ("POST", "/Playlists")),
        (
            "add_to_playlist",
            {"playlist_id": playlist.id, "item_ids": [movie], "user_id": alice},
            ("POST", f"/Playlists/{playlist.id}/Items"),
        ),
        (
            "remove_from_playlist",
            {"playlist_id": playlist.id, "entry_ids": [entry_id], "user_id": alice},
            ("POST", f"/Playlists/{playlist.id}/Items/Delete"),
        ),
        ("create_collection", {"name": "Set", "item_ids": [movie]}, ("POST", "/Collections")),
        (
            "add_to_collection",
            {"collection_id": box, "item_ids": [movie]},
            ("POST", f"/Collections/{box}/Items"),
        ),
        (
            "remove_from_collection",
            {"collection_id": box, "item_ids": [movie]},
            ("POST", f"/Collections/{box}/Items/Delete"),
        ),
        ("schedule_recording", {"program_id": program}, ("POST", "/LiveTv/Timers")),
        (
            "schedule_recording",
            {"program_id": program, "series": True},
            ("POST", "/LiveTv/SeriesTimers"),
        ),
        ("cancel_recording", {"timer_id": timer}, ("POST", f"/LiveTv/Timers/{timer}/Delete")),
        (
            "cancel_series_timer",
            {"series_timer_id": series_timer},
            ("POST", f"/LiveTv/SeriesTimers/{series_timer}/Delete"),
        ),
        (
            "run_scheduled_task",
            {"task": task.name.upper()},
            ("POST", f"/ScheduledTasks/Running/{task.id}"),
        ),
        ("run_scheduled_task", {"task": task.key}, ("POST", f"/ScheduledTasks/Running/{task.id}")),
        ("restart_server", {}, ("POST", "/System/Restart")),
        ("shutdown_server", {}, ("POST", "/System/Shutdown")),
    ]


async def test_server_actions_requests(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Every server action ends with the Emby request it stands for (the simulator's log)."""
    for service, data, expected in server_cases(simulator):
        start = len(simulator.request_log)
        await act(hass, service, **data)
        made = requests_since(simulator, start)
        assert made[-1] == expected, (service, made)
        if service == "restart_server":
            await wait_until(lambda: simulator.restarts == 1 and simulator.is_listening)
    await wait_until(lambda: not simulator.is_listening)  # the shutdown
    # Restart and shutdown: each sent exactly once.
    assert [r.path for r in simulator.request_log].count("/System/Shutdown") == 1
    assert [r.path for r in simulator.request_log].count("/System/Restart") == 1


async def test_create_actions_respond(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """create_playlist and create_collection answer with what they created."""
    movie = first(simulator, "Movie")
    created = await hass.services.async_call(
        DOMAIN,
        "create_playlist",
        {"name": "Trip", "item_ids": [movie], "media_type": "Video"},
        blocking=True,
        return_response=True,
    )
    assert created is not None
    assert created["name"] == "Trip"
    assert simulator.library.get(str(created["id"])) is not None
    created = await hass.services.async_call(
        DOMAIN, "create_collection", {"name": "Set"}, blocking=True, return_response=True
    )
    assert created is not None
    assert created["name"] == "Set"


async def test_search_returns_items(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """search answers with typed items of the user's libraries (SupportsResponse.ONLY)."""
    alice = user_id(simulator, "Alice")
    movie = simulator.library.of_type("Movie")[0]
    word = movie.name.split()[-1]
    response = await act(
        hass, "search", search_term=word, item_types=["Movie"], limit=5, user_id=alice
    )
    items = response["items"]
    assert 0 < len(items) <= 5
    assert all(word.lower() in item["name"].lower() for item in items)
    assert all(item["type"] == "Movie" for item in items)
    assert movie.id in {item["id"] for item in items}
    record = next(r for r in reversed(simulator.request_log) if r.path.endswith("/Items"))
    assert record.path == f"/Users/{alice}/Items"
    assert record.query["searchterm"] == word
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "search", {"search_term": word, "user_id": alice}, blocking=True
        )


@pytest.mark.parametrize(
    "case",
    [
        ("mark_played", {"item_id": "999999", "user_id": "alice"}, "unknown_item", "999999"),
        ("mark_played", {"item_id": "MOVIE", "user_id": "nobody"}, "unknown_user", "nobody"),
        ("add_favorite", {"item_id": "MOVIE"}, "user_required", "Emby Simulator"),
        ("refresh_library", {"library_id": "999999"}, "unknown_library", "999999"),
        (
            "add_to_playlist",
            {"playlist_id": "999999", "item_ids": ["MOVIE"]},
            "unknown_playlist",
            "999999",
        ),
        (
            "add_to_playlist",
            {"playlist_id": "PLAYLIST", "item_ids": ["MOVIE", "999999"]},
            "unknown_item",
            "999999",
        ),
        (
            "remove_from_playlist",
            {"playlist_id": "PLAYLIST", "entry_ids": ["nope"], "user_id": "alice"},
            "unknown_playlist_entry",
            "nope",
        ),
        ("create_collection", {"name": "X", "item_ids": ["999999"]}, "unknown_item", "999999"),
        ("create_collection", {"name": "X", "item_ids": ["1,2"]}, "unknown_item", "1,2"),
        (
            "add_to_collection",
            {"collection_id": "999999", "item_ids": ["MOVIE"]},
            "unknown_collection",
            "999999",
        ),
        ("schedule_recording", {"program_id": "999999"}, "unknown_program", "999999"),
        ("cancel_recording", {"timer_id": "nope"}, "unknown_timer", "nope"),
        ("cancel_series_timer", {"series_timer_id": "nope"}, "unknown_timer", "nope"),
        ("run_scheduled_task", {"task": "Defragment"}, "unknown_task", "Defragment"),
        ("search", {"search_term": "x", "user_id": "nobody"}, "unknown_user", "nobody"),
    ],
)
async def test_bad_values_are_named(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    case: tuple[str, dict[str, Any], str, str],
) -> None:
    """A wrong id, user or task name is a translated ServiceValidationError naming it; nothing
    is logged with a traceback."""
    service, data, key, named = case
    names = {
        "alice": user_id(simulator, "Alice"),
        "MOVIE": first(simulator, "Movie"),
        "PLAYLIST": first(simulator, "Playlist"),
    }

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [names.get(v, v) for v in value]
        return names.get(value, value)

    data = {field: resolve(value) for field, value in data.items()}
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, service, **data)
    assert err.value.translation_key == key
    placeholders = err.value.translation_placeholders or {}
    assert named in placeholders.values()
    if key == "unknown_task":
        assert "Scan media library" in placeholders["tasks"]
    assert named in str(err.value)
    assert "Traceback" not in caplog.text


async def test_server_failures_are_translated_and_not_retried(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 5xx is a translated HomeAssistantError; restart and shutdown are sent once."""
    simulator.set_fault(Fault(force_status=503, paths=("/System/Restart", "/System/Shutdown")))
    for service in ("restart_server", "shutdown_server"):
        start = len(simulator.request_log)
        with pytest.raises(HomeAssistantError) as err:
            await act(hass, service)
        assert err.value.translation_key == "action_failed"
        assert err.value.translation_placeholders["server"] == "Emby Simulator"
        assert len(requests_since(simulator, start)) == 1
    simulator.set_fault(Fault(force_status=500, paths=("/Library/Refresh",)))
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "refresh_library")
    assert err.value.translation_key == "action_failed"
    assert API_KEY not in str(err.value.translation_placeholders)
    assert "Traceback" not in caplog.text


async def test_rejected_key_starts_reauth(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    simulator.set_fault(Fault(force_status=401, paths=("/Library/Refresh",)))
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "refresh_library")
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    assert any(
        flow["context"]["source"] == "reauth" for flow in hass.config_entries.flow.async_progress()
    )


@pytest.fixture
async def second_simulator(socket_enabled: None) -> AsyncIterator[EmbySimulator]:
    """Another Emby server (its own id, name and library)."""
    config = SimulatorConfig(
        api_key="second-key",
        users=2,
        clients=2,
        playing=0,
        script=False,
        seed=2,
        server_name="Second Emby",
    )
    async with EmbySimulator(config) as sim:
        yield sim


async def test_two_servers_each_action_reaches_its_target(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    second_simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    find_device: FindDevice,
) -> None:
    """With two servers, a server action goes only to the server it names (entry or device),
    and one that names none is refused."""
    assert simulator.server_id != second_simulator.server_id
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Second Emby",
        unique_id=second_simulator.server_id,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: second_simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_API_KEY: second_simulator.api_key,
        },
        options=NO_WEBSOCKET,
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert second.state is ConfigEntryState.LOADED

    first_device = find_device(init_integration, simulator.server_id)
    second_device = find_device(second, second_simulator.server_id)
    assert first_device is not None
    assert second_device is not None
    for target, hit, missed in (
        ({"config_entry_id": init_integration.entry_id}, simulator, second_simulator),
        ({"config_entry_id": second.entry_id}, second_simulator, simulator),
        ({"device_id": first_device.id}, simulator, second_simulator),
        ({"device_id": second_device.id}, second_simulator, simulator),
    ):
        for service, path in (
            ("refresh_library", "/Library/Refresh"),
            ("run_scheduled_task", "/ScheduledTasks/Running/{id}"),
        ):
            hits, misses = hit.count(path), missed.count(path)
            await act(
                hass,
                service,
                **target,
                **({"task": "Scan media library"} if service == "run_scheduled_task" else {}),
            )
            assert hit.count(path) == hits + 1, (service, target)
            assert missed.count(path) == misses, (service, target)

    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "refresh_library")
    assert err.value.translation_key == "server_required"
    client_device = next(
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), second.entry_id)
        if device.id != second_device.id
    )
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "refresh_library", device_id=client_device.id)
    assert err.value.translation_key == "not_a_server_device"
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "refresh_library", device_id="not-a-device")
    assert err.value.translation_key == "not_a_server_device"
    assert await hass.config_entries.async_unload(second.entry_id)
