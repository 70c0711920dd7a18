"""Integration actions, registered once in `async_setup`.

Client actions (messages, commands, instant mix, similar items, clearing the queue) target the
media players of Emby clients. Server actions target one server: a config entry
(`config_entry_id`) or the server's device (`device_id`), so with two servers an action reaches
only the one it names. Every request is the core's; this module resolves targets, checks what the
user typed and turns the core's errors into translated ones.
"""

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, Final

from embymedia_core import EmbyAuthError, EmbyError, EmbyNotFoundError
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service import (
    async_get_config_entry,
    async_register_platform_entity_service,
)

from .const import DOMAIN
from .coordinator import EmbyConfigEntry
from .entity import EmbyClientEntity
from .errors import error_translation_key
from .options import entry_user_id
from .search import async_search_items

if TYPE_CHECKING:
    # Home Assistant 2026.10 types its schemas with probatio (voluptuous's API, aliased to it at
    # runtime); older releases use voluptuous.
    import probatio as vol
    from embymedia_core import EmbyClient, Item
else:
    import voluptuous as vol

ATTR_ARGUMENTS: Final = "arguments"
ATTR_COLLECTION_ID: Final = "collection_id"
ATTR_COMMAND: Final = "command"
ATTR_ENTRY_IDS: Final = "entry_ids"
ATTR_ITEM_ID: Final = "item_id"
ATTR_ITEM_IDS: Final = "item_ids"
ATTR_ITEM_TYPES: Final = "item_types"
ATTR_LIBRARY_ID: Final = "library_id"
ATTR_LIMIT: Final = "limit"
ATTR_MEDIA_TYPE: Final = "media_type"
ATTR_MESSAGE: Final = "message"
ATTR_NAME: Final = "name"
ATTR_PLAYLIST_ID: Final = "playlist_id"
ATTR_PROGRAM_ID: Final = "program_id"
ATTR_SEARCH_TERM: Final = "search_term"
ATTR_SERIES: Final = "series"
ATTR_SERIES_TIMER_ID: Final = "series_timer_id"
ATTR_TASK: Final = "task"
ATTR_TIMEOUT: Final = "timeout"
ATTR_TIMER_ID: Final = "timer_id"
ATTR_TITLE: Final = "title"
ATTR_USER_ID: Final = "user_id"

SERVICE_SEND_MESSAGE: Final = "send_message"
SERVICE_SEND_COMMAND: Final = "send_command"
SERVICE_PLAY_INSTANT_MIX: Final = "play_instant_mix"
SERVICE_PLAY_SIMILAR: Final = "play_similar"
SERVICE_CLEAR_QUEUE: Final = "clear_queue"
SERVICE_MARK_PLAYED: Final = "mark_played"
SERVICE_MARK_UNPLAYED: Final = "mark_unplayed"
SERVICE_ADD_FAVORITE: Final = "add_favorite"
SERVICE_REMOVE_FAVORITE: Final = "remove_favorite"
SERVICE_REFRESH_LIBRARY: Final = "refresh_library"
SERVICE_CREATE_PLAYLIST: Final = "create_playlist"
SERVICE_ADD_TO_PLAYLIST: Final = "add_to_playlist"
SERVICE_REMOVE_FROM_PLAYLIST: Final = "remove_from_playlist"
SERVICE_CREATE_COLLECTION: Final = "create_collection"
SERVICE_ADD_TO_COLLECTION: Final = "add_to_collection"
SERVICE_REMOVE_FROM_COLLECTION: Final = "remove_from_collection"
SERVICE_SCHEDULE_RECORDING: Final = "schedule_recording"
SERVICE_CANCEL_RECORDING: Final = "cancel_recording"
SERVICE_CANCEL_SERIES_TIMER: Final = "cancel_series_timer"
SERVICE_RUN_SCHEDULED_TASK: Final = "run_scheduled_task"
SERVICE_RESTART_SERVER: Final = "restart_server"
SERVICE_SHUTDOWN_SERVER: Final = "shutdown_server"
SERVICE_SEARCH: Final = "search"

