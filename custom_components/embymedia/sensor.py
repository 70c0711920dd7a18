"""Sensors of the server (sessions, tasks, counts, activity, devices, plugins, live TV), of each
library and of each Emby user. Each is one frozen description with a `value_fn` over the data of
the coordinator it reads; descriptions with a `row` name optional data that is fetched only while
such a sensor is enabled."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import (
    EmbyConfigEntry,
    EmbyCoordinator,
    EmbyLibraryData,
    EmbyServerData,
    LibraryRow,
    is_playing,
)
from .discovery import DiscoveryRow, EmbyDiscoveryData
from .entity import EmbyServerEntity, EmbyUserEntity
from .extra_coordinators import ActivityData, LiveTvData, entry_time, watch_minutes
from .pictures import item_summaries, item_summary
from .session_updates import SessionTopic

if TYPE_CHECKING:
    from embymedia_core import Device, Plugin, Session, VirtualFolder

# Entities only read coordinator data.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EmbySensorEntityDescription[DataT](SensorEntityDescription):
    """A sensor: its value (and attributes) from its coordinator's data."""

    value_fn: Callable[[DataT], StateType | datetime]
    attributes_fn: Callable[[DataT], Mapping[str, Any]] | None = None
    row: str | None = None
    # The coordinator's listener context: what the value can change with (None: everything).
    listens_to: SessionTopic | None = None


def _count(
    key: str, value_fn: Callable[[Any], int | None], **kwargs: Any
) -> EmbySensorEntityDescription[Any]:
    """A count of things (no unit, a measurement)."""
    return EmbySensorEntityDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=value_fn,
        **kwargs,
    )


# -- server: sessions ---------------------------------------------------------------------------


def _playing(sessions: dict[str, Session]) -> list[Session]:
    return [session for session in sessions.values() if is_playing(session)]


def _who_plays_what(sessions: dict[str, Session]) -> Mapping[str, Any]:
    return {
        "sessions": [
            {
                "user": session.user_name,
                "client": session.client,
                "device": session.device_name,
                "title": item.name,
                "series": item.series_name,
                "type": item.type,
                "paused": session.play_state.is_paused,
                "play_method": session.play_state.play_method,
                "transcode_reasons": (
                    list(transcoding.transcode_reasons)
                    if (transcoding := session.transcoding_info) is not None
                    else None
                ),
            }
            for session in _playing(sessions)
            if (item := session.now_playing_item) is not None
        ]
    }


SESSION_SENSORS: Final[tuple[EmbySensorEntityDescription[dict[str, Session]], ...]] = (
    _count("active_sessions", len, listens_to=SessionTopic.MEMBERS),
    _count(
        "playing_sessions",
        lambda sessions: len(_playing(sessions)),
        attributes_fn=_who_plays_what,
        listens_to=SessionTopic.PLAYING,
    ),
)

# -- server: information and tasks --------------------------------------------------------------


def _running(data: EmbyServerData) -> Mapping[str, Any]:
    return {
        "tasks": [
            {"name": task["name"], "progress": task["current_progress_percentage"]}
            for task in data.tasks
            if task["state"] == "Running"
        ]
    }


SERVER_SENSORS: Final[tuple[EmbySensorEntityDescription[EmbyServerData], ...]] = (
    EmbySensorEntityDescription(
        key="version",
        translation_key="version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.info["version"],
    ),
    _count(
        "running_tasks",
        lambda data: sum(task["state"] == "Running" for task in data.tasks),
        attributes_fn=_running,
    ),
)

# -- server: library counts ---------------------------------------------------------------------


LIBRARY_SENSORS: Final[tuple[EmbySensorEntityDescription[EmbyLibraryData], ...]] = (
    _count("movies", lambda data: data.counts["movie_count"]),
    _count("series", lambda data: data.counts["series_count"]),
    _count("episodes", lambda data: data.counts["episode_count"]),
    _count("songs", lambda data: data.counts["song_count"]),
    _count("albums", lambda data: data.counts["album_count"]),
    _count(
        "music_videos",
        lambda data: data.counts["music_video_count"],
        entity_registry_enabled_default=False,
    ),
    # Emby answers 0 for these on /Items/Counts: each is one Limit=0 query, made only while
    # the sensor is enabled.
    _count(
        "artists",
        lambda data: data.artist_count,
        row=LibraryRow.ARTISTS,
        entity_registry_enabled_default=False,
    ),
    _count(
        "collections",
        lambda data: data.box_set_count,
        row=LibraryRow.COLLECTIONS,
        entity_registry_enabled_default=False,
    ),
    _count(
        "playlists",
        lambda data: data.playlist_count,
        row=LibraryRow.PLAYLISTS,
        entity_registry_enabled_default=False,
    ),
)

