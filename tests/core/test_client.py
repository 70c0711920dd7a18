"""The core's REST client through the binding, against the Emby simulator.

What Python calls and what it gets back: every value checked against the TypedDict the contract
(`_core.pyi`) declares for it, each error kind as its own exception without the API key,
cancellation from asyncio, coalescing and caching counted by the server, invalidation, and the
stub and the compiled module agreeing method by method.
"""

import ast
import asyncio
import inspect
import json
import os
import socket
import sys
import types
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import embymedia_core
import pytest
from embymedia_core import (
    EmbyAuthError,
    EmbyClient,
    EmbyClosedError,
    EmbyConnectionError,
    EmbyError,
    EmbyHtmlError,
    EmbyInvalidJsonError,
    EmbyNotFoundError,
    EmbyResponseError,
    EmbyServerError,
    EmbyTimeoutError,
)

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

#: Distinctive, so that a leak into a message, a metrics key or a URL is easy to spot.
API_KEY = "K3Y-s3cr3t-rest-0123456789"
DEVICE_ID = "core-rest-tests"
STUB = Path(embymedia_core.__file__).with_name("_core.pyi")


def _load_stub() -> types.ModuleType:
    """The contract as a module, so typing.get_type_hints can read its TypedDicts."""
    module = types.ModuleType("embymedia_core_contract")
    sys.modules[module.__name__] = module
    exec(compile(STUB.read_text(), str(STUB), "exec"), module.__dict__)
    return module


CONTRACT = _load_stub()


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[EmbySimulator]:
    """A small simulated server with every kind of content (live TV included)."""
    async with EmbySimulator(SimulatorConfig(api_key=API_KEY, clients=4, playing=1)) as server:
        yield server


@pytest.fixture
async def client(sim: EmbySimulator) -> AsyncIterator[EmbyClient]:
    """A core client for the simulator (default timeout 5 s); closed after the test."""
    core = EmbyClient("127.0.0.1", sim.port, API_KEY, device_id=DEVICE_ID, timeout=5.0)
    yield core
    await asyncio.wait_for(core.close(), 10)


def user_id(sim: EmbySimulator) -> str:
    """The first (administrator) user."""
    return str(sim.users[0]["Id"])


async def awaited[T](call: Awaitable[T]) -> T:
    """A coroutine around a core call (the core returns futures; tasks take coroutines)."""
    return await call


async def eventually(condition: Callable[[], bool], what: str, within: float = 10.0) -> None:
    """Wait (bounded) for server state."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 (the simulator's counters have no event)
            await asyncio.sleep(0.01)
    assert condition(), what


# ------------------------------------------------------------------------------------------------
# Shapes against the contract
# ------------------------------------------------------------------------------------------------


def check(value: Any, hint: Any, where: str) -> None:
    """`value` has the shape `hint` (a contract annotation) promises, recursively."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return
    if hint is None or hint is type(None):
        assert value is None, f"{where}: {value!r} is not None"
    elif typing.is_typeddict(hint):
        assert isinstance(value, dict), f"{where}: {type(value).__name__} is not a dict"
        hints = typing.get_type_hints(hint)
        optional = hint.__optional_keys__
        missing = {k for k in hints if k not in optional} - value.keys()
        extra = value.keys() - hints.keys()
        assert not missing, f"{where}: keys missing {sorted(missing)}"
        assert not extra, f"{where}: keys not in {hint.__name__}: {sorted(extra)}"
        for key, item in value.items():
            check(item, hints[key], f"{where}.{key}")
    elif origin in (types.UnionType, typing.Union):
        errors = []
        for option in typing.get_args(hint):
            try:
                check(value, option, where)
            except AssertionError as err:
                errors.append(str(err))
            else:
                return
        pytest.fail(f"{where}: {value!r} matches none of {hint}: {errors}")
    elif origin is list:
        assert isinstance(value, list), f"{where}: {type(value).__name__} is not a list"
        (item_hint,) = typing.get_args(hint)
        for i, item in enumerate(value):
            check(item, item_hint, f"{where}[{i}]")
    elif origin is dict:
        assert isinstance(value, dict), f"{where}: {type(value).__name__} is not a dict"
        key_hint, item_hint = typing.get_args(hint)
        for key, item in value.items():
            check(key, key_hint, f"{where} key")
            check(item, item_hint, f"{where}[{key!r}]")
    elif origin is tuple:
        assert isinstance(value, tuple), f"{where}: {type(value).__name__} is not a tuple"
        for i, (item, item_hint) in enumerate(zip(value, typing.get_args(hint), strict=True)):
            check(item, item_hint, f"{where}[{i}]")
    elif origin is typing.Literal:
        assert value in typing.get_args(hint), f"{where}: {value!r} not in {hint}"
    elif hint is float:
        assert isinstance(value, int | float) and not isinstance(value, bool), where
    elif hint is int:
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r}"
    elif isinstance(hint, type) and hint.__module__ == CONTRACT.__name__:
        check_model(value, hint, where)
    else:
        assert isinstance(value, hint), f"{where}: {value!r} is not {hint}"


