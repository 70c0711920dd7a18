"""Coordinators of the Emby Media integration (the WebSocket feeds them through events.py).

Polling follows docs/EFFICIENCY.md: sessions every `scan_interval` (60 s safety net while the
WebSocket pushes them), library every hour (refreshed on LibraryChanged), server every 5 minutes,
discovery every 30 minutes per user (refreshed on UserDataChanged, PlaybackStopped and
LibraryChanged). Every request, cache and metric lives in the Rust core; Python only decides when.
"""

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, override

from embymedia_core import EmbyAuthError, EmbyClient, EmbyError
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    COORDINATOR_DISCOVERY,
    COORDINATOR_LIBRARY,
    COORDINATOR_SERVER,
    COORDINATOR_SESSIONS,
    DISCOVERY_EVENT_DELAY,
    DISCOVERY_SCAN_INTERVAL,
    DOMAIN,
    EVENT_REFRESH_COOLDOWN,
    LOGGER,
    WEB_PLAYER_CLIENTS,
    WEBSOCKET_FALLBACK_INTERVAL,
)
from .errors import error_translation_key
from .options import EmbyOptions

if TYPE_CHECKING:
    from embymedia_core import (
        Item,
        ItemCounts,
        ItemsResult,
        ScheduledTask,
        Session,
        SystemInfo,
        VirtualFolder,
    )

# How many discovery rows (latest, resume, next up) to keep per user.
DISCOVERY_LIMIT = 20
# Last-seen bookkeeping for the purge option.
LAST_SEEN_STORAGE_VERSION = 1
LAST_SEEN_SAVE_DELAY = 60.0


type EmbyConfigEntry = ConfigEntry[EmbyRuntimeData]


def is_web_player(session: Session) -> bool:
    """Whether the session is a browser player (Emby Web and its mobile variant)."""
    return session.client in WEB_PLAYER_CLIENTS


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
        request_refresh_debouncer: Debouncer[Any] | None = None,
    ) -> None:
        """Initialize the coordinator (never updates listeners with unchanged data)."""
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
    pushes sessions (`async_set_sessions`, `async_apply_session`) and the poll runs every 60 s as a
    safety net, and only sends a request when no push came in the last 60 s.
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
        )
        self.server_id: str = server_info["id"]
        self.server_name: str = server_info["server_name"]
        self.own_device_id = own_device_id
        self.user_id = options.user_id
        self.ignored_devices = options.ignored_devices
        self.ignore_web_players = options.ignore_web_players
        self.purge_after_days = options.purge_after_days
        self.websocket_connected = False
        # Device id -> name of every client ever seen (seeded from the device registry, so clients
        # that are offline now still appear in the options flow).
        self.known_devices: dict[str, str] = {}
        # Device ids seen in the last answer that we keep out (ignored, web players).
        self.excluded_devices: set[str] = set()
        # Device id -> last activity (UTC), for the purge option.
        self.last_seen: dict[str, datetime] = {}
        self._last_seen_store = last_seen_store(hass, config_entry.entry_id)
        # Loop time of the last session push (None: none since the socket connected).
        self.last_push: float | None = None
        self.push_count = 0
        self.poll_count = 0

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
                if domain == DOMAIN and device_id != self.server_id:
                    self.known_devices[device_id] = device.name_by_user or device.name or device_id

    @override
    async def _async_update_data(self) -> dict[str, Session]:
        """Poll, unless the WebSocket pushed sessions recently (then keep what it pushed)."""
        if (
            self.websocket_connected
            and self.data is not None
            and self.last_push is not None
            and self.hass.loop.time() - self.last_push < WEBSOCKET_FALLBACK_INTERVAL
        ):
            return self.data
        return await super()._async_update_data()

    @override
    async def _async_fetch(self) -> dict[str, Session]:
        sessions = await self.client.get_sessions()
        self.poll_count += 1
        return self._async_build(sessions)

    def _wanted(self, session: Session) -> bool:
        """Whether the session gets entities."""
        device_id = session.device_id
        if device_id in self.ignored_devices:
            return False
        if self.ignore_web_players and is_web_player(session):
            return False
        return session.supports_remote_control

    def _track(self, session: Session) -> bool:
        """Remember a client (name, last activity). False for sessions that are not clients."""
        device_id = session.device_id
        if not device_id or device_id in (self.own_device_id, self.server_id):
            return False
        self.known_devices[device_id] = session.device_name or device_id
        if (activity := session.last_activity_date) and (
            seen := dt_util.parse_datetime(activity)
        ) is not None:
            seen = dt_util.as_utc(seen)
            if device_id not in self.last_seen or seen > self.last_seen[device_id]:
                self.last_seen[device_id] = seen
                self._last_seen_store.async_delay_save(self._last_seen_data, LAST_SEEN_SAVE_DELAY)
        return True

    def _last_seen_data(self) -> dict[str, str]:
        return {device_id: seen.isoformat() for device_id, seen in self.last_seen.items()}

    def _async_build(self, sessions: Iterable[Session]) -> dict[str, Session]:
        """Filter a full session list into coordinator data (newest session per device)."""
        data: dict[str, Session] = {}
        excluded: set[str] = set()
        for session in sessions:
            if not self._track(session):
                continue
            device_id = session.device_id
            if not self._wanted(session):
                excluded.add(device_id)
                continue
            previous = data.get(device_id)
            if previous is None or (session.last_activity_date or "") >= (
                previous.last_activity_date or ""
            ):
                data[device_id] = session
        self.excluded_devices = excluded
        return data

    @callback
    def _async_push(self, data: dict[str, Session]) -> None:
        """Take pushed data; listeners only hear of it when something changed."""
        self.last_push = self.hass.loop.time()
        self.push_count += 1
        if data != self.data or not self.last_update_success:
            self.async_set_updated_data(data)

    @callback
    def async_set_sessions(self, sessions: list[Session]) -> None:
        """Take a full session list pushed by the WebSocket."""
        self._async_push(self._async_build(sessions))

    @callback
    def async_apply_session(self, session: Session, *, ended: bool = False) -> None:
        """Take one session from a playback or session-ended event."""
        if not self._track(session):
            return
        data = dict(self.data or {})
        device_id = session.device_id
        if ended or not self._wanted(session):
            data.pop(device_id, None)
        else:
            data[device_id] = session
        self._async_push(data)

    @callback
    def async_set_websocket_connected(self, connected: bool) -> None:
        """Switch between the configured interval and the 60 s fallback, effective at once."""
        if connected == self.websocket_connected:
            return
        self.websocket_connected = connected
        self.last_push = None
        self.update_interval = (
            timedelta(seconds=WEBSOCKET_FALLBACK_INTERVAL) if connected else self.scan_interval
        )
        LOGGER.debug(
            "WebSocket %s: polling sessions every %s",
            "connected" if connected else "disconnected",
            self.update_interval,
        )
        if self._listeners:
            self._schedule_refresh()

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
            if device_id is None or device_id == self.server_id or device_id in active:
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
                    self._last_seen_store.async_delay_save(
                        self._last_seen_data, LAST_SEEN_SAVE_DELAY
                    )
                else:
                    remove = seen < purge_before
            if remove:
                LOGGER.debug("Removing device %s (%s)", device.name, device_id)
                device_registry.async_remove_device(device.id)

    async def async_save_last_seen(self) -> None:
        """Write the last-seen bookkeeping now (unload)."""
        await self._last_seen_store.async_save(self._last_seen_data())