# Seconds a message stays on screen when the action names no timeout.
DEFAULT_MESSAGE_TIMEOUT: Final = 10
# Similar items queued by play_similar, and search results at most.
SIMILAR_LIMIT: Final = 20
DEFAULT_SEARCH_LIMIT: Final = 20
MAX_SEARCH_LIMIT: Final = 100
SEARCH_ITEM_TYPES: Final = (
    "Movie",
    "Series",
    "Season",
    "Episode",
    "Audio",
    "MusicAlbum",
    "MusicArtist",
    "MusicVideo",
    "Playlist",
    "BoxSet",
    "TvChannel",
    "Video",
)

_ID = vol.All(cv.string, vol.Strip, vol.Length(min=1))
_IDS = vol.All(cv.ensure_list, [_ID], vol.Length(min=1))

SERVER_TARGET: Final[dict[str | vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_DEVICE_ID): cv.string,
}
USER_FIELD: Final[dict[str | vol.Marker, Any]] = {vol.Optional(ATTR_USER_ID): _ID}


def _server_schema(fields: dict[str | vol.Marker, Any] | None = None) -> vol.Schema:
    return vol.Schema({**SERVER_TARGET, **(fields or {})})


ITEM_SCHEMA: Final = _server_schema({vol.Required(ATTR_ITEM_ID): _ID, **USER_FIELD})

# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


async def _call[T](
    entry: EmbyConfigEntry,
    action: str,
    request: Callable[[], Awaitable[T]],
    not_found: Callable[[], Awaitable[ServiceValidationError]] | None = None,
) -> T:
    """Make one core request; its errors become translated ones (never a traceback).

    `request` is called here: the core checks its arguments when called (ValueError), before
    anything is sent.

    A 404 names what the user gave that the server does not have (`not_found` finds out which
    value it was); a rejected key starts reauthentication.
    """
    server = entry.title
    try:
        return await request()
    except ValueError as err:
        # The core's own argument checks (empty or comma-holding ids, names).
        raise _invalid("invalid_argument", action=action, error=str(err)) from err
    except EmbyNotFoundError as err:
        if not_found is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={"action": action, "server": server, "error": str(err)},
            ) from err
        raise await not_found() from err
    except EmbyError as err:
        if isinstance(err, EmbyAuthError):
            entry.async_start_reauth(entry.runtime_data.sessions.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=error_translation_key(err, "action_failed"),
            translation_placeholders={"action": action, "server": server, "error": str(err)},
        ) from err


def _missing(key: str, **placeholders: str) -> Callable[[], Awaitable[ServiceValidationError]]:
    """A `not_found` that always blames one value."""

    async def _explain() -> ServiceValidationError:
        return _invalid(key, **placeholders)

    return _explain


# --------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------


@callback
def async_target_entry(hass: HomeAssistant, call: ServiceCall) -> EmbyConfigEntry:
    """The loaded entry a server action is for: its config entry, its server device, or the only
    server there is (with several, the action must name one)."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    device_id: str | None = call.data.get(ATTR_DEVICE_ID)
    if entry_id is not None:
        entry: EmbyConfigEntry = async_get_config_entry(hass, DOMAIN, entry_id)
        return entry
    if device_id is not None:
        return _entry_of_server_device(hass, device_id)
    loaded = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
    if len(loaded) != 1:
        raise _invalid("server_required", count=str(len(loaded)))
    return loaded[0]


def _entry_of_server_device(hass: HomeAssistant, device_id: str) -> EmbyConfigEntry:
    """The loaded entry whose server is this device (client devices name no one server: a
    client seen by two servers is one device)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is not None:
        for entry in hass.config_entries.async_entries(DOMAIN):
            if (
                entry.state is ConfigEntryState.LOADED
                and (DOMAIN, entry.runtime_data.sessions.server_id) in device.identifiers
            ):
                return entry
    raise _invalid("not_a_server_device", device_id=device_id)


def _user_id(entry: EmbyConfigEntry, call: ServiceCall, action: str) -> str:
    """The user an action works for: the one named, else the entry's own."""
    user_id: str | None = call.data.get(ATTR_USER_ID) or entry_user_id(entry)
    if user_id is None:
        raise _invalid("user_required", action=action, server=entry.title)
    return user_id