# Properties of the models computed from their fields (not fields themselves).
DERIVED_PROPERTIES: dict[str, tuple[str, ...]] = {"Session": ("is_playing",)}


def check_model(value: Any, hint: type, where: str) -> None:
    """`value` is the compiled class the contract declares (a frozen model such as `Session`):
    the stub's properties are exactly its fields, each of its declared type, and `to_dict()`
    has the declared TypedDict shape with the same values."""
    compiled = getattr(embymedia_core, hint.__name__)
    assert type(value) is compiled, f"{where}: {type(value).__name__} is not {hint.__name__}"
    props = {name: p for name, p in vars(hint).items() if isinstance(p, property)}
    for name in DERIVED_PROPERTIES.get(hint.__name__, ()):
        derived = props.pop(name)
        check(getattr(value, name), typing.get_type_hints(derived.fget)["return"], where)
    as_dict = value.to_dict()
    assert props.keys() == as_dict.keys(), f"{where}: stub and to_dict() keys differ"
    for name, prop in props.items():
        attr = getattr(value, name)
        check(attr, typing.get_type_hints(prop.fget)["return"], f"{where}.{name}")
        expected = attr.to_dict() if hasattr(attr, "to_dict") else attr
        assert as_dict[name] == expected, f"{where}.{name}: to_dict() disagrees"
    check(as_dict, typing.get_type_hints(hint.to_dict)["return"], f"{where}.to_dict()")


