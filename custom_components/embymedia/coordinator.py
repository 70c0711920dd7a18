"""Coordinators of the Emby Media integration (the WebSocket feeds them through events.py).

Without the WebSocket, polling follows docs/EFFICIENCY.md: sessions every `scan_interval`,
library every hour, server every 5 minutes, discovery every 30 minutes per user. While the
WebSocket pushes, timers are only safety nets (sessions after 30 quiet minutes, server hourly,
discovery every 6 hours, library daily) and events refresh exactly the rows they change
(docs/ENTITIES.md). Every request, cache and metric lives in the Rust core; Python only decides
when.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, override

from embymedia_core import EmbyAuthError, EmbyClient, EmbyClosedError, EmbyError
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    COORDINATOR_LIBRARY,
    COORDINATOR_SERVER,
    COORDINATOR_SESSIONS,
    DOMAIN,
    EVENT_REFRESH_COOLDOWN,
    LOGGER,
    PUSHED_SAFETY_INTERVAL,
    SERVER_PUSHED_INTERVAL,
    WEB_PLAYER_CLIENTS,
    WEBSOCKET_FALLBACK_INTERVAL,
    WEBSOCKET_QUIET_LIMIT,
)
from .errors import error_translation_key
from .options import EmbyOptions
from .session_updates import ClientListeners, SessionTopic, SessionUpdate

if TYPE_CHECKING:
    from embymedia_core import (
        Item,
        ItemCounts,
        ScheduledTask,
        Session,
        SessionsEvent,
        SystemInfo,
        VirtualFolder,
    )

    from .discovery import EmbyDiscoveryCoordinator
    from .extra_coordinators import EmbyExtraCoordinators

# Last-seen bookkeeping for the purge option.
LAST_SEEN_STORAGE_VERSION = 1
LAST_SEEN_SAVE_DELAY = 60.0


type EmbyConfigEntry = ConfigEntry[EmbyRuntimeData]

# Before Home Assistant 2026.8 a device could belong to several config entries (two servers that
# see the same client share its device); since then each entry has its own.
_SHARED_DEVICES: Final = not hasattr(dr.DeviceEntry, "config_entry_id")


def is_web_player(session: Session) -> bool:
    """Whether the session is a browser player (Emby Web and its mobile variant)."""
    return session.client in WEB_PLAYER_CLIENTS


def is_playing(session: Session | None) -> bool:
    """Whether the client plays something (theme media, played while browsing, is nothing)."""
    return session is not None and session.is_playing


def last_seen_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, str]]:
    """Where the last activity of every client of an entry is kept (for the purge option)."""
    return Store(hass, LAST_SEEN_STORAGE_VERSION, f"{DOMAIN}.{entry_id}.last_seen")


class EmbyCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Base coordinator: times every fetch, records it in the core and maps core errors."""

    config_entry: EmbyConfigEntry
    metric_name: str

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: EmbyConfigEntry,
        client: EmbyClient,
        *,
        name: str,
        update_interval: timedelta,
        pushed_interval: timedelta | None = None,
        request_refresh_debouncer: Debouncer[Any] | None = None,
    ) -> None:
        """Initialize the coordinator (never updates listeners with unchanged data).

        `update_interval` applies while the WebSocket is down; `pushed_interval` (a safety net,
        default the same) while it is up and pushes what this coordinator holds.
        """
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=f"{DOMAIN} {name}",
            update_interval=update_interval,
            always_update=False,
            request_refresh_debouncer=request_refresh_debouncer,
        )
        self.client = client
        self.metric_name = name
        self.polled_interval = update_interval
        self.pushed_interval = pushed_interval or update_interval
        self.websocket_connected = False
        # Optional rows (data only some entities show) -> how many entities listen to each: a
        # disabled entity listens to nothing, so its row costs no request.
        self._demand: Counter[str] = Counter()
        self._first_requested = False

    def wants(self, row: str) -> bool:
        """Whether an entity listens to an optional row."""
        return self._demand[row] > 0

    @callback
    def async_want(self, row: str) -> Callable[[], None]:
        """An entity shows `row`: fetch it from now on (and soon, if never fetched)."""
        self._demand[row] += 1
        if self.data is not None and not self._has_row(row):
            self._async_fetch_row(row)

        @callback
        def _release() -> None:
            self._demand[row] -= 1

        return _release

    def _has_row(self, row: str) -> bool:
        """Whether the data holds an optional row (subclasses with optional rows override)."""
        return True

    @callback
    def _async_fetch_row(self, row: str) -> None:
        """Fetch a row an entity just asked for."""
        self._async_spawn_refresh()

    @callback
    def _async_spawn_refresh(self) -> None:
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), name=f"{self.name} refresh"
        )

    @callback
    def async_request_first(self) -> None:
        """An entity listens: fetch now unless that already happened or was asked for (the
        entities of one source are added together: one fetch)."""
        if self.data is None and not self._first_requested:
            self._first_requested = True
            self._async_spawn_refresh()

    @callback
    def async_set_websocket_connected(self, connected: bool) -> None:
        """Poll at the safety-net interval while the WebSocket pushes, else at the polled one."""
        if connected == self.websocket_connected:
            return
        self.websocket_connected = connected
        self.update_interval = self.pushed_interval if connected else self.polled_interval
        if self._listeners:
            self._schedule_refresh()

    async def _async_fetch(self) -> DataT:
        """Fetch fresh data from the core."""
        raise NotImplementedError

    @override
    async def _async_update_data(self) -> DataT:
        """Fetch, record the update in the core metrics, map errors."""
        start = time.monotonic()
        success = False
        try:
            data = await self._async_fetch()
            success = True
        except EmbyAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except EmbyClosedError as err:
            # Home Assistant is stopping or the entry unloading: the data stays as it was, and
            # an error here would only be noise in the log of a shutdown.
            if self.data is None:
                raise UpdateFailed(
                    translation_domain=DOMAIN, translation_key="client_closed"
                ) from err
            LOGGER.debug("%s: the client closed during a refresh", self.name)
            return self.data
        except EmbyError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=error_translation_key(err, "update_failed"),
                translation_placeholders={"error": str(err)},
            ) from err
        finally:
            self.client.record_coordinator_update(
                self.metric_name, time.monotonic() - start, success
            )
        return data


