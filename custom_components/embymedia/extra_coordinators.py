"""Coordinators of data that only some entities show: the activity log, devices, plugins and
live TV. None is fetched at setup; the first entity that listens asks for the first fetch, so a
source whose entities are all disabled costs no request at all."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, override

from embymedia_core import EmbyClient
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import PUSHED_SAFETY_INTERVAL, SERVER_PUSHED_INTERVAL
from .coordinator import EmbyConfigEntry, EmbyCoordinator
from .options import EmbyOptions

if TYPE_CHECKING:
    from embymedia_core import ActivityLogEntry, Device, LiveTvInfo, Plugin

# Entries of today's activity log asked for at most (a day of a busy server; the newest first).
ACTIVITY_LIMIT: Final = 200
# Activity-log entry types of playback, as Emby 4.8 and older servers log them.
PLAYBACK_START_TYPES: Final = frozenset({"playback.start", "VideoPlayback", "AudioPlayback"})
PLAYBACK_STOP_TYPES: Final = frozenset(
    {"playback.stop", "VideoPlaybackStopped", "AudioPlaybackStopped"}
)


@dataclass(frozen=True, slots=True)
class ActivityData:
    """Today's activity-log entries, newest first, and the newest entry of all."""

    entries: list[ActivityLogEntry]
    last: ActivityLogEntry | None
    since: datetime


def entry_time(entry: ActivityLogEntry) -> datetime | None:
    """When an entry was logged (None when Emby left the date out or sent nonsense)."""
    if (date := entry["date"]) is None or (parsed := dt_util.parse_datetime(date)) is None:
        return None
    return dt_util.as_utc(parsed)


def watch_minutes(data: ActivityData, user_id: str | None = None) -> float:
    """Minutes of playback today (one user's, or everybody's): each stop entry closes the
    start entry of the same user and item; playback still going is counted once it stops."""
    started: dict[tuple[str | None, str | None], datetime] = {}
    seconds = 0.0
    for entry in reversed(data.entries):  # oldest first
        if user_id is not None and entry["user_id"] != user_id:
            continue
        if (when := entry_time(entry)) is None:
            continue
        key = (entry["user_id"], entry["item_id"])
        if entry["type"] in PLAYBACK_START_TYPES:
            started[key] = when
        elif entry["type"] in PLAYBACK_STOP_TYPES and (start := started.pop(key, None)):
            seconds += max((when - start).total_seconds(), 0.0)
    return round(seconds / 60, 1)


class EmbyOnDemandCoordinator[DataT](EmbyCoordinator[DataT]):
    """A source fetched only once an entity listens (`async_request_first`), then every
    `server_scan_interval` while polling and at `pushed_interval` while the WebSocket pushes
    its changes."""

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: EmbyConfigEntry,
        client: EmbyClient,
        *,
        name: str,
        fetch: Callable[[], Awaitable[DataT]],
        pushed_interval: timedelta,
    ) -> None:
        """Initialize the source (nothing is fetched here)."""
        super().__init__(
            hass,
            config_entry,
            client,
            name=name,
            update_interval=timedelta(
                minutes=EmbyOptions.from_entry(config_entry).server_scan_interval
            ),
            pushed_interval=pushed_interval,
        )
        self._fetch = fetch

    @override
    async def _async_fetch(self) -> DataT:
        return await self._fetch()


class EmbyActivityCoordinator(EmbyOnDemandCoordinator[ActivityData]):
    """Today's activity log: fetched once, then kept by the pushed ActivityLogEntry frames."""

    def __init__(
        self, hass: HomeAssistant, config_entry: EmbyConfigEntry, client: EmbyClient
    ) -> None:
        """Initialize the activity source."""
        super().__init__(
            hass,
            config_entry,
            client,
            name="activity",
            fetch=self._async_fetch_today,
            pushed_interval=SERVER_PUSHED_INTERVAL,
        )

    async def _async_fetch_today(self) -> ActivityData:
        since = dt_util.as_utc(dt_util.start_of_local_day())
        today = await self.client.get_activity_log(
            limit=ACTIVITY_LIMIT, min_date=since.isoformat().replace("+00:00", "Z")
        )
        entries = today["items"]
        last = entries[0] if entries else None
        if last is None:  # a quiet day: the last entry is older
            older = await self.client.get_activity_log(limit=1)
            last = older["items"][0] if older["items"] else None
        return ActivityData(entries=entries, last=last, since=since)

    @callback
    def async_add_entries(self, entries: list[ActivityLogEntry]) -> None:
        """Take entries pushed by the WebSocket (newest last in a frame)."""
        if self.data is None or not entries:
            return
        newest_first = list(reversed(entries))
        known = {entry["id"] for entry in self.data.entries}
        fresh = [entry for entry in newest_first if entry["id"] not in known]
        if not fresh:
            return
        self.async_set_updated_data(
            replace(self.data, entries=fresh + self.data.entries, last=fresh[0])
        )


@dataclass(frozen=True, slots=True)
class LiveTvData:
    """Live TV: whether it is on and, when it is, its recordings and timers."""

    info: LiveTvInfo
    recordings: int | None
    active_recordings: int | None
    timers: int | None
    series_timers: int | None


class EmbyExtraCoordinators:
    """The on-demand sources of one entry."""

    def __init__(
        self, hass: HomeAssistant, config_entry: EmbyConfigEntry, client: EmbyClient
    ) -> None:
        """Create the sources (no I/O)."""
        self.client = client
        self.activity = EmbyActivityCoordinator(hass, config_entry, client)
        self.devices: EmbyOnDemandCoordinator[list[Device]] = EmbyOnDemandCoordinator(
            hass,
            config_entry,
            client,
            name="devices",
            fetch=client.get_devices,
            # New devices announce themselves as new sessions (see events.py).
            pushed_interval=PUSHED_SAFETY_INTERVAL,
        )
        self.plugins: EmbyOnDemandCoordinator[list[Plugin]] = EmbyOnDemandCoordinator(
            hass,
            config_entry,
            client,
            name="plugins",
            fetch=client.get_plugins,
            # PackageInstall*/PluginUninstalled are pushed.
            pushed_interval=PUSHED_SAFETY_INTERVAL,
        )
        self.live_tv: EmbyOnDemandCoordinator[LiveTvData] = EmbyOnDemandCoordinator(
            hass,
            config_entry,
            client,
            name="live_tv",
            fetch=self._async_live_tv,
            # Emby pushes nothing about recordings and timers: polled hourly.
            pushed_interval=SERVER_PUSHED_INTERVAL,
        )

    def all(self) -> tuple[EmbyCoordinator[Any], ...]:
        """Every source."""
        return (self.activity, self.devices, self.plugins, self.live_tv)

    async def _async_live_tv(self) -> LiveTvData:
        client = self.client
        info = await client.get_live_tv_info()
        if not info["is_enabled"]:
            return LiveTvData(
                info=info, recordings=None, active_recordings=None, timers=None, series_timers=None
            )
        recordings, active, timers, series = await asyncio.gather(
            client.get_recordings(limit=0),
            client.get_recordings(is_in_progress=True, limit=0),
            client.get_timers(),
            client.get_series_timers(),
        )
        return LiveTvData(
            info=info,
            recordings=recordings["total_record_count"],
            active_recordings=active["total_record_count"],
            timers=timers["total_record_count"],
            series_timers=series["total_record_count"],
        )
