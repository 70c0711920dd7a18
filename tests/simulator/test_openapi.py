"""The simulator against Emby's own OpenAPI description (4.8.11): every route exists there, and
a broad sample of responses (every endpoint family, REST and WebSocket) validates against the
component schemas."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from emby_simulator import EmbySimulator, SimulatorConfig
from emby_simulator.rest import ROUTES

from .conftest import API_KEY, AUTH, HEADERS, get_json

SPEC_PATH = Path(__file__).parents[1] / "fixtures" / "emby" / "emby_openapi_v3.json"
#: Served by real Emby and called by first-party clients, but missing from the description
#: (EMBY.md 3.3): (method, path) -> the schema its answer has.
UNDOCUMENTED = {
    ("GET", "/Users"): {"type": "array", "items": {"$ref": "#/components/schemas/UserDto"}},
    ("GET", "/Library/VirtualFolders"): {
        "type": "array",
        "items": {"$ref": "#/components/schemas/VirtualFolderInfo"},
    },
}
#: Documented routes whose description declares no response schema.
NO_SCHEMA = {
    ("GET", "/LiveTv/Recordings"): {"$ref": "#/components/schemas/QueryResult_BaseItemDto"},
    ("GET", "/Shows/{Id}/Episodes"): {"$ref": "#/components/schemas/QueryResult_BaseItemDto"},
}


@cache
def spec() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return result


def openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema draft 7 (`nullable: true` becomes `anyOf [.., null]`)."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {k: openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def registry() -> Registry:
    document = {"components": {"schemas": openapi_to_jsonschema(spec()["components"]["schemas"])}}
    return Registry().with_resource("urn:emby", Resource(contents=document, specification=DRAFT7))


def validator(schema: dict[str, Any]) -> Draft7Validator:
    """A validator whose `#/components/...` refs resolve in the description."""
    rooted = json.loads(json.dumps(schema).replace('"#/components/', '"urn:emby#/components/'))
    return Draft7Validator(rooted, registry=registry(), format_checker=FormatChecker())


def response_schema(method: str, template: str) -> dict[str, Any]:
    """The 200 JSON schema of an operation (or of a documented exception)."""
    key = (method, template)
    if key in UNDOCUMENTED:
        return UNDOCUMENTED[key]
    if key in NO_SCHEMA:
        return NO_SCHEMA[key]
    operation = spec()["paths"][template][method.lower()]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def component(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def assert_valid(schema: dict[str, Any], data: Any, what: str) -> None:
    errors = sorted(validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, f"{what}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]
    )


def test_every_route_is_in_the_description() -> None:
    """Each simulator route (and method) is a path of Emby's OpenAPI description, except the
    documented ones. `/embywebsocket` and `/__sim__/*` are not REST routes at all."""
    paths = spec()["paths"]
    missing = []
    for route in ROUTES:
        for method in route.methods - {"HEAD"}:
            if (method, route.template) in UNDOCUMENTED:
                continue
            operations = paths.get(route.template)
            if operations is None or method.lower() not in operations:
                missing.append(f"{method} {route.template}")
    assert not missing, missing
    # The documented exceptions are real: /Users has no entry at all; VirtualFolders no GET.
    assert "/Users" not in paths
    assert "get" not in paths["/Library/VirtualFolders"]


@pytest.fixture
def config() -> SimulatorConfig:
    return SimulatorConfig(api_key=API_KEY, users=5, clients=8, playing=3)


async def test_responses_validate(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """A broad sample: system, users, browsing, names, live TV, tasks, sessions, playback."""
    uid = sim.users[0]["Id"]
    lib = sim.library
    movie = lib.of_type("Movie")[0].id
    series = lib.of_type("Series")[0].id
    episode = lib.of_type("Episode")[0].id
    album = lib.of_type("MusicAlbum")[0].id
    track = lib.of_type("Audio")[0].id
    playlist = lib.of_type("Playlist")[0].id
    channel = lib.of_type("TvChannel")[0].id
    recording = lib.of_type("Recording")[0].id
    movies_view = lib.libraries[0].id
    task = lib.tasks[0].id
    timer = lib.timers[0].id
    # (template, concrete path, query)
    sample: list[tuple[str, str, dict[str, str]]] = [
        ("/System/Info/Public", "/System/Info/Public", {}),
        ("/System/Info", "/System/Info", {}),
        ("/System/ActivityLog/Entries", "/System/ActivityLog/Entries", {"Limit": "5"}),
        ("/Users", "/Users", {}),
        ("/Users/Query", "/Users/Query", {}),
        ("/Users/Public", "/Users/Public", {}),
        ("/Users/{Id}", f"/Users/{uid}", {}),
        ("/Users/{UserId}/Views", f"/Users/{uid}/Views", {}),
        (
            "/Users/{UserId}/Items",
            f"/Users/{uid}/Items",
            {
                "Recursive": "true",
                "IncludeItemTypes": "Movie,Series",
                "Limit": "20",
                "Fields": ",".join(
                    sorted(
                        {
                            "Overview",
                            "Genres",
                            "People",
                            "Studios",
                            "Path",
                            "ProviderIds",
                            "MediaSources",
                            "MediaStreams",
                            "Chapters",
                            "ExternalUrls",
                            "PrimaryImageAspectRatio",
                            "SortName",
                            "ParentId",
                            "ChildCount",
                            "RecursiveItemCount",
                            "Etag",
                        }
                    )
                ),
            },
        ),
        ("/Users/{UserId}/Items", f"/Users/{uid}/Items", {"ParentId": series}),
        ("/Users/{UserId}/Items", f"/Users/{uid}/Items", {"ParentId": album}),
        ("/Users/{UserId}/Items", f"/Users/{uid}/Items", {}),
        ("/Items", "/Items", {"Recursive": "true", "IncludeItemTypes": "Audio", "UserId": uid}),
        ("/Users/{UserId}/Items/{Id}", f"/Users/{uid}/Items/{movie}", {}),
        ("/Users/{UserId}/Items/{Id}", f"/Users/{uid}/Items/{episode}", {}),
        ("/Users/{UserId}/Items/{Id}", f"/Users/{uid}/Items/{track}", {}),
        ("/Users/{UserId}/Items/{Id}", f"/Users/{uid}/Items/{series}", {}),
        ("/Users/{UserId}/Items/{Id}", f"/Users/{uid}/Items/{channel}", {}),
        ("/Users/{UserId}/Items/Latest", f"/Users/{uid}/Items/Latest", {"Limit": "10"}),
        (
            "/Users/{UserId}/Items/Latest",
            f"/Users/{uid}/Items/Latest",
            {"IncludeItemTypes": "Episode", "Limit": "3", "IsPlayed": "false"},
        ),
        ("/Users/{UserId}/Items/Resume", f"/Users/{uid}/Items/Resume", {}),
        ("/Users/{UserId}/Items/Root", f"/Users/{uid}/Items/Root", {}),
        ("/Users/{UserId}/Suggestions", f"/Users/{uid}/Suggestions", {"Limit": "5"}),
        ("/Shows/NextUp", "/Shows/NextUp", {"UserId": uid}),
        ("/Shows/{Id}/Seasons", f"/Shows/{series}/Seasons", {"UserId": uid}),
        ("/Shows/{Id}/Episodes", f"/Shows/{series}/Episodes", {"UserId": uid}),
        ("/Items/{Id}/Similar", f"/Items/{movie}/Similar", {"UserId": uid}),
        ("/Items/{Id}/InstantMix", f"/Items/{album}/InstantMix", {"UserId": uid}),
        ("/Items/Counts", "/Items/Counts", {}),
        ("/Items/Counts", "/Items/Counts", {"UserId": uid, "IsFavorite": "true"}),
        ("/Library/VirtualFolders", "/Library/VirtualFolders", {}),
        ("/Library/VirtualFolders/Query", "/Library/VirtualFolders/Query", {}),
        ("/Library/MediaFolders", "/Library/MediaFolders", {}),
        ("/Genres", "/Genres", {"ParentId": movies_view, "UserId": uid}),
        ("/MusicGenres", "/MusicGenres", {}),
        ("/Studios", "/Studios", {}),
        ("/Years", "/Years", {"IncludeItemTypes": "Movie"}),
        ("/Persons", "/Persons", {"Limit": "10", "PersonTypes": "Actor"}),
        ("/Artists", "/Artists", {"UserId": uid}),
        ("/Artists/AlbumArtists", "/Artists/AlbumArtists", {}),
        ("/Playlists/{Id}/Items", f"/Playlists/{playlist}/Items", {"UserId": uid}),
        ("/Sessions", "/Sessions", {}),
        ("/Sessions", "/Sessions", {"ControllableByUserId": uid}),
        ("/ScheduledTasks", "/ScheduledTasks", {}),
        ("/ScheduledTasks/{Id}", f"/ScheduledTasks/{task}", {}),
        ("/Devices", "/Devices", {}),
        ("/Plugins", "/Plugins", {}),
        ("/LiveTv/Info", "/LiveTv/Info", {}),
        ("/LiveTv/Channels", "/LiveTv/Channels", {"UserId": uid}),
        ("/LiveTv/Channels/{Id}", f"/LiveTv/Channels/{channel}", {}),
        ("/LiveTv/Recordings", "/LiveTv/Recordings", {}),
        ("/LiveTv/Recordings/{Id}", f"/LiveTv/Recordings/{recording}", {}),
        ("/LiveTv/Timers", "/LiveTv/Timers", {}),
        ("/LiveTv/Timers/{Id}", f"/LiveTv/Timers/{timer}", {}),
        ("/LiveTv/Timers/Defaults", "/LiveTv/Timers/Defaults", {}),
        ("/LiveTv/SeriesTimers", "/LiveTv/SeriesTimers", {}),
        ("/Items/{Id}/PlaybackInfo", f"/Items/{movie}/PlaybackInfo", {"UserId": uid}),
        (
            "/Items/{Id}/PlaybackInfo",
            f"/Items/{track}/PlaybackInfo",
            {"MaxStreamingBitrate": "128000"},
        ),
    ]
    families = set()
    for template, path, query in sample:
        data = await get_json(http, sim, path, **query)
        assert_valid(response_schema("GET", template), data, f"GET {path}")
        families.add(template.split("/")[1])
    assert families >= {"System", "Users", "Items", "Shows", "Library", "Sessions", "LiveTv"}

    # Session listings really contain playing sessions with NowPlayingItem.
    sessions = await get_json(http, sim, "/Sessions")
    assert any("NowPlayingItem" in s for s in sessions)


async def test_post_responses_validate(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """POST answers with bodies: user data, playlist and collection creation, login."""
    uid = sim.users[0]["Id"]
    movie = sim.library.of_type("Movie")[1].id
    track = sim.library.of_type("Audio")[1].id
    cases = [
        ("/Users/{UserId}/PlayedItems/{Id}", f"/Users/{uid}/PlayedItems/{movie}", {}),
        ("/Users/{UserId}/PlayedItems/{Id}/Delete", f"/Users/{uid}/PlayedItems/{movie}/Delete", {}),
        ("/Users/{UserId}/FavoriteItems/{Id}", f"/Users/{uid}/FavoriteItems/{movie}", {}),
        (
            "/Users/{UserId}/FavoriteItems/{Id}/Delete",
            f"/Users/{uid}/FavoriteItems/{movie}/Delete",
            {},
        ),
        ("/Playlists", "/Playlists", {"Name": "New", "Ids": track, "MediaType": "Audio"}),
        ("/Collections", "/Collections", {"Name": "Box", "Ids": movie}),
    ]
    for template, path, query in cases:
        async with http.post(sim.url + path, headers=HEADERS, params=query) as response:
            assert response.status == 200, (path, await response.text())
            assert_valid(response_schema("POST", template), await response.json(), path)
    created = await get_json(
        http,
        sim,
        f"/Users/{uid}/Items",
        SearchTerm="New",
        Recursive="true",
        IncludeItemTypes="Playlist",
    )
    playlist_id = created["Items"][0]["Id"]
    async with http.post(
        sim.url + f"/Playlists/{playlist_id}/Items", headers=HEADERS, params={"Ids": movie}
    ) as response:
        assert_valid(response_schema("POST", "/Playlists/{Id}/Items"), await response.json(), "add")
    login = {"X-Emby-Authorization": AUTH}
    async with http.post(
        sim.url + "/Users/AuthenticateByName",
        headers=login,
        json={"Username": "Alice", "Pw": "alice"},
    ) as response:
        assert response.status == 200
        assert_valid(
            response_schema("POST", "/Users/AuthenticateByName"), await response.json(), "login"
        )


async def test_websocket_frames_validate(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Data of Sessions, PlaybackStart/Stopped, UserDataChanged, ScheduledTasksInfo and
    ScheduledTaskEnded frames have the REST shapes."""
    schemas = {
        "Sessions": {"type": "array", "items": component("Session.SessionInfo")},
        "PlaybackStart": component("Session.SessionInfo"),
        "PlaybackStopped": component("Session.SessionInfo"),
        "PlaybackProgress": component("Session.SessionInfo"),
        "ScheduledTasksInfo": {"type": "array", "items": component("TaskInfo")},
        "ScheduledTaskEnded": component("TaskResult"),
        "UserDataChanged": {
            "type": "object",
            "properties": {
                "UserId": {"type": "string"},
                "UserDataList": {"type": "array", "items": component("UserItemDataDto")},
            },
            "required": ["UserId", "UserDataList"],
        },
    }
    ws = await http.ws_connect(sim.url + f"/embywebsocket?api_key={API_KEY}&deviceId=oa-1")
    await ws.send_json({"MessageType": "SessionsStart", "Data": "0,1500"})
    await ws.send_json({"MessageType": "ScheduledTasksInfoStart", "Data": "0,1500"})
    async with http.post(
        sim.url + "/Sessions/Capabilities/Full",
        headers={"X-Emby-Authorization": AUTH.replace("tests-device-0001", "oa-1")} | HEADERS,
        json={"PlayableMediaTypes": [], "SupportedCommands": [], "SupportsMediaControl": False},
    ) as response:
        assert response.status == 204
    sim.run_task_by_id(sim.library.tasks[3].id)
    sim.trigger_user_data_change(sim.users[0]["Id"], [sim.library.of_type("Movie")[0].id])
    for _ in range(20):
        sim.advance(60)
    await sim.flush()
    seen: set[str] = set()
    while True:
        try:
            message = await ws.receive_json(timeout=0.5)
        except TimeoutError:
            break
        kind = message["MessageType"]
        if kind in schemas:
            assert_valid(schemas[kind], message["Data"], kind)
            seen.add(kind)
    await ws.close()
    assert seen >= {
        "Sessions",
        "PlaybackStart",
        "ScheduledTasksInfo",
        "ScheduledTaskEnded",
        "UserDataChanged",
    }


def test_validator_rejects_wrong_shapes() -> None:
    """The checks above can fail: wrong types, enums and nulls are caught."""
    query_result = component("QueryResult_BaseItemDto")
    assert list(validator(query_result).iter_errors({"Items": "x"}))
    assert list(validator(query_result).iter_errors({"Items": [{"IsFolder": "yes"}]}))
    state = component("PlayerStateInfo")
    assert list(validator(state).iter_errors({"PlayMethod": "Teleport"}))
    assert list(validator(state).iter_errors({"MediaSourceId": None}))  # not nullable
    assert not list(validator(state).iter_errors({"PositionTicks": None}))  # nullable