class EmbySessionCoordinator(EmbyCoordinator[dict[str, "Session"]]):
    """Remote-controllable clients keyed by Emby DeviceId.

    Polled every `scan_interval` seconds while the WebSocket is down. While it is up, the WebSocket
    pushes sessions (`async_apply_changes`, `async_apply_sessions`) and the poll runs every 60 s
    as a safety net, and only sends a request when no push came in the last 30 minutes.

    Polls and pushes alike come from the core as the sessions that changed since the last ones
    handed over; an update tells only the listeners of what changed (`session_updates`).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: EmbyConfigEntry,
        client: EmbyClient,
        server_info: SystemInfo,
        own_device_id: str,
    ) -> None:
        """Initialize the session coordinator from the entry options."""
        options = EmbyOptions.from_entry(config_entry)
        self.scan_interval = timedelta(seconds=options.scan_interval)
        super().__init__(
            hass,
            config_entry,
            client,
            name=COORDINATOR_SESSIONS,
            update_interval=self.scan_interval,
            pushed_interval=timedelta(seconds=WEBSOCKET_FALLBACK_INTERVAL),
        )
        self.server_id: str = server_info["id"]
        self.server_name: str = server_info["server_name"]
        self.own_device_id = own_device_id
        self.user_id = options.user_id
        self.ignored_devices = options.ignored_devices
        self.ignore_web_players = options.ignore_web_players
        self.purge_after_days = options.purge_after_days
        # Device id -> name of every client ever seen (seeded from the device registry, so clients
        # that are offline now still appear in the options flow).
        self.known_devices: dict[str, str] = {}
        # Device ids seen in the last answer that we keep out (ignored, web players).
        self.excluded_devices: set[str] = set()
        # Device id -> last activity (UTC), for the purge option.
        self.last_seen: dict[str, datetime] = {}
        # Device id -> the LastActivityDate text last parsed.
        self._activity: dict[str, str] = {}
        self._last_seen_save_pending = False
        self._last_seen_store = last_seen_store(hass, config_entry.entry_id)
        # Loop time of the last session push (None: none since the socket connected).
        self.last_push: float | None = None
        self.push_count = 0
        self.poll_count = 0
        self._updates = ClientListeners(hass, config_entry, self.name)
        # What the next update changed (None: everything, e.g. a failed poll).
        self._update: SessionUpdate | None = None
        self._told_success = True
        # The clients the last update told of changed (None: any of them).
        self.last_changed: set[str] | None = None

    @override
    async def _async_setup(self) -> None:
        """Load the last-seen bookkeeping and the names of clients seen before."""
        stored = await self._last_seen_store.async_load() or {}
        for device_id, iso in stored.items():
            if (seen := dt_util.parse_datetime(iso)) is not None:
                self.last_seen[device_id] = dt_util.as_utc(seen)
        device_registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(
            device_registry, self.config_entry.entry_id
        ):
            for domain, device_id in device.identifiers:
                if domain == DOMAIN and self.is_client_key(device_id):
                    self.known_devices[device_id] = device.name_by_user or device.name or device_id

    @override
    async def _async_update_data(self) -> dict[str, Session]:
        """Poll, unless the WebSocket pushed sessions recently (then keep what it pushed)."""
        if (
            self.websocket_connected
            and self.data is not None
            and self.last_push is not None
            and self.hass.loop.time() - self.last_push < WEBSOCKET_QUIET_LIMIT
        ):
            return self.data
        return await super()._async_update_data()

    @override
    async def _async_fetch(self) -> dict[str, Session]:
        changes = await self.client.get_session_changes()
        self.poll_count += 1
        return self._async_apply_changes(changes)

    def _wanted(self, session: Session, device_id: str) -> bool:
        """Whether the session (of client `device_id`) gets entities."""
        if device_id in self.ignored_devices:
            return False
        # Clients that cannot be remote controlled (Infuse, DLNA renderers) are kept: they
        # show as media players without controls, so "who watches what" is complete.
        return not (self.ignore_web_players and is_web_player(session))

    def _track(self, session: Session, device_id: str) -> bool:
        """Remember a client (name, last activity). False for sessions that are not clients."""
        if not device_id or device_id in (self.own_device_id, self.server_id):
            return False
        self.known_devices[device_id] = session.device_name or device_id
        activity = session.last_activity_date
        # Most updates repeat the activity date: parsed only when it changed.
        if activity and activity != self._activity.get(device_id):
            self._activity[device_id] = activity
            if (seen := dt_util.parse_datetime(activity)) is not None:
                seen = dt_util.as_utc(seen)
                if device_id not in self.last_seen or seen > self.last_seen[device_id]:
                    self.last_seen[device_id] = seen
                    self._async_save_last_seen()
        return True

    @callback
    def _async_save_last_seen(self) -> None:
        """Save the last-seen dates within LAST_SEEN_SAVE_DELAY. Not pushed back by later
        changes: the store's delayed save starts its delay again at every call, so a client
        active all day would never be saved until Home Assistant stops."""
        if not self._last_seen_save_pending:
            self._last_seen_save_pending = True
            self._last_seen_store.async_delay_save(self._last_seen_data, LAST_SEEN_SAVE_DELAY)

    def _last_seen_data(self) -> dict[str, str]:
        self._last_seen_save_pending = False
        return {device_id: seen.isoformat() for device_id, seen in self.last_seen.items()}

    def _async_apply(
        self, changes: Iterable[tuple[Session, bool]], removed: Iterable[str] = ()
    ) -> dict[str, Session]:
        """The data after `changes` (a session and whether it ended) and the clients that left;
        what changed is recorded for the next update of the listeners. Costs what changed,
        not what the server has."""
        data = dict(self.data or {})
        update = self._update if self._update is not None else SessionUpdate()
        for device_id in removed:
            self.excluded_devices.discard(device_id)
            self._set(data, update, device_id, None)
        for session, ended in changes:
            # Each read of a field makes a new Python object: the DeviceId is read once.
            device_id = session.device_id
            if not self._track(session, device_id):
                continue
            if ended or not self._wanted(session, device_id):
                # Kept out while connected (housekeeping removes its device); gone: forgotten.
                if ended:
                    self.excluded_devices.discard(device_id)
                else:
                    self.excluded_devices.add(device_id)
                self._set(data, update, device_id, None)
            else:
                self.excluded_devices.discard(device_id)
                self._set(data, update, device_id, session)
        self._update = update
        return data

    @staticmethod
    def _set(
        data: dict[str, Session], update: SessionUpdate, device_id: str, session: Session | None
    ) -> None:
        before = data.pop(device_id, None) if session is None else data.get(device_id)
        if session is not None:
            data[device_id] = session
        if before is session:
            return
        update.devices.add(device_id)
        if before is None or session is None:
            update.arrived_or_left.add(device_id)
            update.topics.add(SessionTopic.MEMBERS)
        if is_playing(before) or is_playing(session):
            update.topics.add(SessionTopic.PLAYING)

    def _async_apply_changes(self, changes: SessionsEvent) -> dict[str, Session]:
        return self._async_apply(
            [(session, False) for session in changes["sessions"]], changes["removed"]
        )

    @callback
    def _async_push(self, data: dict[str, Session]) -> None:
        """Take pushed data; listeners only hear of it when something changed (compared for
        the clients the push named, not for all of them).

        Not `async_set_updated_data`: it would move the safety-net poll on every push, which
        the poll's own check of the last push already makes pointless.
        """
        self.last_push = self.hass.loop.time()
        self.push_count += 1
        before = self.data or {}
        update = self._update
        changed = update is not None and any(
            before.get(device_id) != data.get(device_id) for device_id in update.devices
        )
        if changed or not self.last_update_success:
            self.data = data
            self.last_update_success = True
            self.async_update_listeners()
        else:
            self._update = None

    @callback
    def async_apply_changes(self, changes: SessionsEvent) -> None:
        """Take the changes of a pushed `Sessions` snapshot (the core compared it)."""
        self._async_push(self._async_apply_changes(changes))

    @callback
    def async_apply_session(self, session: Session, *, ended: bool = False) -> None:
        """Take one session from a playback or session-ended event."""
        self.async_apply_sessions([(session, ended)])

    @callback
    def async_apply_sessions(self, changes: Iterable[tuple[Session, bool]]) -> None:
        """Take the sessions of a run of playback and session-ended events, in order (`True`:
        the session ended). One copy of the data and one update for the whole run, however
        many events it had: a burst costs what one event does."""
        self._async_push(self._async_apply(changes))

    @callback
    @override
    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> Callable[[], None]:
        """Listen to every update (no context), to one client's (its DeviceId), to one
        client's coming and going (`ClientPresence`) or to a `SessionTopic`."""
        remove = super().async_add_listener(update_callback, context)
        unindex = self._updates.add(update_callback, context)

        @callback
        def _remove() -> None:
            unindex()
            remove()

        return _remove

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Tell the listeners of what changed; everyone when the update was not a set of
        changes or availability changed."""
        update, self._update = self._update, None
        success_changed = self.last_update_success != self._told_success
        self._told_success = self.last_update_success
        if update is None or success_changed:
            self.last_changed = None
            self._updates.async_tell_all(callback for callback, _ in self._listeners.values())
            return
        self.last_changed = update.devices
        self._updates.async_tell(update)

    @callback
    @override
    def async_set_websocket_connected(self, connected: bool) -> None:
        """Switch between the configured interval and the 60 s fallback, effective at once."""
        if connected != self.websocket_connected:
            self.last_push = None
            LOGGER.debug("WebSocket %s", "connected" if connected else "disconnected")
        super().async_set_websocket_connected(connected)

    def is_client_key(self, key: str) -> bool:
        """Whether a device identifier is a client's (not the server's or a user's)."""
        return key != self.server_id and not key.startswith(f"{self.server_id}_user_")

    @callback
    def async_housekeeping(self) -> None:
        """Remove devices of ignored clients and of clients unseen for `purge_after_days`."""
        device_registry = dr.async_get(self.hass)
        now = dt_util.utcnow()
        active = set(self.data or {})
        purge_before = (
            now - timedelta(days=self.purge_after_days) if self.purge_after_days > 0 else None
        )
        for device in dr.async_entries_for_config_entry(
            device_registry, self.config_entry.entry_id
        ):
            device_id = next((key for domain, key in device.identifiers if domain == DOMAIN), None)
            if device_id is None or not self.is_client_key(device_id) or device_id in active:
                continue
            remove = (
                device_id in self.ignored_devices
                or device_id in self.excluded_devices
                # A web player that is offline now (the device's model is the client app).
                or (self.ignore_web_players and device.model in WEB_PLAYER_CLIENTS)
            )
            if not remove and purge_before is not None:
                seen = self.last_seen.get(device_id)
                if seen is None:
                    # A device from before tracking started: count from now.
                    self.last_seen[device_id] = now
                    self._async_save_last_seen()
                else:
                    remove = seen < purge_before
            if remove:
                LOGGER.debug("Removing device %s (%s)", device.name, device_id)
                if _SHARED_DEVICES:
                    # Another server's entry may share the device (same DeviceId): take only
                    # this entry off it; the registry deletes it once no entry is left.
                    device_registry.async_update_device(
                        device.id, remove_config_entry_id=self.config_entry.entry_id
                    )
                else:
                    device_registry.async_remove_device(device.id)

    async def async_save_last_seen(self) -> None:
        """Write the last-seen bookkeeping now (unload)."""
        await self._last_seen_store.async_save(self._last_seen_data())


