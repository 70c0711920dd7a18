"""The `/embywebsocket` endpoint: handshake, keep-alive, subscriptions, what reaches an API-key
socket (EMBY.md 4.6), restarts and WebSocket faults."""

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

from .conftest import API_KEY, AUTH

DEVICE = "ws-test-device"
QUIET = 0.3
"""Seconds of silence that end a drain (frames were flushed before, so they are on the wire)."""


def ws_url(sim: EmbySimulator, key: str = API_KEY, device: str = DEVICE) -> str:
    return f"{sim.url}/embywebsocket?api_key={key}&deviceId={device}"


async def connect(
    http: aiohttp.ClientSession, sim: EmbySimulator, device: str = DEVICE, **kwargs: Any
) -> aiohttp.ClientWebSocketResponse:
    """A socket, past its ForceKeepAlive greeting."""
    ws = await http.ws_connect(ws_url(sim, device=device), **kwargs)
    hello = await ws.receive_json(timeout=5)
    assert hello["MessageType"] == "ForceKeepAlive" and hello["Data"] == 60
    return ws


async def drain(ws: aiohttp.ClientWebSocketResponse) -> list[Any]:
    """Every frame until QUIET seconds pass without one (JSON decoded when possible)."""
    out: list[Any] = []
    while True:
        try:
            msg = await ws.receive(timeout=QUIET)
        except TimeoutError:
            return out
        if msg.type == aiohttp.WSMsgType.TEXT:
            try:
                out.append(json.loads(msg.data))
            except ValueError:
                out.append(msg.data)
        elif msg.type == aiohttp.WSMsgType.BINARY:
            out.append(msg.data)
        else:
            out.append(msg.type)
            return out


def types(frames: list[Any]) -> list[str]:
    return [f["MessageType"] for f in frames if isinstance(f, dict) and "MessageType" in f]


async def post_capabilities(
    http: aiohttp.ClientSession, sim: EmbySimulator, device: str = DEVICE
) -> None:
    auth = AUTH.replace("tests-device-0001", device) + f', Token="{API_KEY}"'
    async with http.post(
        sim.url + "/Sessions/Capabilities/Full",
        headers={"X-Emby-Authorization": auth},
        json={"PlayableMediaTypes": [], "SupportedCommands": [], "SupportsMediaControl": False},
    ) as response:
        assert response.status == 204