async def _unknown_user_or(
    client: EmbyClient, for_user: str, key: str, **placeholders: str
) -> ServiceValidationError:
    """After a 404 on a user's item: the user when the server has no such user, else `key`."""
    try:
        users = await client.get_users()
    except EmbyError:
        return _invalid(key, **placeholders)
    if all(user["id"] != for_user for user in users):
        return _invalid("unknown_user", user_id=for_user)
    return _invalid(key, **placeholders)


async def _check_items(
    entry: EmbyConfigEntry, action: str, user_id: str | None, item_ids: list[str]
) -> None:
    """Every id must name an item the server has (Emby skips unknown ids silently when it adds
    to playlists and collections)."""
    client = entry.runtime_data.client
    if user_id is None:
        users = await _call(entry, action, client.get_users)
        admin = next((user for user in users if user["is_administrator"]), None)
        if admin is None:
            return
        user_id = admin["id"]
    found = await _call(
        entry,
        action,
        lambda: client.get_items(user_id, ids=item_ids, recursive=True, limit=len(item_ids)),
        lambda: _unknown_user_or(client, str(user_id), "unknown_item", item_id=item_ids[0]),
    )
    known = {item["id"] for item in found["items"]}
    if missing := [item_id for item_id in item_ids if item_id not in known]:
        raise _invalid("unknown_item", item_id=", ".join(missing))


# --------------------------------------------------------------------------------------------------
# Client actions (media players)
# --------------------------------------------------------------------------------------------------


async def _command(
    entity: EmbyClientEntity,
    action: str,
    command: str,
    send: Callable[[str], Awaitable[None]],
    *,
    refresh: bool = True,
) -> None:
    """Send to the client's current session (the entity translates the core's errors; the
    core's argument checks are translated here)."""
    try:
        await entity._async_command(command, send, refresh=refresh)
    except ValueError as err:
        raise _invalid("invalid_argument", action=action, error=str(err)) from err


async def _send_message(entity: EmbyClientEntity, call: ServiceCall) -> None:
    client = entity.coordinator.client
    timeout_ms = int(call.data.get(ATTR_TIMEOUT, DEFAULT_MESSAGE_TIMEOUT) * 1000)
    await _command(
        entity,
        SERVICE_SEND_MESSAGE,
        "DisplayMessage",
        lambda session_id: client.send_message(
            session_id, call.data[ATTR_MESSAGE], call.data.get(ATTR_TITLE, ""), timeout_ms
        ),
        refresh=False,
    )


async def _send_command(entity: EmbyClientEntity, call: ServiceCall) -> None:
    command: str = call.data[ATTR_COMMAND]
    session = entity._require_session()
    # A client that lists no commands is one we know nothing about: let it try.
    if session.supported_commands and command not in session.supported_commands:
        raise _invalid("command_not_supported", command=command, client=entity.client_name)
    arguments = {key: str(value) for key, value in call.data.get(ATTR_ARGUMENTS, {}).items()}
    client = entity.coordinator.client
    await _command(
        entity,
        SERVICE_SEND_COMMAND,
        command,
        lambda session_id: client.general_command(session_id, command, arguments or None),
    )


async def _play_instant_mix(entity: EmbyClientEntity, call: ServiceCall) -> None:
    item_id: str = call.data[ATTR_ITEM_ID]
    session = entity._require_session()
    entry = entity.coordinator.config_entry
    # Emby answers a mix of an unknown item with 204 and plays nothing: check it first.
    await _check_items(
        entry, SERVICE_PLAY_INSTANT_MIX, session.user_id or entry_user_id(entry), [item_id]
    )
    client = entity.coordinator.client
    await _command(
        entity,
        SERVICE_PLAY_INSTANT_MIX,
        "PlayInstantMix",
        lambda session_id: client.play(session_id, [item_id], "PlayInstantMix"),
    )


