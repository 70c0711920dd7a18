"""Media players against the simulator: which clients get one, names and devices, states from
polls and WebSocket pushes, every control as the Emby request it sends, features per client,
play_media enqueue modes, the image proxy, ignored and web clients, dynamic clients and device
removal.

The simulated clients (SimulatorConfig clients=6, playing=2, no script): Emby Web (plays an
episode), Roku (plays an album), Android, a Samsung TV app, a Sonos speaker (audio only) and
Infuse (not remote controllable).
"""

import copy
import json
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.media_player import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    ATTR_MEDIA_ENQUEUE,
    ATTR_MEDIA_REPEAT,
    ATTR_MEDIA_SEEK_POSITION,
    ATTR_MEDIA_SHUFFLE,
    ATTR_MEDIA_VOLUME_LEVEL,
    ATTR_MEDIA_VOLUME_MUTED,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.components.media_player import DOMAIN as MP_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.amber import AmberSnapshotExtension

from custom_components.embymedia import media_player
from custom_components.embymedia.const import (
    CONF_ENABLE_WEBSOCKET,
    CONF_IGNORE_WEB_PLAYERS,
    CONF_IGNORED_DEVICES,
    CONF_PURGE_AFTER_DAYS,
    DOMAIN,
)
from custom_components.embymedia.events import EmbyEventHandler
from emby_simulator import EmbySimulator, Fault, SimulatorConfig

API_KEY = "test-api-key"
NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
F = MediaPlayerEntityFeature
type WaitUntil = Callable[..., Awaitable[None]]


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """The default server without the clients' own script: only tests change playback."""
    return SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2, script=False)


def device_id_of(sim: EmbySimulator, client: str) -> str:
    """DeviceId of the simulated client running `client`."""
    return next(s.device_id for s in sim.sessions if s.client == client)


def session_id_of(sim: EmbySimulator, device_id: str) -> str:
    """The current session id of a client (it changes on every reconnect)."""
    return next(s.id for s in sim.sessions if s.device_id == device_id)


def entity_id_of(hass: HomeAssistant, sim: EmbySimulator, device_id: str) -> str:
    """Entity id of a client's media player."""
    entity_id = er.async_get(hass).async_get_entity_id(
        MP_DOMAIN, DOMAIN, f"{sim.server_id}_{device_id}"
    )
    assert entity_id is not None, f"no media player for {device_id}"
    return entity_id


def player(hass: HomeAssistant, sim: EmbySimulator, client: str) -> str:
    """Entity id of the media player of the simulated client running `client`."""
    return entity_id_of(hass, sim, device_id_of(sim, client))


async def poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll the sessions now (the WebSocket is off in these tests)."""
    await entry.runtime_data.sessions.async_refresh()
    await hass.async_block_till_done()


async def call(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> None:
    """Call a media_player action and wait for it."""
    await hass.services.async_call(
        MP_DOMAIN, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


async def poll_after_clock_jump(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll after moving the clock by days. The simulator runs on the test's event loop, so the
    jump expires its keep-alive timers and it closes the core's idle connections, while the core
    (on real time) may still pick one of them: a poll that raced such a close is repeated (each
    failed one discards its connection)."""
    await hass.async_block_till_done()
    for _ in range(10):
        await poll(hass, entry)
        if entry.runtime_data.sessions.last_update_success:
            return
    raise AssertionError("no successful poll after the clock jump")


def last_request(sim: EmbySimulator) -> Any:
    """The last request the server saw, leaving out session polls (with the WebSocket off,
    a command is followed by one)."""
    return next(r for r in reversed(sim.request_log) if (r.method, r.path) != ("GET", "/Sessions"))


