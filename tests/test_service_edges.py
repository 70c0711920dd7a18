"""Every action and every media player, remote and notify service against bad input: extreme
numbers in every numeric field (found by walking services.yaml and the entity services the
platforms implement, so a new numeric field without cases fails here), wrong types in every
field, wrong ids and targets. Each is refused with a translated error (or Home Assistant's schema
error) or clamped with a warning: never another exception, never a stopped background task,
never the key in a message. Browse ids that name nothing get a browse error, never an
unhandled one."""

import asyncio
import math
import traceback
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml
from homeassistant.components.media_player import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    ATTR_MEDIA_REPEAT,
    ATTR_MEDIA_SEEK_POSITION,
    ATTR_MEDIA_SHUFFLE,
    ATTR_MEDIA_VOLUME_LEVEL,
    ATTR_MEDIA_VOLUME_MUTED,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_COMMAND, ATTR_ENTITY_ID, MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.embymedia import remote as remote_platform
from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET, DOMAIN
from custom_components.embymedia.remote import (
    ATTR_DELAY_SECS,
    ATTR_NUM_REPEATS,
    MAX_NUM_REPEATS,
)
from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "test-api-key"
OURS = "custom_components/embymedia"
SERVICES_YAML = Path(__file__).parent.parent / "custom_components" / DOMAIN / "services.yaml"

EXTREMES: list[Any] = [
    1e308,
    10**30,
    -(10**30),
    -1,
    0,
    2.5,
    math.inf,
    -math.inf,
    math.nan,
    "nan",
    "inf",
    "-inf",
    "1e999",
    "abc",
    "",
    None,
    True,
    [],
    {},
]


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Polling only (the sessions are the simulator's, unchanged by its script)."""
    return {CONF_ENABLE_WEBSOCKET: False}


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    return SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2, script=False)


def entity(hass: HomeAssistant, sim: EmbySimulator, domain: str, client: str = "Emby Web") -> str:
    device_id = next(s.device_id for s in sim.sessions if s.client == client)
    entity_id = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"{sim.server_id}_{device_id}"
    )
    assert entity_id is not None
    return entity_id


def first(sim: EmbySimulator, kind: str) -> str:
    return str(sim.library.of_type(kind)[0].id)


# (domain, service, field) -> the rest of a valid call, and the check of what a call that
# succeeded sent (the value clamped into range). Every numeric field of services.yaml and of
# the entity services our platforms implement is here.
type Case = tuple[str, str, str]


def numeric_cases(hass: HomeAssistant, sim: EmbySimulator) -> dict[Case, dict[str, Any]]:
    player = entity(hass, sim, "media_player")
    remote = entity(hass, sim, "remote")
    return {
        (DOMAIN, "send_message", "timeout"): {ATTR_ENTITY_ID: player, "message": "Hi"},
        (DOMAIN, "search", "limit"): {"search_term": "a"},
        ("media_player", "volume_set", ATTR_MEDIA_VOLUME_LEVEL): {ATTR_ENTITY_ID: player},
        ("media_player", "media_seek", ATTR_MEDIA_SEEK_POSITION): {ATTR_ENTITY_ID: player},
        ("remote", "send_command", ATTR_NUM_REPEATS): {
            ATTR_ENTITY_ID: remote,
            ATTR_COMMAND: "Up",
        },
        ("remote", "send_command", ATTR_DELAY_SECS): {
            ATTR_ENTITY_ID: remote,
            ATTR_COMMAND: ["Up", "Down"],
            ATTR_NUM_REPEATS: 1,
        },
    }


# The entity services of our platforms that take numbers (Home Assistant's own schemas).
PLATFORM_NUMERIC_FIELDS = {
    ("media_player", "volume_set", ATTR_MEDIA_VOLUME_LEVEL),
    ("media_player", "media_seek", ATTR_MEDIA_SEEK_POSITION),
    ("remote", "send_command", ATTR_NUM_REPEATS),
    ("remote", "send_command", ATTR_DELAY_SECS),
}


def yaml_numeric_fields() -> set[Case]:
    """Every field of services.yaml with a number selector."""
    services = yaml.safe_load(SERVICES_YAML.read_text())
    return {
        (DOMAIN, service, field)
        for service, spec in services.items()
        for field, field_spec in (spec.get("fields") or {}).items()
        if "number" in (field_spec.get("selector") or {})
    }