async def _play_similar(entity: EmbyClientEntity, call: ServiceCall) -> None:
    item_id: str = call.data[ATTR_ITEM_ID]
    entry = entity.coordinator.config_entry
    session = entity._require_session()
    user_id = call.data.get(ATTR_USER_ID) or session.user_id or entry_user_id(entry)
    if user_id is None:
        raise _invalid("user_required", action=SERVICE_PLAY_SIMILAR, server=entry.title)
    client = entity.coordinator.client
    similar = await _call(
        entry,
        SERVICE_PLAY_SIMILAR,
        lambda: client.get_similar(user_id, item_id, limit=SIMILAR_LIMIT),
        lambda: _unknown_user_or(client, user_id, "unknown_item", item_id=item_id),
    )
    if not (ids := [item["id"] for item in similar["items"]]):
        raise _invalid("no_similar_items", item_id=item_id)
    await _command(
        entity, SERVICE_PLAY_SIMILAR, "PlayNow", lambda session_id: client.play(session_id, ids)
    )


async def _clear_queue(entity: EmbyClientEntity, call: ServiceCall) -> None:
    # Emby's queue lives only while something plays; stopping is what empties it.
    client = entity.coordinator.client
    await _command(
        entity, SERVICE_CLEAR_QUEUE, "Stop", lambda session_id: client.playstate(session_id, "Stop")
    )


CLIENT_ACTIONS: Final[
    dict[
        str,
        tuple[
            dict[str | vol.Marker, Any], Callable[[EmbyClientEntity, ServiceCall], Awaitable[None]]
        ],
    ]
] = {
    SERVICE_SEND_MESSAGE: (
        {
            vol.Required(ATTR_MESSAGE): cv.string,
            vol.Optional(ATTR_TITLE, default=""): cv.string,
            vol.Optional(ATTR_TIMEOUT): vol.All(vol.Coerce(float), vol.Range(min=1, max=3600)),
        },
        _send_message,
    ),
    SERVICE_SEND_COMMAND: (
        {
            vol.Required(ATTR_COMMAND): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
            vol.Optional(ATTR_ARGUMENTS): vol.Schema({cv.string: cv.string}),
        },
        _send_command,
    ),
    SERVICE_PLAY_INSTANT_MIX: ({vol.Required(ATTR_ITEM_ID): _ID}, _play_instant_mix),
    SERVICE_PLAY_SIMILAR: ({vol.Required(ATTR_ITEM_ID): _ID, **USER_FIELD}, _play_similar),
    SERVICE_CLEAR_QUEUE: ({}, _clear_queue),
}

# --------------------------------------------------------------------------------------------------
# Server actions
# --------------------------------------------------------------------------------------------------

type ServerAction = Callable[[EmbyConfigEntry, ServiceCall], Coroutine[Any, Any, ServiceResponse]]


