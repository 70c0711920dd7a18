"""Clients and remote control: commands answer 204 and change what /Sessions shows."""

from typing import Any

import aiohttp
import pytest

from emby_simulator import EmbySimulator, SimulatorConfig

from .conftest import API_KEY, AUTH, HEADERS, get_json


def by_client(sim: EmbySimulator, client: str) -> Any:
    return next(s for s in sim.sessions if s.client == client)


async def session_json(http: aiohttp.ClientSession, sim: EmbySimulator, device_id: str) -> Any:
    sessions = await get_json(http, sim, "/Sessions", DeviceId=device_id)
    assert len(sessions) == 1
    return sessions[0]


async def post(http: aiohttp.ClientSession, sim: EmbySimulator, path: str, **kwargs: Any) -> int:
    async with http.post(sim.url + path, headers=HEADERS, **kwargs) as response:
        return response.status


async def test_client_mix(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """The default six clients: Emby Web, Roku, Android, a TV app, a music-only speaker and a
    client that cannot be remote controlled; two play; idle ones have no NowPlayingItem."""
    sessions = await get_json(http, sim, "/Sessions")
    clients = {s["Client"]: s for s in sessions}
    assert set(clients) == {
        "Emby Web",
        "Roku SG",
        "Emby for Android",
        "Emby for Samsung",
        "Emby for Sonos",
        "Infuse",
    }
    assert clients["Infuse"]["SupportsRemoteControl"] is False
    assert clients["Infuse"]["SupportedCommands"] == []
    assert clients["Emby for Sonos"]["PlayableMediaTypes"] == ["Audio"]
    assert len(clients["Emby Web"]["SupportedCommands"]) == 35
    assert sum("NowPlayingItem" in s for s in sessions) == 2
    idle = next(s for s in sessions if "NowPlayingItem" not in s)
    assert "PositionTicks" not in idle["PlayState"] and "VolumeLevel" not in idle["PlayState"]
    roku = clients["Roku SG"]
    assert "VolumeLevel" not in roku["PlayState"]  # Roku reports none
    assert all(len(s["Id"]) == 32 and s["ServerId"] == sim.server_id for s in sessions)
    controllable = await get_json(http, sim, "/Sessions", ControllableByUserId=sim.users[0]["Id"])
    assert "Infuse" not in {s["Client"] for s in controllable}
    # Device ids are stable for a configuration.
    async with EmbySimulator(SimulatorConfig(api_key=API_KEY)) as twin:
        assert [s.device_id for s in twin.sessions] == [s.device_id for s in sim.sessions]


async def test_own_session_from_authorization(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """A caller identified by Client and DeviceId appears in /Sessions (as on Emby); capabilities
    it reports show there."""
    headers = {"X-Emby-Authorization": AUTH + f', Token="{API_KEY}"'}
    async with http.get(sim.url + "/Sessions", headers=headers) as response:
        sessions = await response.json()
    own = next(s for s in sessions if s["DeviceId"] == "tests-device-0001")
    assert own["Client"] == "Simulator Tests" and own["DeviceName"] == "pytest"
    assert own["SupportsRemoteControl"] is False and "UserId" not in own
    async with http.post(
        sim.url + "/Sessions/Capabilities/Full",
        headers=headers,
        json={
            "PlayableMediaTypes": ["Audio"],
            "SupportedCommands": ["Mute"],
            "SupportsMediaControl": True,
        },
    ) as response:
        assert response.status == 204
    own = await session_json(http, sim, "tests-device-0001")
    assert own["PlayableMediaTypes"] == ["Audio"] and own["SupportsRemoteControl"] is True
    # Without any identity there is no session to report capabilities for.
    assert await post(http, sim, "/Sessions/Capabilities/Full", json={}) == 400


async def test_playback_commands(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """PlayNow, Pause/Unpause/PlayPause, Seek (query and body), Stop on Emby Web."""
    web = by_client(sim, "Emby Web")
    movie = sim.library.of_type("Movie")[7]
    start = 30 * 10_000_000
    path = f"/Sessions/{web.id}/Playing"
    assert (
        await post(
            http,
            sim,
            path,
            params={
                "ItemIds": movie.id,
                "PlayCommand": "PlayNow",
                "StartPositionTicks": str(start),
            },
        )
        == 204
    )
    state = await session_json(http, sim, web.device_id)
    assert state["NowPlayingItem"]["Id"] == movie.id
    assert state["PlayState"]["PositionTicks"] == start and state["PlayState"]["IsPaused"] is False
    assert await post(http, sim, path + "/Pause") == 204
    assert (await session_json(http, sim, web.device_id))["PlayState"]["IsPaused"] is True
    sim.advance(20)
    assert (await session_json(http, sim, web.device_id))["PlayState"]["PositionTicks"] == start
    assert await post(http, sim, path + "/Unpause") == 204
    sim.advance(20)
    assert (await session_json(http, sim, web.device_id))["PlayState"][
        "PositionTicks"
    ] == start + 200_000_000
    assert await post(http, sim, path + "/PlayPause") == 204
    assert (await session_json(http, sim, web.device_id))["PlayState"]["IsPaused"] is True
    assert await post(http, sim, path + "/Seek", params={"SeekPositionTicks": "1234500000"}) == 204
    assert (await session_json(http, sim, web.device_id))["PlayState"][
        "PositionTicks"
    ] == 1234500000
    assert (
        await post(
            http, sim, path + "/Seek", json={"Command": "Seek", "SeekPositionTicks": 2_000_000_000}
        )
        == 204
    )
    assert (await session_json(http, sim, web.device_id))["PlayState"][
        "PositionTicks"
    ] == 2_000_000_000
    assert await post(http, sim, path + "/Stop") == 204
    state = await session_json(http, sim, web.device_id)
    assert "NowPlayingItem" not in state
    assert await post(http, sim, path + "/Explode") == 400
    assert await post(http, sim, "/Sessions/nope/Playing/Stop") == 404
    assert await post(http, sim, path, params={"ItemIds": movie.id, "PlayCommand": "Dance"}) == 400
    assert sim.count("/Sessions/{id}/Playing/{command}") == 8


async def test_queue_commands(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """PlayNow of an album queues its tracks; PlayNext/PlayLast fill the queue; Next/Previous
    move through it; /Sessions/PlayQueue lists it."""
    android = by_client(sim, "Emby for Android")
    album = sim.library.of_type("MusicAlbum")[0]
    tracks = [t.id for t in sim.library.children_of(album)]
    extra = sim.library.of_type("Audio")[-1].id
    path = f"/Sessions/{android.id}/Playing"
    await post(http, sim, path, params={"ItemIds": album.id, "PlayCommand": "PlayNow"})
    state = await session_json(http, sim, android.device_id)
    assert state["NowPlayingItem"]["Id"] == tracks[0]
    assert state["PlaylistLength"] == len(tracks) and state["PlaylistIndex"] == 0
    await post(http, sim, path, params={"ItemIds": extra, "PlayCommand": "PlayNext"})
    await post(http, sim, path, params={"ItemIds": tracks[0], "PlayCommand": "PlayLast"})
    queue = await get_json(http, sim, "/Sessions/PlayQueue", DeviceId=android.device_id)
    assert [i["Id"] for i in queue["Items"]] == [tracks[0], extra, *tracks[1:], tracks[0]]
    await post(http, sim, path + "/NextTrack")
    assert (await session_json(http, sim, android.device_id))["NowPlayingItem"]["Id"] == extra
    await post(http, sim, path + "/PreviousTrack")
    assert (await session_json(http, sim, android.device_id))["NowPlayingItem"]["Id"] == tracks[0]
    # The end of an item moves on to the next one.
    first = sim.library.get(tracks[0])
    assert first is not None and first.runtime_ticks is not None
    sim.advance(first.runtime_ticks / 10_000_000 + 1)
    assert (await session_json(http, sim, android.device_id))["NowPlayingItem"]["Id"] == extra


async def test_general_commands(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Volume, mute, repeat, shuffle, streams (JSON body and /Command/{Name} forms) and
    messages; navigation is accepted and recorded."""
    web = by_client(sim, "Emby Web")
    sim.start_playback(web.device_id, sim.library.of_type("Movie")[0].id)
    command = f"/Sessions/{web.id}/Command"
    assert (
        await post(http, sim, command, json={"Name": "SetVolume", "Arguments": {"Volume": "35"}})
        == 204
    )
    state = (await session_json(http, sim, web.device_id))["PlayState"]
    assert state["VolumeLevel"] == 35 and state["IsMuted"] is False
    await post(http, sim, command + "/Mute")
    assert (await session_json(http, sim, web.device_id))["PlayState"]["IsMuted"] is True
    await post(http, sim, command + "/ToggleMute")
    assert (await session_json(http, sim, web.device_id))["PlayState"]["IsMuted"] is False
    await post(http, sim, command + "/SetVolume", json={"Arguments": {"Volume": 60}})
    assert (await session_json(http, sim, web.device_id))["PlayState"]["VolumeLevel"] == 60
    await post(http, sim, command + "/VolumeDown")
    assert (await session_json(http, sim, web.device_id))["PlayState"]["VolumeLevel"] == 58
    await post(
        http, sim, command, json={"Name": "SetRepeatMode", "Arguments": {"RepeatMode": "RepeatAll"}}
    )
    assert (await session_json(http, sim, web.device_id))["PlayState"]["RepeatMode"] == "RepeatAll"
    await post(
        http, sim, command, json={"Name": "SetSubtitleStreamIndex", "Arguments": {"Index": "2"}}
    )
    assert (await session_json(http, sim, web.device_id))["PlayState"]["SubtitleStreamIndex"] == 2
    for name in ("MoveUp", "Select", "Back", "GoHome", "GoToSettings", "ToggleContextMenu"):
        assert await post(http, sim, command + "/" + name) == 204
    await post(http, sim, command, json={"Name": "SendString", "Arguments": {"String": "abc"}})
    assert web.navigation[-7:] == [
        "MoveUp",
        "Select",
        "Back",
        "GoHome",
        "GoToSettings",
        "ToggleContextMenu",
        "SendString:abc",
    ]
    await post(
        http,
        sim,
        f"/Sessions/{web.id}/Message",
        params={"Text": "Hello", "Header": "World", "TimeoutMs": "3000"},
    )
    await post(
        http,
        sim,
        command,
        json={"Name": "DisplayMessage", "Arguments": {"Header": "H", "Text": "T"}},
    )
    assert [(m["Header"], m["Text"]) for m in web.messages] == [("World", "Hello"), ("H", "T")]
    assert await post(http, sim, command, json={"Arguments": {}}) == 400


async def test_clients_ignore_what_they_cannot_do(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """Infuse is not remote controllable; the speaker has no navigation; Roku ignores Pause,
    Unpause and NextTrack and leaves playback on Rewind (EMBY.md 3.2). All still answer 204."""
    infuse = by_client(sim, "Infuse")
    movie = sim.library.of_type("Movie")[0].id
    assert (
        await post(
            http,
            sim,
            f"/Sessions/{infuse.id}/Playing",
            params={"ItemIds": movie, "PlayCommand": "PlayNow"},
        )
        == 204
    )
    assert "NowPlayingItem" not in await session_json(http, sim, infuse.device_id)
    speaker = by_client(sim, "Emby for Sonos")
    assert await post(http, sim, f"/Sessions/{speaker.id}/Command/MoveUp") == 204
    assert speaker.navigation == []
    roku = by_client(sim, "Roku SG")
    sim.start_playback(roku.device_id, movie, position_s=100)
    for command in ("Pause", "NextTrack"):
        assert await post(http, sim, f"/Sessions/{roku.id}/Playing/{command}") == 204
        state = await session_json(http, sim, roku.device_id)
        assert state["PlayState"]["IsPaused"] is False and state["NowPlayingItem"]["Id"] == movie
    assert await post(http, sim, f"/Sessions/{roku.id}/Playing/PlayPause") == 204
    assert (await session_json(http, sim, roku.device_id))["PlayState"]["IsPaused"] is True
    assert await post(http, sim, f"/Sessions/{roku.id}/Playing/Rewind") == 204
    assert "NowPlayingItem" not in await session_json(http, sim, roku.device_id)


@pytest.mark.parametrize("config", [SimulatorConfig(api_key=API_KEY, clients=6, playing=2)])
async def test_script_is_deterministic_and_keeps_playing(sim: EmbySimulator) -> None:
    """Clients act on their own; about `playing` keep playing; the same seed gives the same
    history however time is cut into steps."""
    playing = []
    for _ in range(120):
        sim.advance(30)
        playing.append(sum(s.is_playing for s in sim.sessions))
    assert min(playing) >= 1 and max(playing) <= 3
    assert sum(p == 2 for p in playing) > 100
    async with EmbySimulator(SimulatorConfig(api_key=API_KEY, clients=6, playing=2)) as twin:
        for _ in range(600):
            twin.advance(6)
        snapshot = [
            (s.device_id, s.now_playing, s.position_ticks // 10_000_000, s.is_paused)
            for s in sim.sessions
        ]
        twin_snapshot = [
            (s.device_id, s.now_playing, s.position_ticks // 10_000_000, s.is_paused)
            for s in twin.sessions
        ]
        assert snapshot == twin_snapshot
    # Playing clients left progress and plays behind in the users' data.
    assert any(
        d.played and d.last_played for data in sim.library.user_data.values() for d in data.values()
    )


@pytest.mark.parametrize("config", [SimulatorConfig(api_key=API_KEY, script=False)])
async def test_without_script_clients_only_follow_commands(sim: EmbySimulator) -> None:
    """script=False: nobody starts, pauses or stops on their own (items still end)."""
    before = [(s.device_id, s.now_playing, s.is_paused) for s in sim.sessions]
    sim.advance(60)
    assert [(s.device_id, s.now_playing, s.is_paused) for s in sim.sessions] == before