SERVER_SIDE_LOGGERS = ("emby_simulator", "aiohttp.access", "aiohttp.server")


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """No log record of Home Assistant, the integration or the core carries a traceback (the
    simulator's own server may: a 10,000-character name is a URL it refuses)."""
    for record in caplog.records:
        if not record.name.startswith(SERVER_SIDE_LOGGERS):
            assert record.exc_info is None, f"{record.name}: {record.getMessage()}"
            assert "Traceback" not in record.getMessage()


def raised_by_home_assistant_schema(err: BaseException) -> bool:
    """An OverflowError of Home Assistant's own schema of a platform service, before any code
    of ours runs: voluptuous (Home Assistant before 2026.10) lets `int(inf)` escape
    `vol.Coerce(int)` (remote's `num_repeats`). Nothing of the integration can catch it."""
    if not isinstance(err, OverflowError) or (MAJOR_VERSION, MINOR_VERSION) >= (2026, 10):
        return False
    frames = traceback.extract_tb(err.__traceback__)
    return not any(OURS in frame.filename for frame in frames)


def background_tasks(entry: ConfigEntry) -> set[asyncio.Task[Any]]:
    return set(entry._background_tasks)


def assert_refused_cleanly(err: BaseException, what: str) -> None:
    """A translated Home Assistant error or a schema error, without the key."""
    assert isinstance(err, HomeAssistantError | vol.Invalid), f"{what}: {err!r}"
    if isinstance(err, HomeAssistantError) and not isinstance(err, vol.Invalid):
        # Schema errors are Home Assistant's; ours are translated.
        assert err.translation_key is not None or "validation" in type(err).__name__.lower(), (
            f"{what}: untranslated {err!r}"
        )
    assert API_KEY not in str(err), what


async def refusal_problem(
    call: Awaitable[Any], what: str, *, accepting_is_a_problem: bool = True
) -> str | None:
    """Run a service call that must be refused cleanly: what was wrong, or None."""
    try:
        await call
    except Exception as err:
        try:
            assert_refused_cleanly(err, what)
        except AssertionError as failure:
            return str(failure)
        return None
    return f"{what}: accepted" if accepting_is_a_problem else None


async def call(hass: HomeAssistant, case: Case, data: dict[str, Any]) -> None:
    domain, service, _ = case
    await hass.services.async_call(
        domain, service, data, blocking=True, return_response=service == "search"
    )


def test_every_numeric_field_has_cases() -> None:
    """A numeric field added to services.yaml without edge cases here fails this test."""
    covered = {
        (DOMAIN, "send_message", "timeout"),
        (DOMAIN, "search", "limit"),
    }
    assert yaml_numeric_fields() == covered
    assert PLATFORM_NUMERIC_FIELDS.isdisjoint(covered)