def _user_data_action(
    action: str, request: Callable[[EmbyClient], Callable[[str, str], Awaitable[Any]]]
) -> ServerAction:
    """mark_played, mark_unplayed, add_favorite, remove_favorite: one user, one item."""

    async def _run(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
        client = entry.runtime_data.client
        user_id = _user_id(entry, call, action)
        item_id: str = call.data[ATTR_ITEM_ID]
        await _call(
            entry,
            action,
            lambda: request(client)(user_id, item_id),
            lambda: _unknown_user_or(client, user_id, "unknown_item", item_id=item_id),
        )
        return None

    return _run


async def _refresh_library(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    client = entry.runtime_data.client
    if (library_id := call.data.get(ATTR_LIBRARY_ID)) is None:
        await _call(entry, SERVICE_REFRESH_LIBRARY, client.refresh_library)
    else:
        await _call(
            entry,
            SERVICE_REFRESH_LIBRARY,
            lambda: client.refresh_item(library_id),
            _missing("unknown_library", library_id=library_id),
        )
    return None


async def _create_playlist(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    item_ids: list[str] = call.data.get(ATTR_ITEM_IDS, [])
    if item_ids:
        await _check_items(entry, SERVICE_CREATE_PLAYLIST, entry_user_id(entry), item_ids)
    created = await _call(
        entry,
        SERVICE_CREATE_PLAYLIST,
        lambda: entry.runtime_data.client.create_playlist(
            call.data[ATTR_NAME], item_ids or None, media_type=call.data.get(ATTR_MEDIA_TYPE)
        ),
    )
    return {"id": created["id"], "name": created["name"]} if created else {}


async def _add_to_playlist(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    playlist_id: str = call.data[ATTR_PLAYLIST_ID]
    item_ids: list[str] = call.data[ATTR_ITEM_IDS]
    user_id: str | None = call.data.get(ATTR_USER_ID) or entry_user_id(entry)
    await _check_items(entry, SERVICE_ADD_TO_PLAYLIST, user_id, item_ids)
    await _call(
        entry,
        SERVICE_ADD_TO_PLAYLIST,
        lambda: entry.runtime_data.client.add_to_playlist(playlist_id, item_ids, user_id=user_id),
        _missing("unknown_playlist", playlist_id=playlist_id),
    )
    return None


async def _remove_from_playlist(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    playlist_id: str = call.data[ATTR_PLAYLIST_ID]
    entry_ids: list[str] = call.data[ATTR_ENTRY_IDS]
    client = entry.runtime_data.client
    user_id = _user_id(entry, call, SERVICE_REMOVE_FROM_PLAYLIST)
    listing = await _call(
        entry,
        SERVICE_REMOVE_FROM_PLAYLIST,
        lambda: client.get_playlist_items(user_id, playlist_id),
        lambda: _unknown_user_or(client, user_id, "unknown_playlist", playlist_id=playlist_id),
    )
    known = {item["playlist_item_id"] for item in listing["items"]}
    if missing := [entry_id for entry_id in entry_ids if entry_id not in known]:
        raise _invalid(
            "unknown_playlist_entry", entry_id=", ".join(missing), playlist_id=playlist_id
        )
    await _call(
        entry,
        SERVICE_REMOVE_FROM_PLAYLIST,
        lambda: client.remove_from_playlist(playlist_id, entry_ids),
        _missing("unknown_playlist", playlist_id=playlist_id),
    )
    return None


async def _create_collection(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    item_ids: list[str] = call.data.get(ATTR_ITEM_IDS, [])
    if item_ids:
        await _check_items(entry, SERVICE_CREATE_COLLECTION, entry_user_id(entry), item_ids)
    created = await _call(
        entry,
        SERVICE_CREATE_COLLECTION,
        lambda: entry.runtime_data.client.create_collection(call.data[ATTR_NAME], item_ids or None),
    )
    return {"id": created["id"], "name": created["name"]} if created else {}


def _collection_action(action: str, add: bool) -> ServerAction:
    async def _run(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
        collection_id: str = call.data[ATTR_COLLECTION_ID]
        item_ids: list[str] = call.data[ATTR_ITEM_IDS]
        client = entry.runtime_data.client
        await _check_items(entry, action, entry_user_id(entry), item_ids)
        change = client.add_to_collection if add else client.remove_from_collection
        await _call(
            entry,
            action,
            lambda: change(collection_id, item_ids),
            _missing("unknown_collection", collection_id=collection_id),
        )
        return None

    return _run


async def _schedule_recording(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    program_id: str = call.data[ATTR_PROGRAM_ID]
    client = entry.runtime_data.client
    create = client.create_series_timer if call.data.get(ATTR_SERIES) else client.create_timer
    await _call(
        entry,
        SERVICE_SCHEDULE_RECORDING,
        lambda: create(program_id),
        _missing("unknown_program", program_id=program_id),
    )
    return None


async def _cancel_recording(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    timer_id: str = call.data[ATTR_TIMER_ID]
    await _call(
        entry,
        SERVICE_CANCEL_RECORDING,
        lambda: entry.runtime_data.client.cancel_timer(timer_id),
        _missing("unknown_timer", timer_id=timer_id),
    )
    return None


async def _cancel_series_timer(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    timer_id: str = call.data[ATTR_SERIES_TIMER_ID]
    await _call(
        entry,
        SERVICE_CANCEL_SERIES_TIMER,
        lambda: entry.runtime_data.client.cancel_series_timer(timer_id),
        _missing("unknown_timer", timer_id=timer_id),
    )
    return None


async def _run_scheduled_task(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    """The task is named by its name, key or id (case-insensitive); the server's current list
    decides."""
    wanted: str = call.data[ATTR_TASK]
    client = entry.runtime_data.client
    tasks = await _call(entry, SERVICE_RUN_SCHEDULED_TASK, client.get_scheduled_tasks)
    folded = wanted.casefold()
    task = next(
        (
            task
            for task in tasks
            if folded in (task["name"].casefold(), (task["key"] or "").casefold(), task["id"])
        ),
        None,
    )
    if task is None:
        raise _invalid(
            "unknown_task",
            task=wanted,
            tasks=", ".join(sorted(task["name"] for task in tasks if not task["is_hidden"])),
        )
    await _call(
        entry,
        SERVICE_RUN_SCHEDULED_TASK,
        lambda: client.run_scheduled_task(task["id"]),
        _missing("unknown_task", task=wanted, tasks=task["name"]),
    )
    return None


async def _restart_server(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    # Sent once: a restart that timed out may still happen, and a second one would follow it.
    await _call(entry, SERVICE_RESTART_SERVER, entry.runtime_data.client.restart_server)
    return None


async def _shutdown_server(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    await _call(entry, SERVICE_SHUTDOWN_SERVER, entry.runtime_data.client.shutdown_server)
    return None


def search_result(item: Item) -> dict[str, Any]:
    """What an action response says of one item (JSON-safe, no image or user data)."""
    return {
        "id": item["id"],
        "name": item["name"],
        "type": item["type"],
        "media_type": item["media_type"],
        "series_name": item["series_name"],
        "season_number": item["parent_index_number"] if item["type"] == "Episode" else None,
        "episode_number": item["index_number"] if item["type"] == "Episode" else None,
        "album": item["album"],
        "artists": list(item["artists"]),
        "production_year": item["production_year"],
        "run_time_seconds": (
            item["run_time_ticks"] // 10_000_000 if item["run_time_ticks"] else None
        ),
    }


async def async_search(
    entry: EmbyConfigEntry,
    user_id: str,
    search_term: str,
    *,
    item_types: Iterable[str] = (),
    limit: int = DEFAULT_SEARCH_LIMIT,
) -> list[Item]:
    """Items of the user's libraries whose name holds `search_term`, best match first (the
    integration's one search, search.py)."""
    client = entry.runtime_data.client
    return await _call(
        entry,
        SERVICE_SEARCH,
        lambda: async_search_items(
            client, user_id, search_term, limit=limit, item_types=tuple(item_types)
        ),
        lambda: _unknown_user_or(client, user_id, "unknown_user", user_id=user_id),
    )


async def _search(entry: EmbyConfigEntry, call: ServiceCall) -> ServiceResponse:
    items = await async_search(
        entry,
        _user_id(entry, call, SERVICE_SEARCH),
        call.data[ATTR_SEARCH_TERM],
        item_types=call.data.get(ATTR_ITEM_TYPES, ()),
        limit=call.data[ATTR_LIMIT],
    )
    return {"items": [search_result(item) for item in items]}


SERVER_ACTIONS: Final[dict[str, tuple[vol.Schema, ServerAction, SupportsResponse]]] = {
    SERVICE_MARK_PLAYED: (
        ITEM_SCHEMA,
        _user_data_action(SERVICE_MARK_PLAYED, lambda client: client.mark_played),
        SupportsResponse.NONE,
    ),
    SERVICE_MARK_UNPLAYED: (
        ITEM_SCHEMA,
        _user_data_action(SERVICE_MARK_UNPLAYED, lambda client: client.mark_unplayed),
        SupportsResponse.NONE,
    ),
    SERVICE_ADD_FAVORITE: (
        ITEM_SCHEMA,
        _user_data_action(SERVICE_ADD_FAVORITE, lambda client: client.add_favorite),
        SupportsResponse.NONE,
    ),
    SERVICE_REMOVE_FAVORITE: (
        ITEM_SCHEMA,
        _user_data_action(SERVICE_REMOVE_FAVORITE, lambda client: client.remove_favorite),
        SupportsResponse.NONE,
    ),
    SERVICE_REFRESH_LIBRARY: (
        _server_schema({vol.Optional(ATTR_LIBRARY_ID): _ID}),
        _refresh_library,
        SupportsResponse.NONE,
    ),
    SERVICE_CREATE_PLAYLIST: (
        _server_schema(
            {
                vol.Required(ATTR_NAME): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
                vol.Optional(ATTR_ITEM_IDS): _IDS,
                vol.Optional(ATTR_MEDIA_TYPE): vol.In(["Audio", "Video"]),
            }
        ),
        _create_playlist,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_ADD_TO_PLAYLIST: (
        _server_schema(
            {vol.Required(ATTR_PLAYLIST_ID): _ID, vol.Required(ATTR_ITEM_IDS): _IDS, **USER_FIELD}
        ),
        _add_to_playlist,
        SupportsResponse.NONE,
    ),
    SERVICE_REMOVE_FROM_PLAYLIST: (
        _server_schema(
            {vol.Required(ATTR_PLAYLIST_ID): _ID, vol.Required(ATTR_ENTRY_IDS): _IDS, **USER_FIELD}
        ),
        _remove_from_playlist,
        SupportsResponse.NONE,
    ),
    SERVICE_CREATE_COLLECTION: (
        _server_schema(
            {
                vol.Required(ATTR_NAME): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
                vol.Optional(ATTR_ITEM_IDS): _IDS,
            }
        ),
        _create_collection,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_ADD_TO_COLLECTION: (
        _server_schema({vol.Required(ATTR_COLLECTION_ID): _ID, vol.Required(ATTR_ITEM_IDS): _IDS}),
        _collection_action(SERVICE_ADD_TO_COLLECTION, add=True),
        SupportsResponse.NONE,
    ),
    SERVICE_REMOVE_FROM_COLLECTION: (
        _server_schema({vol.Required(ATTR_COLLECTION_ID): _ID, vol.Required(ATTR_ITEM_IDS): _IDS}),
        _collection_action(SERVICE_REMOVE_FROM_COLLECTION, add=False),
        SupportsResponse.NONE,
    ),
    SERVICE_SCHEDULE_RECORDING: (
        _server_schema(
            {vol.Required(ATTR_PROGRAM_ID): _ID, vol.Optional(ATTR_SERIES, default=False): bool}
        ),
        _schedule_recording,
        SupportsResponse.NONE,
    ),
    SERVICE_CANCEL_RECORDING: (
        _server_schema({vol.Required(ATTR_TIMER_ID): _ID}),
        _cancel_recording,
        SupportsResponse.NONE,
    ),
    SERVICE_CANCEL_SERIES_TIMER: (
        _server_schema({vol.Required(ATTR_SERIES_TIMER_ID): _ID}),
        _cancel_series_timer,
        SupportsResponse.NONE,
    ),
    SERVICE_RUN_SCHEDULED_TASK: (
        _server_schema({vol.Required(ATTR_TASK): _ID}),
        _run_scheduled_task,
        SupportsResponse.NONE,
    ),
    SERVICE_RESTART_SERVER: (_server_schema(), _restart_server, SupportsResponse.NONE),
    SERVICE_SHUTDOWN_SERVER: (_server_schema(), _shutdown_server, SupportsResponse.NONE),
    SERVICE_SEARCH: (
        _server_schema(
            {
                vol.Required(ATTR_SEARCH_TERM): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
                vol.Optional(ATTR_ITEM_TYPES): vol.All(cv.ensure_list, [vol.In(SEARCH_ITEM_TYPES)]),
                # Through float: voluptuous's int() of an infinity raises OverflowError, which
                # no schema catches; the range refuses infinities and NaN, then int() is safe.
                vol.Optional(ATTR_LIMIT, default=DEFAULT_SEARCH_LIMIT): vol.All(
                    vol.Coerce(float), vol.Range(min=1, max=MAX_SEARCH_LIMIT), vol.Coerce(int)
                ),
                **USER_FIELD,
            }
        ),
        _search,
        SupportsResponse.ONLY,
    ),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration (once, in `async_setup`)."""
    for name, (fields, func) in CLIENT_ACTIONS.items():
        async_register_platform_entity_service(
            hass,
            DOMAIN,
            name,
            entity_domain=Platform.MEDIA_PLAYER,
            schema=fields,
            func=func,
        )

    for name, (schema, action, supports_response) in SERVER_ACTIONS.items():

        async def _handle(call: ServiceCall, action: ServerAction = action) -> ServiceResponse:
            return await action(async_target_entry(hass, call), call)

        hass.services.async_register(
            DOMAIN, name, _handle, schema=schema, supports_response=supports_response
        )