def client_devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, dr.DeviceEntry]:
    """The entry's client devices by Emby DeviceId (the server's and users' left out)."""
    sim_server = entry.unique_id
    devices: dict[str, dr.DeviceEntry] = {}
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        for domain, key in device.identifiers:
            if domain == DOMAIN and key != sim_server and not key.startswith(f"{sim_server}_user_"):
                devices[key] = device
    return devices


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_players_for_controllable_clients(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """One player per client (none for Home Assistant itself), named after its device and
    app, on a device linked to the server; Infuse, which cannot be remote controlled, is a
    player without controls."""
    registry = er.async_get(hass)
    players = [
        entry
        for entry in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if entry.domain == MP_DOMAIN
    ]
    clients = {s.device_id for s in simulator.sessions if s.client != "Home Assistant"}
    assert {entry.unique_id for entry in players} == {
        f"{simulator.server_id}_{device_id}" for device_id in clients
    }
    assert len(players) == 6
    infuse = hass.states.get(player(hass, simulator, "Infuse"))
    assert infuse is not None
    assert infuse.attributes["supported_features"] == 0
    controllable = clients

    names = {
        hass.states.get(entry.entity_id).attributes["friendly_name"]  # type: ignore[union-attr]
        for entry in players
    }
    assert names == {
        "Google Chrome Windows (Emby Web)",
        "Roku Ultra (Roku SG)",
        "SM-X700 (Emby for Android)",
        "Samsung QN90 TV (Emby for Samsung)",
        "Living Room Speaker (Emby for Sonos)",
        "Apple TV 4K (Infuse)",
    }
    assert hass.states.get(player(hass, simulator, "Emby Web")).state == MediaPlayerState.PLAYING  # type: ignore[union-attr]
    assert hass.states.get(player(hass, simulator, "Roku SG")).state == MediaPlayerState.PLAYING  # type: ignore[union-attr]
    for client in ("Emby for Android", "Emby for Samsung", "Emby for Sonos"):
        assert hass.states.get(player(hass, simulator, client)).state == MediaPlayerState.IDLE  # type: ignore[union-attr]

    devices = client_devices(hass, init_integration)
    assert set(devices) == controllable
    server = next(
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if (DOMAIN, simulator.server_id) in device.identifiers
    )
    roku = devices[device_id_of(simulator, "Roku SG")]
    assert roku.name == "Roku Ultra (Roku SG)"
    assert roku.model == "Roku SG"
    assert roku.sw_version == "4.1.31"
    assert roku.via_device_id == server.id
    assert all(device.via_device_id == server.id for device in devices.values())


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_entity_states_snapshot(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every client entity of the entry: state and attributes (the picture's access token
    masked)."""
    freezer.move_to("2026-05-01T12:00:00+00:00")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    states: dict[str, Any] = {}
    for entry in sorted(
        er.async_entries_for_config_entry(registry, mock_config_entry.entry_id),
        key=lambda e: e.entity_id,
    ):
        if entry.domain not in ("media_player", "remote", "notify"):
            continue  # the server's and users' entities: test_entities.py
        state = hass.states.get(entry.entity_id)
        assert state is not None
        # Plain JSON values: attribute keys are enums on some Home Assistant versions only.
        attributes = json.loads(json.dumps(dict(state.attributes), default=str))
        if picture := attributes.get("entity_picture"):
            attributes["entity_picture"] = re.sub(r"token=[^&]+", "token=<token>", picture)
        states[entry.entity_id] = {
            "unique_id": entry.unique_id.removeprefix(simulator.server_id),
            "translation_key": entry.translation_key,
            "state": state.state,
            "attributes": attributes,
        }
    # Plain syrupy: Home Assistant's extension keeps its files in different folders in the
    # test plugins of the two supported versions; this one is the same under both.
    assert states == snapshot.use_extension(AmberSnapshotExtension)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_media_attributes(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """What plays: an episode on Emby Web, then an album track on Roku."""
    web = hass.states.get(player(hass, simulator, "Emby Web"))
    assert web is not None
    web_client = next(s for s in simulator.sessions if s.client == "Emby Web")
    episode = simulator.library.items[web_client.now_playing or ""]
    assert episode.type == "Episode"
    assert web.attributes["media_content_id"] == episode.id
    assert web.attributes["media_content_type"] == "episode"
    assert web.attributes["media_title"] == episode.name
    series = simulator.library.items[episode.series_id or ""]
    assert web.attributes["media_series_title"] == series.name
    assert web.attributes["media_season"] == str(episode.parent_index)
    assert web.attributes["media_episode"] == str(episode.index)
    assert web.attributes["media_duration"] == (episode.runtime_ticks or 0) // 10_000_000
    assert web.attributes["media_position"] == web_client.position_ticks // 10_000_000
    assert web.attributes["media_position_updated_at"] is not None
    assert web.attributes["volume_level"] == web_client.volume / 100
    assert web.attributes["is_volume_muted"] is False
    assert web.attributes["repeat"] == "off"

    roku = device_id_of(simulator, "Roku SG")
    track = simulator.library.items[simulator.library.by_type["Audio"][0]]
    simulator.start_playback(roku, track.id)
    await poll(hass, init_integration)
    state = hass.states.get(entity_id_of(hass, simulator, roku))
    assert state is not None
    assert state.attributes["media_content_type"] == "music"
    assert state.attributes["media_title"] == track.name
    assert (
        state.attributes["media_album_name"] == simulator.library.items[track.album_id or ""].name
    )
    assert state.attributes["media_artist"]
    assert state.attributes["media_album_artist"]
    assert state.attributes["media_track"] == track.index
    assert "media_series_title" not in state.attributes
    # Roku reports no volume.
    assert "volume_level" not in state.attributes

    idle = hass.states.get(player(hass, simulator, "Emby for Android"))
    assert idle is not None
    assert "media_title" not in idle.attributes
    assert "entity_picture" not in idle.attributes


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_state_follows_polls(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """paused, idle, off when the client leaves, idle again when it reconnects with a new
    session id: the same entity throughout."""
    web = device_id_of(simulator, "Emby Web")
    entity_id = entity_id_of(hass, simulator, web)
    entities = len(hass.states.async_entity_ids())

    simulator.pause(web)
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]

    simulator.unpause(web)
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == MediaPlayerState.PLAYING  # type: ignore[union-attr]

    simulator.stop_playback(web)
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == MediaPlayerState.IDLE  # type: ignore[union-attr]

    old_session = session_id_of(simulator, web)
    simulator.remove_client(web)
    await poll(hass, init_integration)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_OFF
    assert "media_title" not in state.attributes

    simulator.add_client(client="Emby Web", device_name="Google Chrome Windows", device_id=web)
    await poll(hass, init_integration)
    assert session_id_of(simulator, web) != old_session
    assert hass.states.get(entity_id).state == MediaPlayerState.IDLE  # type: ignore[union-attr]
    assert len(hass.states.async_entity_ids()) == entities

    await call(hass, "media_play", entity_id)
    assert (
        last_request(simulator).path == f"/Sessions/{session_id_of(simulator, web)}/Playing/Unpause"
    )


async def test_state_follows_websocket_pushes(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """With the WebSocket, playback changes reach the entity without a poll."""
    sessions = init_integration.runtime_data.sessions
    await wait_until(lambda: sessions.websocket_connected and sessions.push_count > 0)
    polls = simulator.count("/Sessions")
    web = device_id_of(simulator, "Emby Web")
    entity_id = entity_id_of(hass, simulator, web)

    simulator.pause(web)
    simulator.advance(1)
    await simulator.flush()
    await wait_until(
        lambda: hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]
    )
    simulator.stop_playback(web)
    # The simulator builds the Sessions frame that follows PlaybackStopped before the stop has
    # taken effect (real Emby pushes the stopped state); the next progress round (10 s of
    # simulated time, the Roku still plays) pushes the real state.
    simulator.advance(10)
    await simulator.flush()
    await wait_until(
        lambda: hass.states.get(entity_id).state == MediaPlayerState.IDLE  # type: ignore[union-attr]
    )
    android = device_id_of(simulator, "Emby for Android")
    movie = simulator.library.by_type["Movie"][0]
    simulator.start_playback(android, movie)
    simulator.advance(1)
    await simulator.flush()
    android_entity = entity_id_of(hass, simulator, android)
    await wait_until(
        lambda: hass.states.get(android_entity).attributes.get("media_content_id") == movie  # type: ignore[union-attr]
    )
    # A new client over the WebSocket gets its entities at once.
    simulator.add_client(client="Emby for Android", device_name="Pixel 8", device_id="pixel-8")
    simulator.advance(1)
    await simulator.flush()
    await wait_until(lambda: hass.states.get("media_player.pixel_8_emby_for_android") is not None)
    simulator.remove_client("pixel-8")
    simulator.advance(1)
    await simulator.flush()
    await wait_until(
        lambda: hass.states.get("media_player.pixel_8_emby_for_android").state == STATE_OFF  # type: ignore[union-attr]
    )
    assert simulator.count("/Sessions") == polls


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_pushed_sessions_reach_entities(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """The WebSocket path of the coordinator (events as the core delivers them): state
    changes, theme media shows as idle, a new client gets entities, nothing is polled."""
    runtime = init_integration.runtime_data
    handler = EmbyEventHandler(hass, init_integration, runtime)
    web = device_id_of(simulator, "Emby Web")
    entity_id = entity_id_of(hass, simulator, web)
    polls = simulator.count("/Sessions")

    simulator.pause(web)
    handler.async_handle(await runtime.client.get_session_changes())
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]

    session = runtime.sessions.data[web]
    item = session.now_playing_item
    assert item is not None
    theme = copy.replace(session, now_playing_item=copy.replace(item, is_theme_media=True))
    handler.async_handle({"type": "playback_start", "session": theme})
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == MediaPlayerState.IDLE  # type: ignore[union-attr]

    # A stop (the core hands the session over as it is after the stop): idle at once.
    handler.async_handle({"type": "playback_progress", "session": session})
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]
    stopped = copy.replace(
        session,
        now_playing_item=None,
        play_state=copy.replace(session.play_state, position_ticks=None, is_paused=False),
    )
    handler.async_handle({"type": "playback_stopped", "session": stopped})
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == MediaPlayerState.IDLE
    assert "media_position" not in state.attributes

    simulator.add_client(client="Emby for Android", device_name="Pixel 8", device_id="pixel-8")
    handler.async_handle(await runtime.client.get_session_changes())
    await hass.async_block_till_done()
    state = hass.states.get("media_player.pixel_8_emby_for_android")
    assert state is not None
    assert state.state == MediaPlayerState.IDLE
    assert hass.states.get("remote.pixel_8_emby_for_android_remote") is not None
    assert hass.states.get("notify.pixel_8_emby_for_android_message") is not None

    pixel = runtime.sessions.data["pixel-8"]
    handler.async_handle({"type": "session_ended", "session": pixel})
    await hass.async_block_till_done()
    assert hass.states.get("media_player.pixel_8_emby_for_android").state == STATE_OFF  # type: ignore[union-attr]
    # get_sessions above stands in for the pushes; the integration itself polled nothing.
    assert simulator.count("/Sessions") == polls + 2


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_position_updates_only_on_real_change(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """media_position_updated_at moves only when the position is not where the frontend's
    extrapolation puts it (seek, pause), not with every report."""
    web = device_id_of(simulator, "Emby Web")
    entity_id = entity_id_of(hass, simulator, web)

    def position() -> tuple[int, Any]:
        state = hass.states.get(entity_id)
        assert state is not None
        return state.attributes["media_position"], state.attributes["media_position_updated_at"]

    start, anchored = position()
    await poll(hass, init_integration)  # same report
    assert position() == (start, anchored)

    freezer.tick(20)
    simulator.advance(20)  # the client played on as expected
    await poll(hass, init_integration)
    assert position() == (start, anchored)

    await call(hass, "media_seek", entity_id, **{ATTR_MEDIA_SEEK_POSITION: 600})
    await poll(hass, init_integration)
    seeked, seeked_at = position()
    assert seeked == 600
    assert seeked_at != anchored

    freezer.tick(5)
    simulator.pause(web)
    await poll(hass, init_integration)
    paused, paused_at = position()
    assert paused == 600  # the simulator's clock stood still since the seek
    assert paused_at != seeked_at


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_controls_send_emby_requests(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Every control is one request to the client's current session; the client's new state
    shows after the command (polled once more, as the WebSocket is off)."""
    web = device_id_of(simulator, "Emby Web")
    entity_id = entity_id_of(hass, simulator, web)
    sid = session_id_of(simulator, web)

    for service, command in (
        ("media_pause", "Pause"),
        ("media_play", "Unpause"),
        ("media_play_pause", "PlayPause"),
        ("media_next_track", "NextTrack"),
        ("media_previous_track", "PreviousTrack"),
    ):
        await call(hass, service, entity_id)
        request = last_request(simulator)
        assert (request.method, request.path) == ("POST", f"/Sessions/{sid}/Playing/{command}")
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]

    await call(hass, "media_seek", entity_id, **{ATTR_MEDIA_SEEK_POSITION: 120.5})
    request = last_request(simulator)
    assert request.path == f"/Sessions/{sid}/Playing/Seek"
    assert request.body == {"Command": "Seek", "SeekPositionTicks": 1_205_000_000}

    for service, data, name, arguments in (
        ("volume_set", {ATTR_MEDIA_VOLUME_LEVEL: 0.42}, "SetVolume", {"Volume": "42"}),
        ("volume_mute", {ATTR_MEDIA_VOLUME_MUTED: True}, "Mute", {}),
        ("volume_mute", {ATTR_MEDIA_VOLUME_MUTED: False}, "Unmute", {}),
        ("volume_up", {}, "VolumeUp", {}),
        ("volume_down", {}, "VolumeDown", {}),
        ("repeat_set", {ATTR_MEDIA_REPEAT: "all"}, "SetRepeatMode", {"RepeatMode": "RepeatAll"}),
    ):
        await call(hass, service, entity_id, **data)
        request = last_request(simulator)
        assert (request.method, request.path) == ("POST", f"/Sessions/{sid}/Command")
        assert request.body == {"Name": name, "Arguments": arguments}

    await poll(hass, init_integration)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["volume_level"] == 0.42
    assert state.attributes["repeat"] == "all"

    await call(hass, "media_stop", entity_id)
    assert last_request(simulator).path == f"/Sessions/{sid}/Playing/Stop"
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == MediaPlayerState.IDLE  # type: ignore[union-attr]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_shuffle_and_clear_playlist(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Shuffle on a client that supports it; clearing the queue stops playback (Emby's queue
    lives only while something plays)."""
    speaker = device_id_of(simulator, "Emby for Sonos")
    entity_id = entity_id_of(hass, simulator, speaker)
    album = simulator.library.by_type["MusicAlbum"][0]
    await call(
        hass,
        "play_media",
        entity_id,
        **{ATTR_MEDIA_CONTENT_ID: album, ATTR_MEDIA_CONTENT_TYPE: "music"},
    )
    await poll(hass, init_integration)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == MediaPlayerState.PLAYING
    assert state.attributes["shuffle"] is False
    features = F(state.attributes["supported_features"])
    assert F.SHUFFLE_SET in features
    assert F.CLEAR_PLAYLIST in features

    sid = session_id_of(simulator, speaker)
    await call(hass, "shuffle_set", entity_id, **{ATTR_MEDIA_SHUFFLE: True})
    assert last_request(simulator).body == {"Name": "SetShuffle", "Arguments": {"Shuffle": "true"}}
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).attributes["shuffle"] is True  # type: ignore[union-attr]

    await call(hass, "clear_playlist", entity_id)
    assert last_request(simulator).path == f"/Sessions/{sid}/Playing/Stop"
    await poll(hass, init_integration)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == MediaPlayerState.IDLE
    assert F.CLEAR_PLAYLIST not in F(state.attributes["supported_features"])


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_play_media_enqueue(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """play_media: PlayNow for play/replace (and no enqueue), PlayNext for next, PlayLast for
    add; lists of ids and this integration's media-source ids; bad ids are refused."""
    android = device_id_of(simulator, "Emby for Android")
    entity_id = entity_id_of(hass, simulator, android)
    sid = session_id_of(simulator, android)
    movies = simulator.library.by_type["Movie"]
    client = next(s for s in simulator.sessions if s.device_id == android)

    for enqueue, media_id, command in (
        (None, movies[0], "PlayNow"),
        ("next", movies[1], "PlayNext"),
        ("add", f"{movies[2]},{movies[3]}", "PlayLast"),
        ("play", movies[4], "PlayNow"),
        (
            "replace",
            f"media-source://{DOMAIN}/{simulator.server_id}/{client.user_id}/item/Movie/{movies[5]}",
            "PlayNow",
        ),
    ):
        data = {ATTR_MEDIA_CONTENT_ID: media_id, ATTR_MEDIA_CONTENT_TYPE: "movie"}
        if enqueue:
            data[ATTR_MEDIA_ENQUEUE] = enqueue
        await call(hass, "play_media", entity_id, **data)
        request = last_request(simulator)
        assert (request.method, request.path) == ("POST", f"/Sessions/{sid}/Playing")
        expected = media_id.rpartition("/")[2]
        assert request.query["itemids"] == expected
        assert request.query["playcommand"] == command
        if enqueue == "add":
            assert client.queue == [movies[0], movies[1], movies[2], movies[3]]
    assert client.queue == [movies[5]]
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).attributes["media_content_id"] == movies[5]  # type: ignore[union-attr]

    requests = len(simulator.request_log)
    for bad, key in (
        ("1,,2", "invalid_media_id"),
        ("item/Movie", "invalid_media_id"),
        ("media-source://media_source/local/song.mp3", "unsupported_media_source"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass,
                "play_media",
                entity_id,
                **{ATTR_MEDIA_CONTENT_ID: bad, ATTR_MEDIA_CONTENT_TYPE: "movie"},
            )
        assert err.value.translation_key == key
    assert len(simulator.request_log) == requests


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_supported_features_per_client(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Features follow each client's SupportedCommands, PlayableMediaTypes and CanSeek."""

    def features(client: str) -> F:
        state = hass.states.get(player(hass, simulator, client))
        assert state is not None
        return F(state.attributes["supported_features"])

    playback = F.PLAY | F.PAUSE | F.STOP | F.NEXT_TRACK | F.PREVIOUS_TRACK
    play_media = F.PLAY_MEDIA | F.MEDIA_ENQUEUE | F.BROWSE_MEDIA | F.SEARCH_MEDIA
    volume = F.VOLUME_SET | F.VOLUME_MUTE | F.VOLUME_STEP
    # Playing an episode (one item queued): seek, no queue to clear beyond it.
    assert features("Emby Web") == (
        playback | play_media | volume | F.SEEK | F.REPEAT_SET | F.CLEAR_PLAYLIST
    )
    # Roku: no SetRepeatMode; an album queued.
    assert features("Roku SG") == playback | play_media | volume | F.SEEK | F.CLEAR_PLAYLIST
    # Idle: nothing to seek or clear.
    assert features("Emby for Android") == (
        playback | play_media | volume | F.REPEAT_SET | F.SHUFFLE_SET
    )
    # The TV app controls no volume.
    assert features("Emby for Samsung") == playback | play_media | F.REPEAT_SET
    assert features("Emby for Sonos") == (
        playback | play_media | volume | F.REPEAT_SET | F.SHUFFLE_SET
    )
    speaker = hass.states.get(player(hass, simulator, "Emby for Sonos"))
    assert speaker is not None
    assert speaker.attributes["device_class"] == "speaker"
    assert "device_class" not in hass.states.get(player(hass, simulator, "Emby Web")).attributes  # type: ignore[union-attr]

    # A client that lists only Mute/Unmute gets mute but no volume level.
    simulator.add_client(
        client="Custom",
        device_name="Kiosk",
        device_id="kiosk",
        supported_commands=["ToggleMute"],
        playable_media_types=[],
    )
    await poll(hass, init_integration)
    kiosk = hass.states.get("media_player.kiosk_custom")
    assert kiosk is not None
    assert F(kiosk.attributes["supported_features"]) == playback | F.VOLUME_MUTE


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_only_what_changed_is_derived_again(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pause derives the state and the position again, not the features; a change of the
    commands a playing client offers, alone, changes its features (the core says which parts
    of a session changed)."""
    derived: list[str] = []
    feature_bits = media_player.feature_bits

    def counted(session: Any) -> int:
        derived.append(session.device_id)
        return feature_bits(session)

    monkeypatch.setattr(media_player, "feature_bits", counted)
    web = device_id_of(simulator, "Emby Web")
    entity_id = player(hass, simulator, "Emby Web")

    def features() -> F:
        state = hass.states.get(entity_id)
        assert state is not None
        return F(state.attributes["supported_features"])

    assert features() & F.REPEAT_SET
    simulator.pause(web)
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]
    assert derived == []

    session = next(s for s in simulator.sessions if s.device_id == web)
    session.supported_commands = [c for c in session.supported_commands if c != "SetRepeatMode"]
    await poll(hass, init_integration)
    assert derived == [web]
    assert not features() & F.REPEAT_SET
    assert hass.states.get(entity_id).state == MediaPlayerState.PAUSED  # type: ignore[union-attr]

    # Stopping changes what can be done (no seek with nothing playing).
    simulator.stop_playback(web)
    await poll(hass, init_integration)
    assert derived == [web, web]
    assert not features() & F.SEEK
    assert hass.states.get(entity_id).state == MediaPlayerState.IDLE  # type: ignore[union-attr]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_toggle_mute_only_client(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """A client that only knows ToggleMute is toggled, and only when the state differs."""
    simulator.add_client(
        client="Custom", device_name="Kiosk", device_id="kiosk", supported_commands=["ToggleMute"]
    )
    await poll(hass, init_integration)
    requests = len(simulator.request_log)
    await call(hass, "volume_mute", "media_player.kiosk_custom", **{ATTR_MEDIA_VOLUME_MUTED: False})
    assert len(simulator.request_log) == requests  # already unmuted
    await call(hass, "volume_mute", "media_player.kiosk_custom", **{ATTR_MEDIA_VOLUME_MUTED: True})
    assert last_request(simulator).body == {"Name": "ToggleMute", "Arguments": {}}
    await poll(hass, init_integration)
    assert hass.states.get("media_player.kiosk_custom").attributes["is_volume_muted"] is True  # type: ignore[union-attr]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_image_through_home_assistant(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The picture is served by Home Assistant's proxy; its URL and the state never carry the
    API key; the episode shows its series poster, fetched once per picture."""
    entity_id = player(hass, simulator, "Emby Web")
    state = hass.states.get(entity_id)
    assert state is not None
    url = state.attributes["entity_picture"]
    assert url.startswith(f"/api/media_player_proxy/{entity_id}?token=")
    assert "api_key" not in url.lower()
    assert API_KEY not in url
    assert API_KEY not in json.dumps(state.as_dict(), default=str)

    images = simulator.count("/Items/{id}/Images/{type}")
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    body = await response.read()
    assert body
    assert response.content_type.startswith("image/")
    request = last_request(simulator)
    episode = simulator.library.items[state.attributes["media_content_id"]]
    assert request.path == f"/Items/{episode.series_id}/Images/Primary"
    assert request.query["maxwidth"] == "600"
    assert request.query["tag"]
    assert simulator.count("/Items/{id}/Images/{type}") == images + 1

    response = await client.get(url)
    assert response.status == 200
    assert await response.read() == body
    assert simulator.count("/Items/{id}/Images/{type}") == images + 1

    # A new item: a new hash, so browsers fetch the new picture.
    web = device_id_of(simulator, "Emby Web")
    simulator.start_playback(web, simulator.library.by_type["Movie"][0])
    await poll(hass, init_integration)
    new_url = hass.states.get(entity_id).attributes["entity_picture"]  # type: ignore[union-attr]
    assert new_url != url
    assert (await (await client.get(new_url)).read()) != body

    # An image the server cannot deliver is "no picture" for the proxy (404 on Home Assistant
    # 2026.10, 500 on 2026.3), never an exception in the integration.
    simulator.set_fault(Fault(force_status=500, paths=("/Items/{id}/Images",)))
    simulator.start_playback(web, simulator.library.by_type["Movie"][1])
    await poll(hass, init_integration)
    failing = hass.states.get(entity_id).attributes["entity_picture"]  # type: ignore[union-attr]
    assert (await client.get(failing)).status in (404, 500)
    assert "Traceback" not in caplog.text


async def test_ignored_devices(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Ignoring a client removes its entities and device, and no session (polled or pushed)
    brings them back."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=NO_WEBSOCKET)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    android = device_id_of(simulator, "Emby for Android")
    entity_id = entity_id_of(hass, simulator, android)
    assert android in client_devices(hass, mock_config_entry)

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**NO_WEBSOCKET, CONF_IGNORED_DEVICES: [android, "pixel-8"]}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert android not in client_devices(hass, mock_config_entry)
    assert hass.states.get(entity_id) is None
    registry = er.async_get(hass)
    assert not [
        e
        for e in er.async_entries_for_config_entry(registry, mock_config_entry.entry_id)
        if e.unique_id.endswith(android)
    ]

    runtime = mock_config_entry.runtime_data
    await poll(hass, mock_config_entry)
    simulator.add_client(client="Emby for Android", device_name="Pixel 8", device_id="pixel-8")
    handler = EmbyEventHandler(hass, mock_config_entry, runtime)
    handler.async_handle(await runtime.client.get_session_changes())
    await hass.async_block_till_done()
    await poll(hass, mock_config_entry)
    assert not set(client_devices(hass, mock_config_entry)) & {android, "pixel-8"}
    assert not [
        e
        for e in er.async_entries_for_config_entry(registry, mock_config_entry.entry_id)
        if e.unique_id.endswith((android, "pixel-8"))
    ]
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.parametrize(
    "entry_options", [{CONF_IGNORED_DEVICES: ["pixel-8"], CONF_IGNORE_WEB_PLAYERS: True}]
)
async def test_websocket_pushes_respect_ignored_clients(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """Clients that connect while the WebSocket pushes sessions go through the same filter:
    an ignored client and a web player get nothing, another new client gets its entities."""
    sessions = init_integration.runtime_data.sessions
    await wait_until(lambda: sessions.websocket_connected and sessions.push_count > 0)
    simulator.add_client(client="Emby for Android", device_name="Pixel 8", device_id="pixel-8")
    simulator.add_client(client="Emby Web", device_name="Firefox", device_id="firefox")
    simulator.add_client(client="Emby for Android", device_name="Tablet", device_id="tablet")
    simulator.advance(1)
    await simulator.flush()
    # The tablet shows the push that carried all three was applied.
    await wait_until(lambda: hass.states.get("media_player.tablet_emby_for_android") is not None)
    devices = client_devices(hass, init_integration)
    assert "tablet" in devices
    assert not {"pixel-8", "firefox", device_id_of(simulator, "Emby Web")} & set(devices)
    registry = er.async_get(hass)
    assert not [
        e
        for e in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if e.unique_id.endswith(("pixel-8", "firefox"))
    ]
    assert {"pixel-8", "firefox"} <= sessions.excluded_devices


async def test_ignore_web_players(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """With ignore_web_players, browser players get no entities, and the devices of web
    players seen before are removed, connected or not."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=NO_WEBSOCKET)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    web = device_id_of(simulator, "Emby Web")
    simulator.add_client(client="Emby Web", device_name="Firefox", device_id="firefox")
    await poll(hass, mock_config_entry)
    assert {web, "firefox"} <= set(client_devices(hass, mock_config_entry))
    simulator.remove_client("firefox")  # offline when the option is set
    await poll(hass, mock_config_entry)

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**NO_WEBSOCKET, CONF_IGNORE_WEB_PLAYERS: True}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    devices = client_devices(hass, mock_config_entry)
    assert not {web, "firefox"} & set(devices)
    assert len(devices) == 5  # Roku, Android, Samsung, Sonos, Infuse
    assert not [
        s for s in hass.states.async_all(MP_DOMAIN) if "Emby Web" in s.attributes["friendly_name"]
    ]
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET | {CONF_PURGE_AFTER_DAYS: 30}])
async def test_purge_removes_entities_of_unseen_clients(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A client gone for longer than the purge age loses its device with its player, remote
    and notify entity; connected clients keep theirs however long ago they were set up."""
    registry = er.async_get(hass)
    android = device_id_of(simulator, "Emby for Android")
    device = client_devices(hass, init_integration)[android]
    entity_ids = [entry.entity_id for entry in er.async_entries_for_device(registry, device.id)]
    assert len(entity_ids) == 3
    simulator.remove_client(android)
    await poll(hass, init_integration)
    assert hass.states.get(entity_id_of(hass, simulator, android)).state == STATE_OFF  # type: ignore[union-attr]

    web = device_id_of(simulator, "Emby Web")
    freezer.tick(timedelta(days=29))
    simulator.pause(web)  # any session change runs the housekeeping
    await poll_after_clock_jump(hass, init_integration)
    assert android in client_devices(hass, init_integration)

    freezer.tick(timedelta(days=2))
    simulator.unpause(web)
    await poll_after_clock_jump(hass, init_integration)
    assert android not in client_devices(hass, init_integration)
    assert all(hass.states.get(entity_id) is None for entity_id in entity_ids)
    assert all(registry.async_get(entity_id) is None for entity_id in entity_ids)
    assert len(client_devices(hass, init_integration)) == 5
    assert hass.states.get(player(hass, simulator, "Emby Web")).state == MediaPlayerState.PLAYING  # type: ignore[union-attr]

    # Back after the purge: new entities on a new device.
    simulator.add_client(client="Emby for Android", device_name="SM-X700", device_id=android)
    await poll(hass, init_integration)
    assert android in client_devices(hass, init_integration)
    assert hass.states.get(entity_id_of(hass, simulator, android)).state == MediaPlayerState.IDLE  # type: ignore[union-attr]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_new_client_gets_entities(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """A client that connects later (poll path) gets a player, a remote and a notify entity
    on a device of its own."""
    assert hass.states.get("media_player.pixel_8_emby_for_android") is None
    simulator.add_client(client="Emby for Android", device_name="Pixel 8", device_id="pixel-8")
    await poll(hass, init_integration)
    assert hass.states.get("media_player.pixel_8_emby_for_android").state == MediaPlayerState.IDLE  # type: ignore[union-attr]
    assert hass.states.get("remote.pixel_8_emby_for_android_remote").state == "on"  # type: ignore[union-attr]
    assert hass.states.get("notify.pixel_8_emby_for_android_message") is not None
    device = client_devices(hass, init_integration)["pixel-8"]
    assert device.name == "Pixel 8 (Emby for Android)"
    assert len(er.async_entries_for_device(er.async_get(hass), device.id)) == 3


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_same_device_names_do_not_collide(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Two clients on one device name differ by app; two with the same name and app still get
    their own entities and devices (unique ids are server id + DeviceId)."""
    for device_id, client in (
        ("lr-android", "Emby for Android"),
        ("lr-theater", "Emby Theater"),
        ("lr-theater-2", "Emby Theater"),
    ):
        simulator.add_client(client=client, device_name="Living Room", device_id=device_id)
    await poll(hass, init_integration)
    names = {
        device_id: hass.states.get(entity_id_of(hass, simulator, device_id)).attributes[  # type: ignore[union-attr]
            "friendly_name"
        ]
        for device_id in ("lr-android", "lr-theater", "lr-theater-2")
    }
    assert names == {
        "lr-android": "Living Room (Emby for Android)",
        "lr-theater": "Living Room (Emby Theater)",
        "lr-theater-2": "Living Room (Emby Theater)",
    }
    entity_ids = {
        entity_id_of(hass, simulator, device_id)
        for device_id in ("lr-android", "lr-theater", "lr-theater-2")
    }
    assert len(entity_ids) == 3
    registry = er.async_get(hass)
    unique_ids = [
        e.unique_id
        for e in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if e.domain == MP_DOMAIN
    ]
    assert len(unique_ids) == len(set(unique_ids)) == 9  # 6 clients (Infuse too) + 3 new
    devices = client_devices(hass, init_integration)
    assert devices["lr-theater"].id != devices["lr-theater-2"].id


async def test_offline_clients_restored_as_off(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A client seen in an earlier run that is not connected now shows as off (not as a
    stale or unavailable entity) and comes back when it reconnects."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=NO_WEBSOCKET)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    samsung = device_id_of(simulator, "Emby for Samsung")
    entity_id = entity_id_of(hass, simulator, samsung)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    simulator.remove_client(samsung)

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_OFF
    assert hass.states.get("remote.samsung_qn90_tv_emby_for_samsung_remote").state == STATE_OFF  # type: ignore[union-attr]
    notify = hass.states.get("notify.samsung_qn90_tv_emby_for_samsung_message")
    assert notify is not None
    assert notify.state != "unavailable"
    await poll(hass, mock_config_entry)
    assert F.PLAY in F(hass.states.get(entity_id).attributes["supported_features"])  # type: ignore[union-attr]
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "media_play", entity_id)
    assert err.value.translation_key == "client_not_connected"

    simulator.add_client(
        client="Emby for Samsung", device_name="Samsung QN90 TV", device_id=samsung
    )
    await poll(hass, mock_config_entry)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == MediaPlayerState.IDLE
    assert F.REPEAT_SET in F(state.attributes["supported_features"])
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_remove_devices_from_the_ui(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The device of a client that left can be deleted (with its entities); a connected
    client's and the server's cannot; the client reconnecting brings it back."""
    assert await async_setup_component(hass, "config", {})
    ws = await hass_ws_client(hass)
    devices = client_devices(hass, init_integration)
    android = device_id_of(simulator, "Emby for Android")
    server = next(
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if (DOMAIN, simulator.server_id) in device.identifiers
    )

    async def remove(device: dr.DeviceEntry) -> dict[str, Any]:
        # The command both supported Home Assistant versions know (2026.10 also has
        # config/device_registry/remove).
        await ws.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device.id,
            }
        )
        response: dict[str, Any] = await ws.receive_json()
        await hass.async_block_till_done()
        return response

    assert not (await remove(server))["success"]
    assert not (await remove(devices[android]))["success"]

    entity_id = entity_id_of(hass, simulator, android)
    simulator.remove_client(android)
    await poll(hass, init_integration)
    assert hass.states.get(entity_id).state == STATE_OFF  # type: ignore[union-attr]
    assert (await remove(devices[android]))["success"]
    assert android not in client_devices(hass, init_integration)
    assert hass.states.get(entity_id) is None
    assert not er.async_entries_for_device(er.async_get(hass), devices[android].id)

    simulator.add_client(client="Emby for Android", device_name="SM-X700", device_id=android)
    await poll(hass, init_integration)
    assert android in client_devices(hass, init_integration)
    state = hass.states.get(entity_id_of(hass, simulator, android))
    assert state is not None
    assert state.state == MediaPlayerState.IDLE


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_command_errors(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Failures are translated errors: a client that left, a server error, a session that
    ended behind our back, and a rejected key (which starts reauthentication)."""
    web = device_id_of(simulator, "Emby Web")
    entity_id = entity_id_of(hass, simulator, web)

    simulator.set_fault(Fault(force_status=500, paths=("/Sessions/{id}/Playing",)))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "media_pause", entity_id)
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["client"] == "Google Chrome Windows (Emby Web)"
    assert API_KEY not in str(err.value.translation_placeholders)
    simulator.set_fault(None)

    # The client reconnects (new session id) without us polling: the old id is a 404.
    simulator.remove_client(web)
    simulator.add_client(client="Emby Web", device_name="Google Chrome Windows", device_id=web)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "media_pause", entity_id)
    assert err.value.translation_key == "client_not_connected"
    assert str(err.value) == "Google Chrome Windows (Emby Web) is not connected to the Emby server"
    # ...which polls the sessions, so the next command reaches the new session.
    await call(hass, "media_stop", entity_id)
    assert last_request(simulator).path == f"/Sessions/{session_id_of(simulator, web)}/Playing/Stop"

    simulator.set_fault(Fault(force_status=401, paths=("/Sessions/{id}/Command",)))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "volume_up", entity_id)
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