async def returns_contract_type(client: EmbyClient, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call `method` and check the result against its return annotation in the contract."""
    declared = getattr(CONTRACT.EmbyClient, method, None)
    if declared is None:  # typed by a protocol: its __call__
        declared = typing.get_type_hints(CONTRACT.EmbyClient)[method].__call__
    hint = typing.get_type_hints(declared)["return"]
    result = getattr(client, method)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    check(result, hint, method)
    return result


async def test_every_read_returns_its_contract_shape(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Every read method against real-shaped data; lists non-empty so items are checked too."""
    uid = user_id(sim)
    lib = sim.library
    movie = lib.of_type("Movie")[0].id
    series = lib.of_type("Series")[0].id
    song = lib.of_type("Audio")[0].id
    playlist = lib.of_type("Playlist")[0].id
    views = await returns_contract_type(client, "get_views", uid)
    movies_view = next(v["id"] for v in views if v["collection_type"] == "movies")
    assert await returns_contract_type(client, "get_public_info")
    assert (await returns_contract_type(client, "get_system_info"))["id"] == sim.server_id
    assert await returns_contract_type(client, "ping") is True
    assert await returns_contract_type(client, "get_users")
    assert await returns_contract_type(client, "get_sessions")
    page = await returns_contract_type(
        client, "get_items", uid, parent_id=movies_view, recursive=True, limit=5
    )
    assert page["items"] and page["total_record_count"] >= len(page["items"])
    await returns_contract_type(client, "get_item", uid, movie)
    assert (await returns_contract_type(client, "get_seasons", uid, series))["items"]
    assert (await returns_contract_type(client, "get_episodes", uid, series))["items"]
    await returns_contract_type(client, "get_similar", uid, movie, limit=3)
    await returns_contract_type(client, "get_instant_mix", uid, song, limit=3)
    assert await returns_contract_type(client, "get_virtual_folders")
    await returns_contract_type(client, "get_item_counts", uid)
    assert await returns_contract_type(client, "get_latest", uid, limit=3)
    await returns_contract_type(client, "get_resume", uid)
    await returns_contract_type(client, "get_next_up", uid)
    await returns_contract_type(client, "get_suggestions", uid)
    image = await returns_contract_type(client, "get_image", movie)
    assert image[1].startswith("image/")
    for method in ("get_genres", "get_studios", "get_persons", "get_years"):
        result = await returns_contract_type(client, method, uid, parent_id=movies_view)
        assert result["items"], method
    for method in ("get_music_genres", "get_artists"):
        assert (await returns_contract_type(client, method, uid))["items"], method
    assert (await returns_contract_type(client, "get_playlists", uid))["items"]
    entries = await returns_contract_type(client, "get_playlist_items", uid, playlist)
    assert all(e["playlist_item_id"] for e in entries["items"])
    assert (await returns_contract_type(client, "get_collections", uid))["items"]
    assert (await returns_contract_type(client, "get_live_tv_info"))["is_enabled"] is True
    assert (await returns_contract_type(client, "get_channels", uid))["items"]
    assert (await returns_contract_type(client, "get_recordings", user_id=uid))["items"]
    assert (await returns_contract_type(client, "get_timers"))["items"]
    assert (await returns_contract_type(client, "get_series_timers"))["items"]
    info = await returns_contract_type(client, "get_playback_info", movie, user_id=uid)
    assert info["media_sources"] and info["play_session_id"]
    assert await returns_contract_type(client, "get_scheduled_tasks")
    await returns_contract_type(client, "get_activity_log", limit=5)
    assert await returns_contract_type(client, "get_devices")
    assert await returns_contract_type(client, "get_plugins")
    check(client.metrics(), CONTRACT.MetricsSnapshot, "metrics")


async def test_changes_return_their_contract_shape_and_take_effect(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Playlists, collections, user data and timers change the server's state."""
    uid = user_id(sim)
    movies = [m.id for m in sim.library.of_type("Movie")[:3]]

    created = await returns_contract_type(client, "create_playlist", "Road trip", movies[:1])
    assert created is not None
    pid = created["id"]
    assert await returns_contract_type(client, "add_to_playlist", pid, movies[1:]) == 2
    entries = (await client.get_playlist_items(uid, pid))["items"]
    assert [e["id"] for e in entries] == movies
    await returns_contract_type(
        client, "remove_from_playlist", pid, [entries[0]["playlist_item_id"]]
    )
    assert [e["id"] for e in (await client.get_playlist_items(uid, pid))["items"]] == movies[1:]
    names = [p["name"] for p in (await client.get_playlists(uid))["items"]]
    assert "Road trip" in names, "the new playlist is listed at once (no stale cache)"

    box = await returns_contract_type(client, "create_collection", "Saga", movies[:2])
    assert box is not None
    await returns_contract_type(client, "add_to_collection", box["id"], movies[2:])
    await returns_contract_type(client, "remove_from_collection", box["id"], movies[:1])
    members = await client.get_items(uid, parent_id=box["id"])
    assert sorted(i["id"] for i in members["items"]) == sorted(movies[1:])

    before = await client.get_item(uid, movies[0])
    assert before["user_data"] is not None
    played = await returns_contract_type(client, "mark_played", uid, movies[0])
    assert played is not None and played["played"] is True
    after = await client.get_item(uid, movies[0])
    assert after["user_data"] is not None and after["user_data"]["played"] is True
    assert await returns_contract_type(client, "mark_unplayed", uid, movies[0])
    favorite = await returns_contract_type(client, "add_favorite", uid, movies[0])
    assert favorite is not None and favorite["is_favorite"] is True
    favorites = await client.get_items(uid, recursive=True, filters=["IsFavorite"])
    assert movies[0] in [i["id"] for i in favorites["items"]]
    assert await returns_contract_type(client, "remove_favorite", uid, movies[0])

    timers = len((await client.get_timers())["items"])
    program = sim.library.of_type("Program")[-1].id
    await returns_contract_type(client, "create_timer", program)
    new = [t for t in (await client.get_timers())["items"] if t["program_id"] == program]
    assert len(new) == 1 and len((await client.get_timers())["items"]) == timers + 1
    await returns_contract_type(client, "cancel_timer", new[0]["id"])
    assert len((await client.get_timers())["items"]) == timers
    await returns_contract_type(client, "create_series_timer", program)
    series = (await client.get_series_timers())["items"]
    mine = next(t for t in series if t["program_id"] == program)
    await returns_contract_type(client, "cancel_series_timer", mine["id"])

    await returns_contract_type(client, "refresh_item", sim.library.libraries[0].id)
    await returns_contract_type(client, "refresh_library")


async def test_stream_and_image_paths_are_relative_key_free_and_served(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """The paths carry no credentials; the server serves them to whoever adds the key."""
    movie = sim.library.of_type("Movie")[0].id
    song = sim.library.of_type("Audio")[0].id
    info = await client.get_playback_info(movie)
    source = info["media_sources"][0]["id"]
    paths = [
        client.stream_path(movie, "Video", media_source_id=source),
        client.stream_path(movie, "video", static=False, container="mp4", video_codec="h264"),
        client.stream_path(song, "Audio", container="mp3", start_time_ticks=10_000_000),
        client.image_path(movie, "primary", max_width=200, quality=80),
    ]
    assert paths[0] == f"/Videos/{movie}/stream?Static=true&MediaSourceId={source}" + (
        f"&DeviceId={DEVICE_ID}"
    )
    assert paths[3] == f"/Items/{movie}/Images/Primary?MaxWidth=200&Quality=80"
    for path in paths:
        assert path.startswith("/")
        assert API_KEY not in path and "api_key" not in path.lower()
    async with aiohttp.ClientSession() as http:
        for path in paths:
            async with http.get(sim.url + path) as unauthenticated:
                assert unauthenticated.status == 401, path
            async with http.get(sim.url + path, headers={"X-Emby-Token": API_KEY}) as served:
                assert served.status == 200, path
                assert served.content_type.split("/")[0] in ("video", "audio", "image"), path
    for url in (info["media_sources"][0]["transcoding_url"] or "",):
        assert API_KEY not in url
    with pytest.raises(ValueError, match="media_type"):
        client.stream_path(movie, "Photo")
    with pytest.raises(ValueError, match="image_type"):
        client.image_path(movie, "Poster")
    with pytest.raises(ValueError, match="quality"):
        client.image_path(movie, quality=101)
    for bad in ("", ".", ".."):
        with pytest.raises(ValueError, match="not an Emby id"):
            client.stream_path(bad, "Video")


async def test_bad_arguments_are_value_errors_before_any_request(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Nothing reaches the server for arguments Emby could not take."""
    uid = user_id(sim)
    sim.reset_counts()
    with pytest.raises(ValueError, match="item_ids must not be empty"):
        await client.add_to_playlist("p", [])
    with pytest.raises(ValueError, match="not an Emby id"):
        await client.add_to_collection("c", ["1,2"])
    with pytest.raises(ValueError, match="name must not be empty"):
        await client.create_playlist("  ")
    with pytest.raises(ValueError, match="sort_order"):
        await client.get_genres(uid, sort_order="Up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await client.get_system_info(timeout=0)
    with pytest.raises(ValueError, match="max_streaming_bitrate"):
        await client.get_playback_info("1", max_streaming_bitrate=-1)
    with pytest.raises(EmbyNotFoundError):
        await client.mark_played(uid, "..")
    assert sim.request_counts() == {}


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------


async def test_each_error_kind_is_its_own_exception_without_the_key(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Timeout, 5xx, 401, 404, HTML page, truncated JSON and refused connections."""
    only = ("/System/Info",)
    cases: list[tuple[Fault, type[EmbyError], str]] = [
        (Fault(force_status=503, paths=only), EmbyServerError, "HTTP 503"),
        (Fault(force_status=502, html_error=True, paths=only), EmbyServerError, "HTTP 502"),
        (Fault(force_status=401, paths=only), EmbyAuthError, "check the API key"),
        (Fault(force_status=404, paths=only), EmbyNotFoundError, "not found: /System/Info"),
        (
            Fault(force_status=200, html_error=True, paths=only),
            EmbyHtmlError,
            "an HTML page instead of JSON",
        ),
        (Fault(malformed_json=True, paths=only), EmbyInvalidJsonError, "truncated JSON"),
    ]
    raised: list[EmbyError] = []
    for fault, kind, says in cases:
        sim.set_fault(fault)
        with pytest.raises(kind, match=says) as caught:
            await client.get_system_info()
        assert type(caught.value) is kind, f"{fault}: exactly {kind.__name__}"
        raised.append(caught.value)
    assert isinstance(raised[0], EmbyServerError) and raised[0].status == 503
    assert isinstance(raised[4], EmbyHtmlError) and raised[4].status is None
    assert all(isinstance(e, EmbyResponseError) for e in raised[4:6])

    sim.set_fault(Fault(latency=3.0, paths=only))
    with pytest.raises(EmbyTimeoutError, match=r"timed out after 0\.3 s") as timeout:
        await client.get_system_info(timeout=0.3)
    raised.append(timeout.value)
    sim.set_fault(None)

    wrong_key = EmbyClient("127.0.0.1", sim.port, "wrong-key", device_id=DEVICE_ID)
    try:
        with pytest.raises(EmbyAuthError, match="HTTP 401"):
            await wrong_key.get_sessions()
    finally:
        await wrong_key.close()
    with pytest.raises(EmbyNotFoundError):
        await client.get_item(user_id(sim), "no-such-item")

    with_socket_closed = EmbyClient("127.0.0.1", unused_port(), API_KEY, device_id=DEVICE_ID)
    try:
        with pytest.raises(EmbyConnectionError, match="cannot connect") as refused:
            await with_socket_closed.get_system_info()
        assert type(refused.value) is EmbyConnectionError
        raised.append(refused.value)
    finally:
        await with_socket_closed.close()

    assert len({type(e) for e in raised}) == 7
    for error in raised:
        assert API_KEY not in str(error) and API_KEY not in repr(error.args)
    # The client keeps working after every failure.
    assert (await client.get_system_info())["id"] == sim.server_id


def unused_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_key_never_reaches_logs_or_metrics(
    sim: EmbySimulator, client: EmbyClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Debug logging on, failures provoked: no record and no metrics key holds the key."""
    caplog.set_level("DEBUG", logger="embymedia_core")
    uid = user_id(sim)
    await client.get_views(uid)
    sim.set_fault(Fault(force_status=500, html_error=True))
    with pytest.raises(EmbyServerError):
        await client.get_item(uid, "x")
    sim.set_fault(None)
    metrics = client.metrics()
    assert API_KEY not in json.dumps(metrics)
    calls = metrics["efficiency_metrics"]["api_calls"]
    assert set(calls) == {"/Users/{UserId}/Views", "/Users/{UserId}/Items/{Id}"}
    assert calls["/Users/{UserId}/Items/{Id}"]["errors"] == 1
    assert all(API_KEY not in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------------------------------------
# Cancellation, coalescing, caching, invalidation
# ------------------------------------------------------------------------------------------------


async def test_cancelling_a_call_from_python_leaks_nothing(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """The Python task is cancelled while the server delays; the Rust request is dropped: the
    next identical call is a new request (it does not join the dead one) and close is prompt."""
    uid = user_id(sim)
    sim.set_fault(Fault(latency=5.0, paths=("/Users/{id}/Views", "/Sessions")))
    cached = asyncio.create_task(awaited(client.get_views(uid)))
    uncached = asyncio.create_task(awaited(client.get_sessions()))
    await eventually(
        lambda: sim.count("/Users/{id}/Views") == 1 and sim.count("/Sessions") == 1,
        "both requests reached the server",
    )
    for task in (cached, uncached):
        task.cancel()
    for task in (cached, uncached):
        with pytest.raises(asyncio.CancelledError):
            await task
    sim.set_fault(None)
    assert await asyncio.wait_for(client.get_views(uid), 10)
    assert await asyncio.wait_for(client.get_sessions(), 10) is not None
    assert sim.count("/Sessions") == 2
    # A call in flight when the client closes ends with EmbyClosedError, and close is prompt.
    sim.set_fault(Fault(latency=5.0, paths=("/Sessions",)))
    pending = asyncio.create_task(awaited(client.get_sessions()))
    await eventually(lambda: sim.count("/Sessions") == 3, "third request sent")
    await asyncio.wait_for(client.close(), 5)
    with pytest.raises(EmbyClosedError):
        await asyncio.wait_for(pending, 5)
    with pytest.raises(EmbyClosedError):
        await client.get_sessions()


async def test_close_ends_every_awaited_call_in_flight_with_a_clear_error(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Calls awaited by tasks while the server delays (three coalesced into one request, a
    cached browse call, one with its own timeout) and an event reader: `close()` ends them all
    with `EmbyClosedError` (the reader's iteration ends) before the server would have answered."""
    uid = user_id(sim)
    sim.set_fault(Fault(latency=5.0, paths=("/Sessions", "/Users/{id}/Views", "/System/Info")))
    stream = client.events(ping_interval_s=0.5, read_timeout_s=5.0)

    async def read_to_the_end() -> str:
        async for _ in stream:
            pass
        return "ended"

    reader = asyncio.create_task(read_to_the_end())
    calls = [asyncio.create_task(awaited(client.get_sessions())) for _ in range(3)]
    calls.append(asyncio.create_task(awaited(client.get_views(uid))))
    calls.append(asyncio.create_task(awaited(client.get_system_info(timeout=30.0))))
    await eventually(
        lambda: (
            sim.count("/Sessions") >= 1
            and sim.count("/Users/{id}/Views") >= 1
            and sim.count("/System/Info") >= 1
        ),
        "every request reached the server",
    )
    await asyncio.wait_for(client.close(), 5)
    # Bounded far above what close needs; a call the close did not end would get its answer
    # after 5 s, a result instead of the error.
    _, pending = await asyncio.wait([*calls, reader], timeout=10)
    assert not pending
    for call in calls:
        error = call.exception()
        assert isinstance(error, EmbyClosedError), error
        assert "closed" in str(error)
    assert reader.result() == "ended"


AFTER_EXIT_HOOK = """
import asyncio
import embymedia_core
from embymedia_core import EmbyClient, EmbyClosedError


async def main() -> None:
    client = EmbyClient("127.0.0.1", int(__import__("sys").argv[1]), "key", device_id="exit")
    stream = client.events()
    embymedia_core.shutdown_all()  # what the atexit hook runs
    try:
        await asyncio.wait_for(client.get_sessions(), 10)
    except EmbyClosedError as e:
        print("call:", e)

    async def read() -> str:
        async for _ in stream:
            return "got a batch"
        return "ended"

    print("reader:", await asyncio.wait_for(read(), 10))
    print("close:", await asyncio.wait_for(client.close(), 10))


asyncio.run(main())
"""


async def test_calls_made_after_the_exit_hook_are_answered_at_once(socket_enabled: None) -> None:
    """Once `shutdown_all()` (the atexit hook) ran, nothing may complete a future from a tokio
    thread; calls made later on a Python thread (another atexit hook, say) do not hang: a call
    raises EmbyClosedError, a reader of a socket never closed ends, close() returns."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        AFTER_EXIT_HOOK,
        str(unused_port()),
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().splitlines() == [
        "call: the Emby client is closed",
        "reader: ended",
        "close: None",
    ], err.decode()


async def test_ten_concurrent_identical_calls_send_one_request(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Cached (get_items) and uncached (get_sessions) alike; the server counts."""
    uid = user_id(sim)
    sim.set_fault(Fault(latency=1.0, paths=("/Users/{id}/Items", "/Sessions")))
    items = await asyncio.gather(*(client.get_items(uid, recursive=True) for _ in range(10)))
    sessions = await asyncio.gather(*(client.get_sessions() for _ in range(10)))
    assert sim.count("/Users/{id}/Items") == 1
    assert sim.count("/Sessions") == 1
    assert all(i == items[0] for i in items)
    assert all(s == sessions[0] for s in sessions)
    stats = client.metrics()["cache_stats"]
    assert (stats["browse"]["misses"], stats["browse"]["coalesced"]) == (1, 9)
    assert stats["inflight_coalesced"] == 9
    assert stats["coalesced"] == 18


async def test_cache_hits_and_invalidation(sim: EmbySimulator, client: EmbyClient) -> None:
    """Second call: no request. Invalidation by user, by item/parent and all."""
    uid = user_id(sim)
    other = str(sim.users[1]["Id"])
    movies = next(v["id"] for v in await client.get_views(uid) if v["collection_type"] == "movies")
    assert sim.count("/Users/{id}/Views") == 1
    await client.get_views(uid)
    assert sim.count("/Users/{id}/Views") == 1, "served from the browse cache"
    await client.get_latest(uid)
    await client.get_latest(uid)
    assert sim.count("/Users/{id}/Items/Latest") == 1, "served from the discovery cache"
    stats = client.metrics()["cache_stats"]
    assert (stats["browse"]["hits"], stats["discovery"]["hits"]) == (1, 1)
    assert (stats["browse"]["entries"], stats["discovery"]["entries"]) == (1, 1)

    await client.get_items(uid, parent_id=movies)
    await client.get_latest(other)
    client.invalidate_user(uid)
    await client.get_views(uid)
    await client.get_latest(uid)
    await client.get_latest(other)
    assert sim.count("/Users/{id}/Views") == 2
    assert sim.count("/Users/{id}/Items/Latest") == 3, "only that user's rows were dropped"

    await client.get_items(uid, parent_id=movies)
    items_before = sim.count("/Users/{id}/Items")
    client.invalidate_item(movies)
    await client.get_items(uid, parent_id=movies)
    await client.get_views(uid)
    assert sim.count("/Users/{id}/Items") == items_before + 1, "the parent's listing"
    assert sim.count("/Users/{id}/Views") == 2, "not the views"

    client.invalidate_all()
    await client.get_views(uid)
    await client.get_latest(other)
    assert sim.count("/Users/{id}/Views") == 3
    assert sim.count("/Users/{id}/Items/Latest") == 4


async def test_a_cached_answer_is_converted_once(sim: EmbySimulator, client: EmbyClient) -> None:
    """A hit of a small answer hands out the object made at the miss (the same one, read-only
    by contract), in the shape asked for; once the cache lets the value go, the next answer is
    new and equal."""
    uid = user_id(sim)
    views = await client.get_views(uid)
    assert await client.get_views(uid) is views
    movies = next(v["id"] for v in views if v["collection_type"] == "movies")
    page = await client.get_items(uid, parent_id=movies, limit=5)
    assert await client.get_items(uid, parent_id=movies, limit=5) is page
    assert isinstance(page, dict) and isinstance(views, list)
    latest = await client.get_latest(uid)
    assert await client.get_latest(uid) is latest
    # A large page is converted at every hit (equal, not shared).
    query: dict[str, Any] = {"recursive": True, "include_item_types": ["Movie"], "limit": 40}
    large = await client.get_items(uid, **query)
    assert len(large["items"]) > 32
    again_large = await client.get_items(uid, **query)
    assert again_large is not large
    assert again_large == large

    client.invalidate_all()
    again = await client.get_views(uid)
    assert again is not views
    assert again == views
    # More answers than are kept: the oldest is converted again, equal all the same.
    for start in range(40):
        await client.get_items(uid, parent_id=movies, start_index=start, limit=1)
    assert await client.get_items(uid, parent_id=movies, limit=5) == page


async def test_marking_played_is_visible_at_once(sim: EmbySimulator, client: EmbyClient) -> None:
    """The core drops the user's cached views itself: no wait for UserDataChanged."""
    uid = user_id(sim)
    movie = sim.library.of_type("Movie")[5].id
    unplayed = await client.get_items(uid, recursive=True, filters=["IsPlayed"])
    assert movie not in [i["id"] for i in unplayed["items"]]
    await client.mark_played(uid, movie)
    played = await client.get_items(uid, recursive=True, filters=["IsPlayed"])
    assert movie in [i["id"] for i in played["items"]]


# ------------------------------------------------------------------------------------------------
# The contract and the compiled module agree
# ------------------------------------------------------------------------------------------------


def _stub_methods() -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The client's methods in the stub; a method typed by a protocol (`get_genres:
    NamesListing`) is that protocol's `__call__`."""
    tree = ast.parse(STUB.read_text())
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def call_of(protocol: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
        return next(
            node
            for node in classes[protocol].body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "__call__"
        )

    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in classes["EmbyClient"].body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not (
            node.name.startswith("__") and node.name != "__init__"
        ):
            methods[node.name] = node
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.annotation, ast.Name)
        ):
            methods[node.target.id] = call_of(node.annotation.id)
    return methods


def test_every_stub_method_is_implemented_and_every_method_declared() -> None:
    """Same names, same parameters (names, kinds, defaults); async where the stub says so."""
    stub = _stub_methods()
    runtime = {name for name in dir(EmbyClient) if not name.startswith("_")}
    assert runtime == set(stub) - {"__init__"}, (
        f"missing at runtime: {sorted(set(stub) - runtime - {'__init__'})}; "
        f"undeclared: {sorted(runtime - set(stub))}"
    )
    for name, node in stub.items():
        if name == "__init__" or any(
            isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list
        ):
            continue
        signature = inspect.signature(getattr(EmbyClient, name))
        runtime_params = [
            (p.name, p.kind.name, None if p.default is p.empty else repr(p.default))
            for p in signature.parameters.values()
            if p.name != "self"
        ]
        args = node.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(
            args.defaults
        )
        stub_params = [
            (a.arg, "POSITIONAL_OR_KEYWORD", None if d is None else repr(ast.literal_eval(d)))
            for a, d in zip(positional, defaults, strict=True)
            if a.arg != "self"
        ] + [
            (a.arg, "KEYWORD_ONLY", None if d is None else repr(ast.literal_eval(d)))
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        ]
        # PyO3 shows computed defaults (String::new(), "x".to_owned()) as `...`.
        runtime_params = [
            (n, k, s if d == "Ellipsis" else d)
            for (n, k, d), (_, _, s) in zip(runtime_params, stub_params, strict=False)
        ] + runtime_params[len(stub_params) :]
        assert runtime_params == stub_params, name


async def test_async_methods_return_awaitables(sim: EmbySimulator, client: EmbyClient) -> None:
    """Methods declared `async def` in the stub return awaitables, the others plain values."""
    stub = _stub_methods()
    assert isinstance(stub["stream_path"], ast.FunctionDef)
    assert isinstance(stub["get_items"], ast.AsyncFunctionDef)
    awaitable: Awaitable[Any] = client.ping()
    assert inspect.isawaitable(awaitable)
    assert await awaitable is True
    assert isinstance(client.image_path("1"), str)


async def test_with_timeout_applies_to_every_call_and_shares_the_rest(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """A handle with its own timeout: any method times out on it; caches and metrics are one."""
    quick = client.with_timeout(0.3)
    assert (client.timeout, quick.timeout) == (5.0, 0.3)
    uid = user_id(sim)
    sim.set_fault(Fault(latency=3.0, paths=("/Users/{id}/Items",)))
    with pytest.raises(EmbyTimeoutError, match=r"timed out after 0\.3 s"):
        await quick.get_items(uid, recursive=True, limit=3)
    sim.set_fault(None)
    await client.get_views(uid)
    await quick.get_views(uid)
    assert sim.count("/Users/{id}/Views") == 1, "one browse cache"
    metrics = client.metrics()
    assert metrics["efficiency_metrics"]["api_calls"]["/Users/{UserId}/Items"]["errors"] == 1
    for bad in (0.0, -1.0, float("nan"), 86_401.0):
        with pytest.raises(ValueError, match="timeout"):
            client.with_timeout(bad)


async def test_counts_and_favorites_counts_are_per_user_discovery(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """Library statistics and favorites counts of a user: discovery cache, 30 min."""
    uid = user_id(sim)
    await returns_contract_type(client, "get_item_counts", uid, is_favorite=True)
    await client.get_item_counts(uid, is_favorite=True)
    await client.get_item_counts(uid)
    assert sim.count("/Items/Counts") == 2, "favorites and all are separate entries, each cached"
    stats = client.metrics()["cache_stats"]
    assert stats["discovery"]["hits"] == 1
    assert (stats["discovery"]["ttl_seconds"], stats["browse"]["ttl_seconds"]) == (1800, 300)
    assert stats["browse"]["max_entries"] == 500
    assert "max_entries" not in stats["discovery"]