@pytest.mark.parametrize(
    "entry_options",
    [{CONF_ENABLE_WEBSOCKET: False}, {CONF_ENABLE_WEBSOCKET: True}],
    ids=["polling", "websocket"],
)
async def test_extreme_numbers_in_every_numeric_field(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each extreme value in each numeric field: refused cleanly or clamped; the sessions poll
    and the background tasks live on. (Remote sequences are clamped to bounds lowered here, so
    the sweep does not wait a minute per case.)"""
    monkeypatch.setattr(remote_platform, "MAX_DELAY_SECS", 0.01)
    monkeypatch.setattr(remote_platform, "MAX_NUM_REPEATS", 3)
    cases = numeric_cases(hass, simulator)
    assert set(cases) == yaml_numeric_fields() | PLATFORM_NUMERIC_FIELDS
    tasks = background_tasks(init_integration)
    assert bool(tasks) is init_integration.options[CONF_ENABLE_WEBSOCKET]
    problems: list[str] = []
    for case, base in cases.items():
        for value in EXTREMES:
            what = f"{case[1]}.{case[2]}={value!r}"
            start = len(simulator.request_log)
            try:
                async with asyncio.timeout(10):
                    await call(hass, case, {**base, case[2]: value})
            except TimeoutError:
                problems.append(f"{what}: hung")
            except Exception as err:
                if case[0] != DOMAIN and raised_by_home_assistant_schema(err):
                    continue
                try:
                    assert_refused_cleanly(err, what)
                except AssertionError as failure:
                    problems.append(str(failure))
            else:
                problems.extend(check_sent(case, value, simulator, start))
    assert not problems, "\n".join(problems)
    assert all(not task.done() for task in tasks)
    # The sessions still update (polled, or pushed over the WebSocket, which stays up).
    sessions = init_integration.runtime_data.sessions
    polls = simulator.count("/Sessions")
    await sessions.async_refresh()
    assert sessions.last_update_success
    if init_integration.options[CONF_ENABLE_WEBSOCKET]:
        assert sessions.websocket_connected
    else:
        assert simulator.count("/Sessions") > polls
    assert_no_traceback(caplog)
    assert API_KEY not in caplog.text


def check_sent(case: Case, value: Any, sim: EmbySimulator, start: int) -> list[str]:
    """What a call that was accepted sent: values within the server's range."""
    what = f"{case[1]}.{case[2]}={value!r}"
    sent = [r for r in sim.request_log[start:] if r.method == "POST"]
    problems: list[str] = []
    for request in sent:
        text = f"{request.path} {request.query} {request.body}"
        if "nan" in text.lower() or "inf" in text.lower():
            problems.append(f"{what}: sent {text}")
    if case[2] == ATTR_NUM_REPEATS:
        commands = [r for r in sent if "/Command" in r.path]
        if len(commands) > remote_platform.MAX_NUM_REPEATS:
            problems.append(f"{what}: sent {len(commands)} commands")
    return problems


WRONG_TYPES: list[Any] = [{"a": 1}, [[1]], [{"a": 1}]]


async def test_wrong_types_in_every_field(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A dict, a nested list or a list of dicts in any field of any action of ours (the other
    fields valid) is a schema error (or a translated one), never another exception. (A dict is
    what `send_command`'s `arguments` takes.)"""
    services = yaml.safe_load(SERVICES_YAML.read_text())
    calls = valid_calls(hass, simulator)
    problems: list[str] = []
    for service, spec in services.items():
        for field in spec.get("fields") or {}:
            for value in WRONG_TYPES:
                if (service, field, value) == ("send_command", "arguments", {"a": 1}):
                    continue
                base = calls[service]
                what = f"{service}.{field}={value!r}"
                if problem := await refusal_problem(
                    call(hass, (DOMAIN, service, field), {**base, field: value}), what
                ):
                    problems.append(problem)
    assert not problems, "\n".join(problems)
    assert_no_traceback(caplog)


async def test_media_player_odd_values(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """play_media with ids that name nothing (Emby would take them and play nothing), repeat,
    shuffle and mute with values of the wrong kind: refused cleanly, nothing played. (A known id
    with an odd media type plays: the type is only a hint for names.)"""
    player = entity(hass, simulator, "media_player")
    movie = first(simulator, "Movie")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "", ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "999999", ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "..", ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "a,b", ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "x" * 10_000, ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "\x00\n", ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        (
            "play_media",
            {ATTR_MEDIA_CONTENT_ID: f"{movie},999999", ATTR_MEDIA_CONTENT_TYPE: "movie"},
        ),
        (
            "play_media",
            {ATTR_MEDIA_CONTENT_ID: ",".join([movie] * 201), ATTR_MEDIA_CONTENT_TYPE: "movie"},
        ),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: "emby://nowhere", ATTR_MEDIA_CONTENT_TYPE: "x"}),
        (
            "play_media",
            {
                ATTR_MEDIA_CONTENT_ID: "media-source://embymedia/nope/nope",
                ATTR_MEDIA_CONTENT_TYPE: "movie",
            },
        ),
        ("play_media", {ATTR_MEDIA_CONTENT_ID: {"a": 1}, ATTR_MEDIA_CONTENT_TYPE: "movie"}),
        ("repeat_set", {ATTR_MEDIA_REPEAT: "sometimes"}),
        ("repeat_set", {ATTR_MEDIA_REPEAT: 3}),
        ("shuffle_set", {ATTR_MEDIA_SHUFFLE: "maybe"}),
        ("shuffle_set", {ATTR_MEDIA_SHUFFLE: math.nan}),
        ("volume_mute", {ATTR_MEDIA_VOLUME_MUTED: "loud"}),
    ]
    start = len(simulator.request_log)
    problems: list[str] = []
    for service, data in calls:
        what = f"{service} {data!r}"[:120]
        if problem := await refusal_problem(
            call(hass, ("media_player", service, ""), {ATTR_ENTITY_ID: player, **data}), what
        ):
            problems.append(problem)
    assert not problems, "\n".join(problems)
    assert not [r for r in simulator.request_log[start:] if r.path.endswith("/Playing")]
    assert_no_traceback(caplog)
    # Searches (Assist's, the search_media action) with queries that match nothing or cannot.
    for query in ["", "   ", "\x00", "%", "*", "x" * 5000, "é" * 500]:
        what = f"search_media {query[:20]!r}"
        searched = hass.services.async_call(
            "media_player",
            "search_media",
            {ATTR_ENTITY_ID: player, "search_query": query},
            blocking=True,
            return_response=True,
        )
        if problem := await refusal_problem(searched, what, accepting_is_a_problem=False):
            problems.append(problem)
    assert not problems, "\n".join(problems)
    assert_no_traceback(caplog)
    # A known id with an odd media type plays: the type is only a hint for names.
    await hass.services.async_call(
        "media_player",
        "play_media",
        {ATTR_ENTITY_ID: player, ATTR_MEDIA_CONTENT_ID: movie, ATTR_MEDIA_CONTENT_TYPE: "odd"},
        blocking=True,
    )
    assert [r for r in simulator.request_log[start:] if r.path.endswith("/Playing")]


async def test_remote_sequences_are_clamped_with_a_warning(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A billion repeats send MAX_NUM_REPEATS, with one warning (the endless delays of the
    sweep above are bounded the same way)."""
    remote = entity(hass, simulator, "remote")
    start = len(simulator.request_log)
    await hass.services.async_call(
        "remote",
        "send_command",
        {ATTR_ENTITY_ID: remote, ATTR_COMMAND: "Up", ATTR_NUM_REPEATS: 10**9},
        blocking=True,
    )
    commands = [r for r in simulator.request_log[start:] if "/Command" in r.path]
    assert len(commands) == MAX_NUM_REPEATS
    assert caplog.text.count("num_repeats of 1000000000") == 1


BAD_IDS: list[Any] = ["999999", "", " ", "..", ".", "a/b", "a,b", "?x=1#", "\n", "x" * 5000]


def valid_calls(hass: HomeAssistant, sim: EmbySimulator) -> dict[str, dict[str, Any]]:
    """A call of every action of services.yaml that would succeed."""
    alice = next(user["Id"] for user in sim.users if user["Name"] == "Alice")
    movie = first(sim, "Movie")
    playlist = sim.library.of_type("Playlist")[0]
    user_item = {"item_id": movie, "user_id": alice}
    player = {ATTR_ENTITY_ID: entity(hass, sim, "media_player")}
    return {
        "send_message": {**player, "message": "Hi"},
        "send_command": {**player, "command": "GoHome"},
        "play_instant_mix": {**player, "item_id": movie},
        "play_similar": {**player, "item_id": movie, "user_id": alice},
        "clear_queue": player,
        "mark_played": user_item,
        "mark_unplayed": user_item,
        "add_favorite": user_item,
        "remove_favorite": user_item,
        "refresh_library": {"library_id": "3"},
        "create_playlist": {"name": "Trip", "item_ids": [movie]},
        "add_to_playlist": {"playlist_id": playlist.id, "item_ids": [movie], "user_id": alice},
        "remove_from_playlist": {
            "playlist_id": playlist.id,
            "entry_ids": [playlist.entries[0][0]],
            "user_id": alice,
        },
        "create_collection": {"name": "Set", "item_ids": [movie]},
        "add_to_collection": {"collection_id": first(sim, "BoxSet"), "item_ids": [movie]},
        "remove_from_collection": {"collection_id": first(sim, "BoxSet"), "item_ids": [movie]},
        "schedule_recording": {"program_id": first(sim, "Program")},
        "cancel_recording": {"timer_id": sim.library.timers[0].id},
        "cancel_series_timer": {"series_timer_id": sim.library.series_timers[0].id},
        "run_scheduled_task": {"task": sim.library.tasks[1].name},
        "restart_server": {},
        "shutdown_server": {},
        "search": {"search_term": "a", "user_id": alice},
    }


# Fields that name something on the server (ids, a task) and are checked against it.
ID_FIELDS = {
    "item_id",
    "user_id",
    "library_id",
    "item_ids",
    "playlist_id",
    "entry_ids",
    "collection_id",
    "program_id",
    "timer_id",
    "series_timer_id",
    "task",
}


async def test_wrong_ids_in_every_id_field(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Ids the server does not have, ids that cannot be ids (empty, `..`, commas, a path, a
    query, 5,000 characters) in every id field of every action: a translated error, nothing
    changed on the server (no request but reads)."""
    services = yaml.safe_load(SERVICES_YAML.read_text())
    calls = valid_calls(hass, simulator)
    assert set(calls) == set(services)
    problems: list[str] = []
    checked = 0
    for service, base in calls.items():
        fields = set(services[service].get("fields") or {}) & ID_FIELDS
        checked += len(fields)
        for field in sorted(fields):
            for value in BAD_IDS:
                what = f"{service}.{field}={value[:20]!r}"
                start = len(simulator.request_log)
                bad = [value] if field.endswith("_ids") else value
                if problem := await refusal_problem(
                    call(hass, (DOMAIN, service, field), {**base, field: bad}), what
                ):
                    problems.append(problem)
                writes = [
                    f"{r.method} {r.path}"
                    for r in simulator.request_log[start:]
                    if r.method == "POST" and r.status < 400
                ]
                if writes:
                    problems.append(f"{what}: changed the server: {writes}")
    assert not problems, "\n".join(problems)
    assert checked == 29
    assert_no_traceback(caplog)


async def test_wrong_targets(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A media player of another integration, a config entry of another integration or none at
    all, an unknown device: refused (Home Assistant's translated errors or ours), nothing sent."""
    other_entry = MockConfigEntry(domain="demo", title="Other")
    other_entry.add_to_hass(hass)
    # An Emby entry that is not loaded (never set up), and a device of another integration.
    idle_entry = MockConfigEntry(domain=DOMAIN, title="Idle Emby", unique_id="idle")
    idle_entry.add_to_hass(hass)
    other_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("demo", "x")}
    )
    hass.states.async_set("media_player.other", "playing")
    start = len(simulator.request_log)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("send_message", {ATTR_ENTITY_ID: "media_player.other", "message": "Hi"}),
        ("clear_queue", {ATTR_ENTITY_ID: "media_player.nothing_here"}),
        ("restart_server", {"config_entry_id": other_entry.entry_id}),
        ("restart_server", {"config_entry_id": "0" * 26}),
        ("restart_server", {"config_entry_id": ""}),
        ("restart_server", {"config_entry_id": idle_entry.entry_id}),
        ("restart_server", {"device_id": other_device.id}),
        ("mark_played", {"config_entry_id": other_entry.entry_id, "item_id": "1"}),
        ("restart_server", {"device_id": "not-a-device"}),
        ("restart_server", {"device_id": ""}),
    ]
    problems: list[str] = []
    for service, data in cases:
        what = f"{service} {data}"
        try:
            await hass.services.async_call(DOMAIN, service, data, blocking=True)
        except Exception as err:
            try:
                assert_refused_cleanly(err, what)
            except AssertionError as failure:
                problems.append(str(failure))
        else:
            # Home Assistant may skip an entity that is not ours without an error; then nothing
            # may have been sent.
            if not service.startswith(("send_message", "clear_queue")):
                problems.append(f"{what}: accepted")
    assert not problems, "\n".join(problems)
    assert not [r for r in simulator.request_log[start:] if r.method == "POST"]
    assert_no_traceback(caplog)


async def test_notify_odd_messages(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The notify entity with messages of the wrong type, empty, huge or with control
    characters: refused by the schema or sent as text, never an exception of ours."""
    target = entity(hass, simulator, "notify")
    problems: list[str] = []
    for message in [{"a": 1}, [[1]], "", "\x00\n\t", "é" * 100_000, 10**30, math.nan]:
        what = f"notify.send_message {str(message)[:20]!r}"
        sent = hass.services.async_call(
            "notify",
            "send_message",
            {ATTR_ENTITY_ID: target, "message": message, "title": message},
            blocking=True,
        )
        if problem := await refusal_problem(sent, what, accepting_is_a_problem=False):
            problems.append(problem)
    assert not problems, "\n".join(problems)
    assert_no_traceback(caplog)


ODD_BROWSE_IDS = [
    "..",
    "item",
    "item/Movie",
    "item/Movie/999999",
    "item/Movie/..",
    "item/Movie/a%2Fb",
    "item/Movie/1@99999999999999",
    "item/Movie/1@-1",
    "item/Movie/1@nan",
    "all/x/Movie@4294967296",
    "collections@4294967295",
    "playlists@" + "9" * 400,
    "letter/x/Movie/" + "z" * 5000,
    "view/\x00/movies",
    "nosuchkind/a/b",
    "x" * 10_000,
]


async def test_browse_odd_ids(
    hass: HomeAssistant,
    *,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Browse ids that name nothing or cannot be ids (pages beyond any index, unknown kinds,
    huge ones) in the media player's browser and the media source: a browse error, never an
    unhandled exception (Home Assistant answers those with a bare "Unknown error" and logs a
    traceback; a BrowseError is sent with its message)."""
    player = next(
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
        if entry.domain == "media_player"
    )
    ws = await hass_ws_client(hass)
    problems: list[str] = []
    for number, media_id in enumerate(ODD_BROWSE_IDS, start=1):
        await ws.send_json(
            {
                "id": number,
                "type": "media_player/browse_media",
                "entity_id": player,
                "media_content_id": media_id,
                "media_content_type": "movie",
            }
        )
        answer = await ws.receive_json()
        if not answer["success"] and answer["error"]["message"] == "Unknown error":
            problems.append(f"{media_id[:40]!r}: {answer['error']}")
    # The same through the media source (server id / user id / node), browsed and resolved.
    alice = next(user["Id"] for user in simulator.users if user["Name"] == "Alice")
    for number, media_id in enumerate(ODD_BROWSE_IDS, start=100):
        source_id = f"media-source://{DOMAIN}/{simulator.server_id}/{alice}/{media_id}"
        for kind in ("media_source/browse_media", "media_source/resolve_media"):
            await ws.send_json(
                {"id": number * 2 + len(kind), "type": kind, "media_content_id": source_id}
            )
            answer = await ws.receive_json()
            if not answer["success"] and answer["error"]["message"] == "Unknown error":
                problems.append(f"{kind} {media_id[:40]!r}: {answer['error']}")
    assert not problems, "\n".join(problems)
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
    assert API_KEY not in caplog.text


async def test_media_source_ids_of_another_server(
    hass: HomeAssistant,
    *,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A media-source id names its server: on a client of another server it is refused (item
    ids are per server, so the same id could be another item here), in play_media and in the
    player's browser; with this server's id it plays."""
    player = entity(hass, simulator, "media_player")
    movie = first(simulator, "Movie")
    alice = next(user["Id"] for user in simulator.users if user["Name"] == "Alice")
    other = f"media-source://{DOMAIN}/0123456789abcdef0123456789abcdef/{alice}/item/Movie/{movie}"
    start = len(simulator.request_log)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "media_player",
            "play_media",
            {
                ATTR_ENTITY_ID: player,
                ATTR_MEDIA_CONTENT_ID: other,
                ATTR_MEDIA_CONTENT_TYPE: "movie",
            },
            blocking=True,
        )
    assert err.value.translation_key == "other_server_media"
    assert not [r for r in simulator.request_log[start:] if r.path.endswith("/Playing")]

    ws = await hass_ws_client(hass)
    await ws.send_json(
        {
            "id": 1,
            "type": "media_player/browse_media",
            "entity_id": player,
            "media_content_id": other,
            "media_content_type": "movie",
        }
    )
    answer = await ws.receive_json()
    assert not answer["success"]
    assert "another Emby server" in answer["error"]["message"]

    own = other.replace("0123456789abcdef0123456789abcdef", simulator.server_id)
    await hass.services.async_call(
        "media_player",
        "play_media",
        {ATTR_ENTITY_ID: player, ATTR_MEDIA_CONTENT_ID: own, ATTR_MEDIA_CONTENT_TYPE: "movie"},
        blocking=True,
    )
    assert [r for r in simulator.request_log[start:] if r.path.endswith("/Playing")]