@dataclass(frozen=True, slots=True)
class EmbyLibraryData:
    """Libraries and item counts."""

    folders: list[VirtualFolder]
    counts: ItemCounts


class EmbyLibraryCoordinator(EmbyCoordinator[EmbyLibraryData]):
    """Libraries and counts: hourly safety net, refreshed (debounced) on LibraryChanged."""

    def __init__(
        self, hass: HomeAssistant, config_entry: EmbyConfigEntry, client: EmbyClient
    ) -> None:
        """Initialize the library coordinator from the entry options."""
        options = EmbyOptions.from_entry(config_entry)
        super().__init__(
            hass,
            config_entry,
            client,
            name=COORDINATOR_LIBRARY,
            update_interval=timedelta(hours=options.library_scan_interval),
            # A library scan sends LibraryChanged in bursts: one refresh per cooldown window.
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=EVENT_REFRESH_COOLDOWN, immediate=False
            ),
        )
        self.user_id = options.user_id

    @override
    async def _async_fetch(self) -> EmbyLibraryData:
        folders, counts = await asyncio.gather(
            self.client.get_virtual_folders(), self.client.get_item_counts(self.user_id)
        )
        return EmbyLibraryData(folders=folders, counts=counts)


@dataclass(frozen=True, slots=True)
class EmbyServerData:
    """Server state and its scheduled tasks."""

    info: SystemInfo
    tasks: list[ScheduledTask]