async def test_handshake_and_keepalive(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Wrong key: 401 before the upgrade. Right key: ForceKeepAlive, KeepAlive answered, pings
    ponged, every frame has a MessageId; the upgrade is counted as GET /embywebsocket."""
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await http.ws_connect(ws_url(sim, key="wrong"))
    assert err.value.status == 401
    ws = await connect(http, sim, autoping=False)
    await ws.send_json({"MessageType": "KeepAlive"})
    reply = await ws.receive_json(timeout=5)
    assert reply["MessageType"] == "KeepAlive" and "Data" not in reply
    assert len(reply["MessageId"]) == 32
    await ws.ping(b"hi")
    pong = await ws.receive(timeout=5)
    assert pong.type == aiohttp.WSMsgType.PONG and pong.data == b"hi"
    await ws.send_str("not json at all")  # ignored, as Emby does
    await ws.send_json({"MessageType": "Identity", "Data": "x|y|z|w"})
    assert await drain(ws) == []
    await ws.close()
    prefixed = await http.ws_connect(f"{sim.url}/emby/embywebsocket?api_key={API_KEY}")
    assert (await prefixed.receive_json(timeout=5))["MessageType"] == "ForceKeepAlive"
    await prefixed.close()
    assert sim.count("/embywebsocket") == 3
    assert sim.request_counts()["GET /embywebsocket"] == 3


async def test_sessions_subscription(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """SessionsStart: one push at once, then pushes as time advances (at most one Sessions per
    socket per advance); SessionsStop ends them."""
    ws = await connect(http, sim)
    assert await drain(ws) == []  # no subscription, nothing pushed
    await ws.send_json({"MessageType": "SessionsStart", "Data": "0,1500"})
    first = await ws.receive_json(timeout=5)
    assert first["MessageType"] == "Sessions"
    devices = {s["DeviceId"] for s in first["Data"]}
    assert {s.device_id for s in sim.sessions} == devices
    playing = [s for s in first["Data"] if "NowPlayingItem" in s]
    assert len(playing) == 2
    for _ in range(3):
        sim.advance(30)
        await sim.flush()
        frames = await drain(ws)
        assert types(frames).count("Sessions") == 1
    sim.advance(3600)
    await sim.flush()
    frames = await drain(ws)
    assert types(frames).count("Sessions") == 1
    assert {"PlaybackStart", "PlaybackStopped"} & set(types(frames))
    await ws.send_json({"MessageType": "SessionsStop", "Data": ""})
    await asyncio.sleep(0)
    await drain(ws)
    sim.advance(60)
    await sim.flush()
    assert "Sessions" not in types(await drain(ws))
    await ws.close()


async def test_positions_advance(sim: EmbySimulator) -> None:
    """Ticks are integers; unpaused positions move by 10,000,000 per simulated second."""
    session = next(s for s in sim.sessions if s.is_playing)
    sim.unpause(session.device_id)
    before = session.position_ticks
    sim.advance(7)
    assert session.position_ticks == before + 70_000_000
    sim.pause(session.device_id)
    sim.advance(7)
    assert session.position_ticks == before + 70_000_000


async def test_client_events(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Clients appearing, playing and leaving: PlaybackStart/Stopped, SessionEnded, Sessions."""
    ws = await connect(http, sim)
    await ws.send_json({"MessageType": "SessionsStart", "Data": "0,1500"})
    await ws.send_json({"MessageType": "ActivityLogEntryStart", "Data": "0,1000"})
    await drain(ws)
    added = sim.add_client(client="Emby Web", device_name="Firefox", device_id="new-browser")
    await sim.flush()
    frames = await drain(ws)
    assert any(
        f["MessageType"] == "Sessions" and "new-browser" in {s["DeviceId"] for s in f["Data"]}
        for f in frames
    )
    movie = sim.library.of_type("Movie")[3]
    sim.start_playback("new-browser", movie.id, position_s=60)
    await sim.flush()
    frames = await drain(ws)
    start = next(f for f in frames if f["MessageType"] == "PlaybackStart")
    assert start["Data"]["DeviceId"] == "new-browser"
    assert start["Data"]["NowPlayingItem"]["Id"] == movie.id
    assert start["Data"]["PlayState"]["PositionTicks"] == 600_000_000
    activity = next(f for f in frames if f["MessageType"] == "ActivityLogEntry")
    assert activity["Data"][0]["Type"] == "playback.start"
    assert activity["Data"][0]["ItemId"] == movie.id
    sim.stop_playback("new-browser")
    sim.remove_client("new-browser")
    await sim.flush()
    frames = await drain(ws)
    assert types(frames)[0] == "PlaybackStopped"
    # The snapshot after the stop shows the client stopped (or gone), never still playing.
    after = [f for f in frames[1:] if f["MessageType"] == "Sessions"]
    assert after
    for frame in after:
        for session in frame["Data"]:
            assert session["DeviceId"] != "new-browser" or "NowPlayingItem" not in session
    stopped = frames[0]["Data"]
    assert stopped["NowPlayingItem"]["Id"] == movie.id  # what stopped
    ended = next(f for f in frames if f["MessageType"] == "SessionEnded")
    assert ended["Data"]["Id"] == added.id
    assert "new-browser" not in {s.device_id for s in sim.sessions}
    await ws.close()


async def test_library_changed_needs_capabilities(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """EMBY.md 4.6 as modelled: an API-key socket gets LibraryChanged and UserDataChanged only
    after POST /Sessions/Capabilities/Full for its DeviceId, and again only after re-posting
    once it reconnected."""
    ws = await connect(http, sim)
    sim.trigger_library_change(items_added=1)
    uid = sim.users[0]["Id"]
    movie = sim.library.of_type("Movie")[0].id
    sim.trigger_user_data_change(uid, [movie])
    await sim.flush()
    assert await drain(ws) == []

    await post_capabilities(http, sim)
    data = sim.trigger_library_change(items_added=1, items_updated=[movie])
    sim.trigger_user_data_change(uid, [movie], played=True, favorite=True)
    await sim.flush()
    frames = await drain(ws)
    assert types(frames) == ["LibraryChanged", "UserDataChanged"]
    library = frames[0]["Data"]
    assert library == data
    assert set(library) == {
        "FoldersAddedTo",
        "FoldersRemovedFrom",
        "ItemsAdded",
        "ItemsRemoved",
        "ItemsUpdated",
        "CollectionFolders",
        "IsEmpty",
    }
    assert library["ItemsUpdated"] == [movie] and len(library["ItemsAdded"]) == 1
    assert library["IsEmpty"] is False
    user_data = frames[1]["Data"]
    assert user_data["UserId"] == uid
    entry = user_data["UserDataList"][0]
    assert list(entry) == [
        "PlaybackPositionTicks",
        "PlayCount",
        "IsFavorite",
        "LastPlayedDate",
        "Played",
        "ItemId",
    ]
    assert entry["ItemId"] == movie and entry["Played"] is True and entry["IsFavorite"] is True

    # REST changes reach it too (mark played -> UserDataChanged right after the request).
    other = sim.library.of_type("Movie")[2].id
    async with http.post(
        sim.url + f"/Users/{uid}/PlayedItems/{other}", headers={"X-Emby-Token": API_KEY}
    ) as response:
        assert response.status == 200
    await sim.flush()
    frames = await drain(ws)
    assert types(frames) == ["UserDataChanged"]
    assert frames[0]["Data"]["UserDataList"][0]["ItemId"] == other

    # Reconnected: a new session, capabilities must be posted again.
    await ws.close()
    ws = await connect(http, sim)
    sim.trigger_library_change(items_updated=[movie])
    await sim.flush()
    assert await drain(ws) == []
    await post_capabilities(http, sim)
    sim.trigger_library_change(items_updated=[movie])
    await sim.flush()
    assert types(await drain(ws)) == ["LibraryChanged"]
    await ws.close()


@pytest.mark.parametrize(
    ("config", "delivered"),
    [
        (SimulatorConfig(api_key=API_KEY, api_key_user_events="never"), False),
        (SimulatorConfig(api_key=API_KEY, api_key_user_events="always"), True),
    ],
    ids=["never", "always"],
)
async def test_user_event_modes(
    sim: EmbySimulator, http: aiohttp.ClientSession, delivered: bool
) -> None:
    """The other readings of EMBY.md 4.6: the open-source rule (never) and no gate (always)."""
    ws = await connect(http, sim)
    await post_capabilities(http, sim)
    sim.trigger_library_change(items_added=1)
    await sim.flush()
    assert ("LibraryChanged" in types(await drain(ws))) is delivered
    await ws.close()


async def test_user_token_socket(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """A user's access token: LibraryChanged always, UserDataChanged of that user only."""
    async with http.post(
        sim.url + "/Users/AuthenticateByName",
        headers={"X-Emby-Authorization": AUTH},
        json={"Username": "Alice", "Pw": "alice"},
    ) as response:
        login = await response.json()
    async with http.post(
        sim.url + "/Users/AuthenticateByName",
        headers={"X-Emby-Authorization": AUTH},
        json={"Username": "Alice", "Pw": "wrong"},
    ) as response:
        assert response.status == 401
    token, uid = login["AccessToken"], login["User"]["Id"]
    ws = await http.ws_connect(f"{sim.url}/embywebsocket?api_key={token}&deviceId=user-dev")
    await ws.receive_json(timeout=5)
    movie = sim.library.of_type("Movie")[0].id
    sim.trigger_library_change(items_updated=[movie])
    sim.trigger_user_data_change(sim.users[1]["Id"], [movie])
    sim.trigger_user_data_change(uid, [movie])
    await sim.flush()
    frames = await drain(ws)
    assert types(frames) == ["LibraryChanged", "UserDataChanged"]
    assert frames[1]["Data"]["UserId"] == uid
    async with http.get(sim.url + "/System/Info", headers={"X-Emby-Token": token}) as response:
        assert response.status == 200
    await ws.close()


async def test_restart(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """ServerRestarting then close; connections refused while down; back on the same port with
    the same DeviceIds and new session Ids; state kept."""
    port = sim.port
    before = {s.device_id: s.id for s in sim.sessions if s.simulated}
    uid = sim.users[0]["Id"]
    movie = sim.library.of_type("Movie")[0].id
    sim.trigger_user_data_change(uid, [movie], favorite=True)
    ws = await connect(http, sim)
    restart = asyncio.create_task(sim.restart(down_for=1.0))
    message = await ws.receive_json(timeout=5)
    assert message["MessageType"] == "ServerRestarting"
    closing = await ws.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    for _ in range(200):
        if not sim.is_listening:
            break
        await asyncio.sleep(0.02)
    assert not sim.is_listening
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as fresh:
            await fresh.get(sim.url + "/System/Info/Public")
    await restart
    assert sim.is_listening
    assert sim.port == port
    async with aiohttp.ClientSession() as fresh:
        async with fresh.get(sim.url + "/System/Info/Public") as response:
            assert response.status == 200
        after = {s.device_id: s.id for s in sim.sessions if s.simulated}
        assert set(after) == set(before)
        assert all(after[d] != before[d] for d in before)
        assert sim.library.user_data_of(uid, movie).is_favorite
        ws = await connect(fresh, sim)
        await ws.close()


async def test_ws_drop(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """ws_drop closes open sockets and refuses upgrades (503) until cleared."""
    ws = await connect(http, sim)
    sim.set_fault(Fault(ws_drop=True))
    msg = await ws.receive(timeout=5)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await http.ws_connect(ws_url(sim))
    assert err.value.status == 503
    async with http.get(sim.url + "/System/Info", headers={"X-Emby-Token": API_KEY}) as r:
        assert r.status == 200  # REST unaffected
    sim.set_fault(None)
    ws = await connect(http, sim)
    await ws.close()


async def test_ws_stall(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """ws_stall: the socket stays open but nothing is sent or answered, not even pongs."""
    ws = await connect(http, sim, autoping=False)
    await ws.send_json({"MessageType": "SessionsStart", "Data": "0,1500"})
    assert types(await drain(ws)) == ["Sessions"]
    sim.set_fault(Fault(ws_stall=True))
    await ws.ping(b"are you there")
    await ws.send_json({"MessageType": "KeepAlive"})
    sim.advance(60)
    sim.send_ws("RestartRequired")
    await sim.flush()
    assert await drain(ws) == []
    assert not ws.closed
    sim.set_fault(None)
    await ws.ping(b"back")
    assert (await ws.receive(timeout=5)).type == aiohttp.WSMsgType.PONG
    await ws.close()


async def test_ws_malformed(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """ws_malformed: odd frames (non-JSON, binary, Data of the wrong type or missing, unknown
    MessageType) arrive between valid ones, which keep flowing."""
    ws = await connect(http, sim)
    await ws.send_json({"MessageType": "SessionsStart", "Data": "0,1500"})
    await drain(ws)
    sim.set_fault(Fault(ws_malformed=True))
    for _ in range(8):
        sim.advance(30)
        await sim.flush()
    frames = await drain(ws)
    assert "Sessions" in types(frames)
    assert any(isinstance(f, str) for f in frames)  # not JSON
    assert any(isinstance(f, bytes) for f in frames)  # binary
    dicts = [f for f in frames if isinstance(f, dict)]
    assert any(
        f.get("MessageType") == "Sessions" and not isinstance(f.get("Data"), list) for f in dicts
    )
    assert any("MessageType" not in f for f in dicts)
    assert any(f.get("MessageType") == "NoSuchMessageType" for f in dicts)
    await ws.close()


async def test_raw_frames_and_flood(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """send_ws sends any frame (Data left out unless given); flood_sessions sends n at once."""
    ws = await connect(http, sim)
    sim.send_ws("Ping")
    sim.send_ws("RefreshProgress", {"ItemId": "4", "Progress": "96.9"})
    sim.flood_sessions(25)
    await sim.flush()
    frames = await drain(ws)
    assert frames[0] == {"MessageType": "Ping", "MessageId": frames[0]["MessageId"]}
    assert frames[1]["Data"] == {"ItemId": "4", "Progress": "96.9"}
    assert types(frames)[2:] == ["Sessions"] * 25
    await ws.close()


async def test_scheduled_tasks(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """POST /ScheduledTasks/Running/{Id} starts a task; it ends on advance with
    ScheduledTaskEnded (to every socket) and shows in ScheduledTasksInfo pushes."""
    ws = await connect(http, sim)
    await ws.send_json({"MessageType": "ScheduledTasksInfoStart", "Data": "0,1500"})
    first = await ws.receive_json(timeout=5)
    assert first["MessageType"] == "ScheduledTasksInfo"
    task = sim.library.tasks[0]
    async with http.post(
        sim.url + f"/ScheduledTasks/Running/{task.id}", headers={"X-Emby-Token": API_KEY}
    ) as response:
        assert response.status == 204
    await sim.flush()
    running = await ws.receive_json(timeout=5)
    assert next(t for t in running["Data"] if t["Id"] == task.id)["State"] == "Running"
    sim.advance(task.duration + 1)
    await sim.flush()
    frames = await drain(ws)
    ended = next(f for f in frames if f["MessageType"] == "ScheduledTaskEnded")
    assert ended["Data"]["Id"] == task.id and ended["Data"]["Status"] == "Completed"
    async with http.get(sim.url + "/ScheduledTasks", headers={"X-Emby-Token": API_KEY}) as r:
        listed = next(t for t in await r.json() if t["Id"] == task.id)
    assert listed["State"] == "Idle"
    assert listed["LastExecutionResult"]["Status"] == "Completed"
    await ws.close()


async def test_api_library_changes_are_debounced(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """Changes made through the API (playlists, collections, refreshes) go out as one
    LibraryChanged after Emby's 5 s batching; removals carry the folders they left."""
    ws = await connect(http, sim)
    await post_capabilities(http, sim)
    headers = {"X-Emby-Token": API_KEY}
    track = sim.library.of_type("Audio")[0].id
    movie = sim.library.of_type("Movie")[0].id
    async with http.post(
        sim.url + "/Playlists", headers=headers, params={"Name": "Road", "Ids": track}
    ) as response:
        playlist = (await response.json())["Id"]
    async with http.post(sim.url + f"/Items/{movie}/Refresh", headers=headers) as response:
        assert response.status == 204
    await sim.flush()
    assert await drain(ws) == []
    sim.advance(4)
    await sim.flush()
    assert await drain(ws) == []
    sim.advance(1)
    await sim.flush()
    frames = [f for f in await drain(ws) if f["MessageType"] == "LibraryChanged"]
    assert len(frames) == 1
    assert frames[0]["Data"]["ItemsAdded"] == [playlist]
    assert frames[0]["Data"]["ItemsUpdated"] == [movie]
    series = sim.library.of_type("Series")[0]
    data = sim.trigger_library_change(items_removed=[series.id])
    assert series.id in data["ItemsRemoved"] and len(data["ItemsRemoved"]) > 1
    assert data["FoldersRemovedFrom"] and sim.library.get(series.id) is None
    await ws.close()


@pytest.mark.parametrize("config", [SimulatorConfig(api_key=API_KEY, restart_down_for=0.2)])
async def test_system_restart_endpoint(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """POST /System/Restart answers 204, then the server really restarts."""
    ws = await connect(http, sim)
    async with http.post(sim.url + "/System/Restart", headers={"X-Emby-Token": API_KEY}) as r:
        assert r.status == 204
    assert (await ws.receive_json(timeout=5))["MessageType"] == "ServerRestarting"
    closing = await ws.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    for _ in range(200):
        if sim.restarts:
            break
        await asyncio.sleep(0.05)
    assert sim.restarts == 1
    ws = await connect(http, sim)
    await ws.close()