# -- server: activity, devices, plugins, live TV ------------------------------------------------


def _last_activity(data: ActivityData) -> Mapping[str, Any]:
    last = data.last
    if last is None:
        return {}
    return {
        "name": last["name"],
        "type": last["type"],
        "overview": last["short_overview"] or last["overview"],
        "severity": last["severity"],
    }


ACTIVITY_SENSORS: Final[tuple[EmbySensorEntityDescription[ActivityData], ...]] = (
    EmbySensorEntityDescription(
        key="last_activity",
        translation_key="last_activity",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: entry_time(data.last) if data.last else None,
        attributes_fn=_last_activity,
    ),
    EmbySensorEntityDescription(
        key="watch_time_today",
        translation_key="watch_time_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=watch_minutes,
    ),
)

DEVICE_SENSORS: Final[tuple[EmbySensorEntityDescription[list[Device]], ...]] = (
    _count("connected_devices", len, entity_registry_enabled_default=False),
)


def _plugin_list(plugins: list[Plugin]) -> Mapping[str, Any]:
    return {
        "plugins": [f"{plugin['name']} {plugin['version'] or ''}".strip() for plugin in plugins]
    }


PLUGIN_SENSORS: Final[tuple[EmbySensorEntityDescription[list[Plugin]], ...]] = (
    _count(
        "plugins",
        len,
        attributes_fn=_plugin_list,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
)

LIVE_TV_SENSORS: Final[tuple[EmbySensorEntityDescription[LiveTvData], ...]] = (
    _count("recordings", lambda d: d.recordings, entity_registry_enabled_default=False),
    _count(
        "active_recordings", lambda d: d.active_recordings, entity_registry_enabled_default=False
    ),
    _count("scheduled_recordings", lambda d: d.timers, entity_registry_enabled_default=False),
    _count("series_timers", lambda d: d.series_timers, entity_registry_enabled_default=False),
)

# -- per user -----------------------------------------------------------------------------------

USER_SENSORS: Final[tuple[EmbySensorEntityDescription[EmbyDiscoveryData], ...]] = (
    _count("next_up", lambda d: d.next_up["total_record_count"]),
    _count("continue_watching", lambda d: d.resume["total_record_count"]),
    _count("recently_added", lambda d: len(d.latest)),
    _count(
        "suggestions",
        lambda d: None if d.suggestions is None else len(d.suggestions["items"]),
        row=DiscoveryRow.SUGGESTIONS,
        entity_registry_enabled_default=False,
    ),
    _count(
        "favorites",
        lambda d: d.favorites,
        row=DiscoveryRow.FAVORITES,
        entity_registry_enabled_default=False,
    ),
    _count(
        "watched",
        lambda d: d.watched,
        row=DiscoveryRow.WATCHED,
        entity_registry_enabled_default=False,
    ),
    _count(
        "in_progress",
        lambda d: d.resume["total_record_count"],
        entity_registry_enabled_default=False,
    ),
    _count(
        "user_playlists",
        lambda d: d.playlists,
        row=DiscoveryRow.PLAYLISTS,
        entity_registry_enabled_default=False,
    ),
)

# The items of the list sensors, for their attributes.
USER_ITEMS: Final[Mapping[str, Callable[[EmbyDiscoveryData], list[Any] | None]]] = {
    "next_up": lambda d: d.next_up["items"],
    "continue_watching": lambda d: d.resume["items"],
    "recently_added": lambda d: d.latest,
    "suggestions": lambda d: None if d.suggestions is None else d.suggestions["items"],
}

USER_WATCH_TIME: Final = EmbySensorEntityDescription[ActivityData](
    key="watch_time",
    translation_key="user_watch_time",
    device_class=SensorDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.MINUTES,
    suggested_display_precision=0,
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=watch_minutes,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's, each library's and each user's sensors."""
    runtime = entry.runtime_data
    entities: list[SensorEntity] = []

    def server[DataT](
        coordinator: EmbyCoordinator[DataT],
        descriptions: tuple[EmbySensorEntityDescription[DataT], ...],
    ) -> None:
        entities.extend(EmbyServerSensor(coordinator, d) for d in descriptions)

    server(runtime.sessions, SESSION_SENSORS)
    server(runtime.server, SERVER_SENSORS)
    server(runtime.library, LIBRARY_SENSORS)
    if (extra := runtime.extra) is not None:
        server(extra.activity, ACTIVITY_SENSORS)
        server(extra.devices, DEVICE_SENSORS)
        server(extra.plugins, PLUGIN_SENSORS)
        server(extra.live_tv, LIVE_TV_SENSORS)
    entities.extend(
        EmbyLibrarySensor(runtime.library, folder) for folder in runtime.library.data.folders
    )
    for user_id, discovery in runtime.discovery.items():
        entities.extend(
            EmbyUserSensor(discovery, description, user_id, discovery.user_name)
            for description in USER_SENSORS
        )
        if extra is not None:
            entities.append(
                EmbyUserWatchTime(extra.activity, USER_WATCH_TIME, user_id, discovery.user_name)
            )
    async_add_entities(entities)


class EmbyServerSensor[DataT](EmbyServerEntity[EmbyCoordinator[DataT]], SensorEntity):
    """A sensor of the server device."""

    entity_description: EmbySensorEntityDescription[DataT]

    # What `_shown` derived last: the state write that follows reads it.
    _value: StateType | datetime = None
    _attributes: Mapping[str, Any] | None = None

    @override
    def _shown(self) -> object:
        """The value and attributes, derived once per update and kept for the state write
        that follows (the playing-sessions attributes list every playing client); an
        unavailable sensor shows neither."""
        if not self.available:
            return None
        data = self.coordinator.data
        description = self.entity_description
        self._value = description.value_fn(data)
        attributes_fn = description.attributes_fn
        self._attributes = None if attributes_fn is None else attributes_fn(data)
        return (self._value, self._attributes)

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The value (None, hence unknown, where Emby left it out)."""
        return self._value

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The description's attributes."""
        return self._attributes


LIBRARY_ITEMS = EmbySensorEntityDescription[EmbyLibraryData](
    key="library_items",
    translation_key="library_items",
    state_class=SensorStateClass.MEASUREMENT,
    entity_registry_enabled_default=False,
    row=LibraryRow.LIBRARIES,
    value_fn=lambda data: None,
)


class EmbyLibrarySensor(EmbyServerEntity[EmbyCoordinator[EmbyLibraryData]], SensorEntity):
    """The items of one library (virtual folder), with the last one added."""

    entity_description: EmbySensorEntityDescription[EmbyLibraryData]

    def __init__(
        self, coordinator: EmbyCoordinator[EmbyLibraryData], folder: VirtualFolder
    ) -> None:
        """Initialize the sensor of `folder`."""
        super().__init__(coordinator, LIBRARY_ITEMS)
        self.folder_id = folder["id"]
        self._attr_unique_id = f"{self.server_id}_library_{self.folder_id}"
        self._attr_translation_placeholders = {"library": folder["name"]}

    @property
    @override
    def native_value(self) -> int | None:
        """How many playable items the library holds (unknown until first fetched)."""
        libraries = self.coordinator.data.libraries
        stats = None if libraries is None else libraries.get(self.folder_id)
        return None if stats is None else stats.item_count

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The last item added."""
        libraries = self.coordinator.data.libraries
        stats = None if libraries is None else libraries.get(self.folder_id)
        if stats is None or stats.last_added is None:
            return {"last_added": None}
        return {
            "last_added": item_summary(self.coordinator.config_entry.entry_id, stats.last_added)
        }


class EmbyUserSensor(EmbyUserEntity[EmbyCoordinator[EmbyDiscoveryData]], SensorEntity):
    """A sensor of one Emby user (the list sensors carry up to 10 items)."""

    entity_description: EmbySensorEntityDescription[EmbyDiscoveryData]

    @property
    @override
    def native_value(self) -> StateType:
        """The count (unknown until an optional row is first fetched)."""
        value = self.entity_description.value_fn(self.coordinator.data)
        assert not isinstance(value, datetime)
        return value

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Up to 10 items with title, series, year, type and picture URL."""
        if (items_fn := USER_ITEMS.get(self.entity_description.key)) is None:
            return None
        items = items_fn(self.coordinator.data)
        if items is None:
            return None
        return {"items": item_summaries(self.coordinator.config_entry.entry_id, items)}


class EmbyUserWatchTime(EmbyUserEntity[EmbyCoordinator[ActivityData]], SensorEntity):
    """Minutes one user watched today (from the activity log's playback entries)."""

    entity_description: EmbySensorEntityDescription[ActivityData]

    @property
    @override
    def native_value(self) -> float:
        """Minutes today."""
        return watch_minutes(self.coordinator.data, self.user_id)