class EmbyServerCoordinator(EmbyCoordinator[EmbyServerData]):
    """Server information every `server_scan_interval` minutes (always polled).

    Scheduled tasks come with every poll while the WebSocket is down; while it is up they are
    fetched again only after the server reported a task change (ScheduledTaskEnded), and the
    ScheduledTasksInfo pushes replace them in between.
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
        )
        self.websocket_connected = False
        self.tasks_stale = True

    @override
    async def _async_fetch(self) -> EmbyServerData:
        if self.data is not None and self.websocket_connected and not self.tasks_stale:
            return replace(self.data, info=await self.client.get_system_info())
        info, tasks = await asyncio.gather(
            self.client.get_system_info(), self.client.get_scheduled_tasks()
        )
        self.tasks_stale = False
        return EmbyServerData(info=info, tasks=tasks)

    @callback
    def async_set_tasks(self, tasks: list[ScheduledTask]) -> None:
        """Take scheduled tasks pushed by the WebSocket."""
        if self.data is not None and tasks != self.data.tasks:
            self.async_set_updated_data(replace(self.data, tasks=tasks))


@dataclass(frozen=True, slots=True)
class EmbyDiscoveryData:
    """What one user might watch next."""

    latest: list[Item]
    resume: ItemsResult
    next_up: ItemsResult


class DiscoveryRow(StrEnum):
    """One row of a user's discovery data (one Emby request each)."""

    LATEST = "latest"
    RESUME = "resume"
    NEXT_UP = "next_up"


ALL_DISCOVERY_ROWS: Final = frozenset(DiscoveryRow)
# Playback and user data move resume points and next episodes; "recently added" changes only
# with the library, so these events leave it alone.
USER_EVENT_ROWS: Final = frozenset({DiscoveryRow.RESUME, DiscoveryRow.NEXT_UP})
# A timed refresh may fire a moment before 30 minutes have passed since the last full fetch.
DISCOVERY_SCHEDULE_SLACK: Final = timedelta(seconds=5)


class EmbyDiscoveryCoordinator(EmbyCoordinator[EmbyDiscoveryData]):
    """Discovery rows of one user: all of them every 30 minutes; earlier, after events, only the
    rows those events made stale (`async_refresh_rows`)."""

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: EmbyConfigEntry,
        client: EmbyClient,
        user_id: str,
        user_name: str,
    ) -> None:
        """Initialize the discovery coordinator of one user."""
        super().__init__(
            hass,
            config_entry,
            client,
            name=COORDINATOR_DISCOVERY,
            update_interval=DISCOVERY_SCAN_INTERVAL,
            # Trailing: the events of one playback stop, or of one burst, cost one refresh.
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=DISCOVERY_EVENT_DELAY, immediate=False
            ),
        )
        self.user_id = user_id
        self.user_name = user_name
        self._stale_rows: set[DiscoveryRow] = set()
        self._all_fetched_at: datetime | None = None

    async def async_refresh_rows(self, rows: Iterable[DiscoveryRow]) -> None:
        """Mark rows stale and refresh them after the event delay (debounced)."""
        self._stale_rows.update(rows)
        await self.async_request_refresh()

    def _rows_due(self) -> frozenset[DiscoveryRow]:
        """Every row on the first fetch, on a timed refresh and once the last full fetch is 30
        minutes old; otherwise only the rows events made stale."""
        if self.data is None or self._all_fetched_at is None or not self._stale_rows:
            return ALL_DISCOVERY_ROWS
        if (
            dt_util.utcnow() - self._all_fetched_at
            >= DISCOVERY_SCAN_INTERVAL - DISCOVERY_SCHEDULE_SLACK
        ):
            return ALL_DISCOVERY_ROWS
        return frozenset(self._stale_rows)

    @override
    async def _async_fetch(self) -> EmbyDiscoveryData:
        rows = self._rows_due()
        previous = self.data
        # This coordinator is the 30-minute cache of these rows: a refresh must reach the server.
        # (The core's discovery cache has the same 30-minute TTL, so a timed refresh would
        # otherwise often get the rows it fetched last time.)
        self.client.invalidate_user(self.user_id)
        latest, resume, next_up = await asyncio.gather(
            self.client.get_latest(self.user_id, limit=DISCOVERY_LIMIT)
            if previous is None or DiscoveryRow.LATEST in rows
            else _unchanged(previous.latest),
            self.client.get_resume(self.user_id, limit=DISCOVERY_LIMIT)
            if previous is None or DiscoveryRow.RESUME in rows
            else _unchanged(previous.resume),
            self.client.get_next_up(self.user_id, limit=DISCOVERY_LIMIT)
            if previous is None or DiscoveryRow.NEXT_UP in rows
            else _unchanged(previous.next_up),
        )
        # Only a fetch that succeeded clears what it fetched (a failed one leaves it stale).
        self._stale_rows -= rows
        if rows == ALL_DISCOVERY_ROWS:
            self._all_fetched_at = dt_util.utcnow()
        return EmbyDiscoveryData(latest=latest, resume=resume, next_up=next_up)


async def _unchanged[T](value: T) -> T:
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
