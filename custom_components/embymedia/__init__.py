"""The Emby Media integration: Emby clients as media players, remotes and notify targets."""

import asyncio
from typing import TYPE_CHECKING

from embymedia_core import (
    EmbyAuthError,
    EmbyClient,
    EmbyError,
    InvalidArgumentError,
    InvalidHostError,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .coordinator import (
    EmbyConfigEntry,
    EmbyLibraryCoordinator,
    EmbyRuntimeData,
    EmbyServerCoordinator,
    EmbySessionCoordinator,
    last_seen_store,
)
from .device import async_setup_server_device
from .discovery import EmbyDiscoveryCoordinator
from .errors import error_translation_key
from .event_bus import async_setup_event_bus
from .events import async_run_event_loop
from .extra_coordinators import EmbyExtraCoordinators
from .images import async_register_image_view
from .issues import async_check_chosen_user, async_setup_issues
from .options import EmbyOptions, async_create_client, async_get_device_id
from .server_discovery import async_setup_discovery
from .services import async_setup_services
from .session_updates import SessionTopic
from .system_health import async_track_requests

if TYPE_CHECKING:
    from embymedia_core import User

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.IMAGE,
    Platform.MEDIA_PLAYER,
    Platform.NOTIFY,
    Platform.REMOTE,
    Platform.SENSOR,
    Platform.UPDATE,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and image view (once, whatever the number of
    servers) and start looking for servers on the network."""
    async_register_image_view(hass)
    async_setup_services(hass)
    async_setup_discovery(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EmbyConfigEntry) -> bool:
    """Connect to the server, fill the coordinators, start the WebSocket in the background."""
    device_id = await async_get_device_id(hass)
    try:
        client = await async_create_client(hass, entry.data, device_id)
    except InvalidHostError as err:
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="invalid_host") from err
    except InvalidArgumentError as err:
        # A stored key no request could carry (edited by hand): ask for a new one.
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err

    async def _async_close() -> None:
        # The core hands back an asyncio future; Home Assistant schedules coroutines.
        await client.close()

    async def _async_close_on_stop(_: Event) -> None:
        await _async_close()

    # Runs on unload and when setup fails below: stops the core's tasks and its connections.
    entry.async_on_unload(_async_close)
    # A plain listener, not listen_once: unloading after the stop event fired would remove a
    # once-listener that is already gone, which Home Assistant logs as an error. Closing twice
    # is harmless.
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _async_close_on_stop))

    # The server answer first: it proves the key (401 -> reauth) and names the server device.
    server = EmbyServerCoordinator(hass, entry, client)
    await server.async_config_entry_first_refresh()
    server_info = server.data.info

    options = EmbyOptions.from_entry(entry)
    user_id = options.user_id
    users = await _async_get_users(client)
    async_check_chosen_user(hass, entry, users, user_id)
    # Counts that need a user (artists, collections, per library): the entry's, else an admin.
    admins = [user["id"] for user in users if user["is_administrator"] and not user["is_disabled"]]
    counting_user = user_id or next(iter(admins), None)
    sessions = EmbySessionCoordinator(hass, entry, client, server_info, device_id)
    library = EmbyLibraryCoordinator(hass, entry, client, counting_user)
    discovery: dict[str, EmbyDiscoveryCoordinator] = {}
    if options.enable_discovery_sensors:
        names = {user["id"]: user["name"] for user in users if not user["is_disabled"]}
        targets = {user_id: names.get(user_id, user_id)} if user_id is not None else names
        discovery = {
            uid: EmbyDiscoveryCoordinator(hass, entry, client, uid, name)
            for uid, name in targets.items()
        }
    await asyncio.gather(
        sessions.async_config_entry_first_refresh(),
        library.async_config_entry_first_refresh(),
        *(coordinator.async_config_entry_first_refresh() for coordinator in discovery.values()),
    )

    runtime = EmbyRuntimeData(
        client=client,
        server_info=server_info,
        sessions=sessions,
        library=library,
        server=server,
        discovery=discovery,
        extra=EmbyExtraCoordinators(hass, entry, client),
    )
    entry.runtime_data = runtime

    async_setup_server_device(hass, entry)
    # Housekeeping (ignored and purged clients) after every session change; it also keeps the
    # session coordinator polling when no entity listens.
    sessions.async_housekeeping()
    entry.async_on_unload(
        sessions.async_add_listener(sessions.async_housekeeping, SessionTopic.MEMBERS)
    )
    entry.async_on_unload(sessions.async_save_last_seen)

    event_bus = async_setup_event_bus(hass, entry)
    async_track_requests(hass, entry, dt_util.utcnow())
    issues = async_setup_issues(
        hass, entry, websocket_enabled=options.enable_websocket, user_id=options.user_id
    )

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)

    if options.enable_websocket:
        entry.async_create_background_task(
            hass,
            async_run_event_loop(
                hass,
                entry,
                options.websocket_interval,
                (event_bus.async_handle, issues.async_handle),
            ),
            name=f"{DOMAIN} websocket {entry.title}",
        )
    else:
        LOGGER.debug("WebSocket disabled: polling sessions every %s", sessions.update_interval)
    return True


async def _async_get_users(client: EmbyClient) -> list[User]:
    """The server's users (the counting user, the discovery coordinators), failing as the first
    refreshes do: a rejected key starts reauthentication, anything else is retried later."""
    try:
        return await client.get_users()
    except EmbyAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except EmbyError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=error_translation_key(err, "update_failed"),
            translation_placeholders={"error": str(err)},
        ) from err


async def async_unload_entry(hass: HomeAssistant, entry: EmbyConfigEntry) -> bool:
    """Unload the platforms; the client closes through `async_on_unload`."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: EmbyConfigEntry) -> None:
    """Forget the clients' last-seen times of a deleted entry."""
    await last_seen_store(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: EmbyConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting the device of a client that is not connected now (never the server's
    or a user's)."""
    sessions = entry.runtime_data.sessions
    return not any(
        domain == DOMAIN and (not sessions.is_client_key(key) or key in sessions.data)
        for domain, key in device.identifiers
    )