@dataclass(frozen=True, slots=True)
class LibraryStats:
    """One library (virtual folder): its playable items and the last one added."""

    item_count: int
    last_added: Item | None


class LibraryRow(StrEnum):
    """Optional library data (only fetched while an entity shows it)."""

    ARTISTS = "artists"
    COLLECTIONS = "collections"
    PLAYLISTS = "playlists"
    LIBRARIES = "libraries"


@dataclass(frozen=True, slots=True)
class EmbyLibraryData:
    """Libraries and item counts (None: a row no entity shows, hence never fetched)."""

    folders: list[VirtualFolder]
    counts: ItemCounts
    artist_count: int | None = None
    box_set_count: int | None = None
    playlist_count: int | None = None
    libraries: dict[str, LibraryStats] | None = None


def folder_item_id(folder: VirtualFolder) -> str:
    """The id of a library's items' parent (what `ParentId` takes)."""
    return folder["item_id"] or folder["id"]


# Rows enabled together (the entities of one platform) are fetched by one refresh.
ROW_FETCH_DELAY: Final = 1.0


class EmbyLibraryCoordinator(EmbyCoordinator[EmbyLibraryData]):
    """Libraries and counts: every `library_scan_interval` hours while polling; with the
    WebSocket up, refreshed (debounced) on LibraryChanged and daily as a safety net.

    Emby answers 0 for ArtistCount and BoxSetCount on /Items/Counts: artists, collections and
    playlists are counted with one `Limit=0` query each (the total, no items), so a library of
    100,000 items costs what one of 100 does.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: EmbyConfigEntry,
        client: EmbyClient,
        counting_user: str | None,
    ) -> None:
        """Initialize the library coordinator from the entry options."""
        options = EmbyOptions.from_entry(config_entry)
        super().__init__(
            hass,
            config_entry,
            client,
            name=COORDINATOR_LIBRARY,
            update_interval=timedelta(hours=options.library_scan_interval),
            pushed_interval=PUSHED_SAFETY_INTERVAL,
            # A library scan sends LibraryChanged in bursts: one refresh per cooldown window.
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=EVENT_REFRESH_COOLDOWN, immediate=False
            ),
        )
        self.user_id = options.user_id
        # Queries that need a user (artists, collections, per library) use this one.
        self.counting_user = counting_user
        self._row_debouncer = Debouncer(
            hass, LOGGER, cooldown=ROW_FETCH_DELAY, immediate=False, function=self.async_refresh
        )

    async def _async_total(self, **query: Any) -> int:
        user = self.counting_user
        assert user is not None
        result = await self.client.get_items(user, recursive=True, limit=0, **query)
        return result["total_record_count"]

    async def _async_artists(self) -> int:
        user = self.counting_user
        assert user is not None
        return (await self.client.get_artists(user, limit=0))["total_record_count"]

    async def _async_library(self, folder: VirtualFolder) -> LibraryStats:
        user = self.counting_user
        assert user is not None
        parent = folder_item_id(folder)
        count, latest = await asyncio.gather(
            self._async_total(parent_id=parent, filters=["IsNotFolder"]),
            self.client.get_latest(user, limit=1, parent_id=parent),
        )
        return LibraryStats(item_count=count, last_added=latest[0] if latest else None)

    @override
    def _has_row(self, row: str) -> bool:
        data = self.data
        return (
            data is None
            or {
                LibraryRow.ARTISTS: data.artist_count,
                LibraryRow.COLLECTIONS: data.box_set_count,
                LibraryRow.PLAYLISTS: data.playlist_count,
                LibraryRow.LIBRARIES: data.libraries,
            }.get(LibraryRow(row))
            is not None
        )

    @callback
    @override
    def _async_fetch_row(self, row: str) -> None:
        """An entity enabled later: refresh within a second, not after the event debouncer's
        cooldown (rows asked for together, as at setup, share one refresh)."""
        self.config_entry.async_create_background_task(
            self.hass, self._row_debouncer.async_call(), name=f"{self.name} {row}"
        )

    @override
    async def async_shutdown(self) -> None:
        """Cancel a pending row refresh too."""
        self._row_debouncer.async_shutdown()
        await super().async_shutdown()

    def _fetches(self, row: LibraryRow) -> bool:
        return self.counting_user is not None and self.wants(row)

    @override
    async def _async_fetch(self) -> EmbyLibraryData:
        folders, counts = await asyncio.gather(
            self.client.get_virtual_folders(), self.client.get_item_counts(self.user_id)
        )
        artists, box_sets, playlists = await asyncio.gather(
            self._async_artists() if self._fetches(LibraryRow.ARTISTS) else unchanged(None),
            self._async_total(include_item_types=["BoxSet"])
            if self._fetches(LibraryRow.COLLECTIONS)
            else unchanged(None),
            self._async_total(include_item_types=["Playlist"])
            if self._fetches(LibraryRow.PLAYLISTS)
            else unchanged(None),
        )
        libraries: dict[str, LibraryStats] | None = None
        if self._fetches(LibraryRow.LIBRARIES):
            stats = await asyncio.gather(*(self._async_library(folder) for folder in folders))
            libraries = {folder["id"]: stat for folder, stat in zip(folders, stats, strict=True)}
        return EmbyLibraryData(
            folders=folders,
            counts=counts,
            artist_count=artists,
            box_set_count=box_sets,
            playlist_count=playlists,
            libraries=libraries,
        )


@dataclass(frozen=True, slots=True)
class EmbyServerData:
    """Server state and its scheduled tasks."""

    info: SystemInfo
    tasks: list[ScheduledTask]


class EmbyServerCoordinator(EmbyCoordinator[EmbyServerData]):
    """Server information every `server_scan_interval` minutes while polling; hourly while the
    WebSocket pushes restarts and tasks (what it cannot push: the version, an update).

    Scheduled tasks come with every poll while the WebSocket is down; while it is up the
    ScheduledTasksInfo subscription pushes them (at once after every (re)connect, too).
    """

    def __init__(
        self, hass: HomeAssistant, config_entry: EmbyConfigEntry, client: EmbyClient
    ) -> None:
        """Initialize the server coordinator from the entry options."""
        super().__init__(
            hass,
            config_entry,
            client,
            name=COORDINATOR_SERVER,
            update_interval=timedelta(
                minutes=EmbyOptions.from_entry(config_entry).server_scan_interval
            ),
            pushed_interval=SERVER_PUSHED_INTERVAL,
        )

    @override
    async def _async_fetch(self) -> EmbyServerData:
        if self.data is not None and self.websocket_connected:
            # The task subscription pushes tasks (and again after every reconnect).
            return replace(self.data, info=await self.client.get_system_info())
        info, tasks = await asyncio.gather(
            self.client.get_system_info(), self.client.get_scheduled_tasks()
        )
        return EmbyServerData(info=info, tasks=tasks)

    @callback
    def async_set_tasks(self, tasks: list[ScheduledTask]) -> None:
        """Take scheduled tasks pushed by the WebSocket."""
        if self.data is not None and tasks != self.data.tasks:
            self.async_set_updated_data(replace(self.data, tasks=tasks))

    @callback
    def async_set_pending_restart(self) -> None:
        """RestartRequired: the server says so; no request needed."""
        if self.data is not None and not self.data.info["has_pending_restart"]:
            info = self.data.info.copy()
            info["has_pending_restart"] = True
            self.async_set_updated_data(replace(self.data, info=info))


async def unchanged[T](value: T) -> T:
    """A row that is still fresh, in the shape of a fetch."""
    return value


@dataclass
class EmbyRuntimeData:
    """What a loaded config entry holds (`entry.runtime_data`)."""

    client: EmbyClient
    server_info: SystemInfo
    sessions: EmbySessionCoordinator
    library: EmbyLibraryCoordinator
    server: EmbyServerCoordinator
    discovery: dict[str, EmbyDiscoveryCoordinator] = field(default_factory=dict)
    # Coordinators of data only disabled-by-default entities show (fetched once one listens).
    extra: EmbyExtraCoordinators | None = None
