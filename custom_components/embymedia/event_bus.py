"""Events on Home Assistant's bus for automations.

`embymedia_event` (its `type` one of SESSION_EVENT_TYPES) comes from comparing consecutive
session states of the session coordinator, so it works the same whether the sessions were polled
or pushed, and a repeated snapshot fires nothing. The WebSocket's library, user-data,
notification and user messages become `embymedia_library_updated`, `embymedia_user_data_changed`,
`embymedia_notification` and `embymedia_user_changed`.

Every event carries the config entry id and the server id; session events also the client's
device and media player (registry ids, None when it has none), the user and the item. Nothing
carries the API key.
"""

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN
from .coordinator import EmbyConfigEntry
from .entity import client_unique_id

if TYPE_CHECKING:
    from embymedia_core import Event as EmbyEvent
    from embymedia_core import NowPlayingItem, Session

# Home Assistant 2026.10 looks a device up by identifier per config entry; its
# `async_get_device` is deprecated and reports the calling frame on every call (milliseconds,
# paid by every event).
_DEVICE_BY_IDENTIFIER: Final = hasattr(dr.DeviceRegistry, "async_get_device_by_identifier")

EVENT_EMBYMEDIA: Final = f"{DOMAIN}_event"
EVENT_LIBRARY_UPDATED: Final = f"{DOMAIN}_library_updated"
EVENT_USER_DATA_CHANGED: Final = f"{DOMAIN}_user_data_changed"
EVENT_NOTIFICATION: Final = f"{DOMAIN}_notification"
EVENT_USER_CHANGED: Final = f"{DOMAIN}_user_changed"

PLAYBACK_STARTED: Final = "playback_started"
PLAYBACK_STOPPED: Final = "playback_stopped"
PLAYBACK_PAUSED: Final = "playback_paused"
PLAYBACK_RESUMED: Final = "playback_resumed"
MEDIA_CHANGED: Final = "media_changed"
SESSION_CONNECTED: Final = "session_connected"
SESSION_DISCONNECTED: Final = "session_disconnected"
# Seconds a stop waits for the start of another item (Emby reports a change of item as a stop
# and a start; together they are one media_changed).
STOP_GRACE: Final = 2.0
# Events that describe what the client had (the others: what it has now).
ENDING_TYPES: Final = frozenset({PLAYBACK_STOPPED, SESSION_DISCONNECTED})
SESSION_EVENT_TYPES: Final = (
    PLAYBACK_STARTED,
    PLAYBACK_STOPPED,
    PLAYBACK_PAUSED,
    PLAYBACK_RESUMED,
    MEDIA_CHANGED,
    SESSION_CONNECTED,
    SESSION_DISCONNECTED,
)


def playing_item(session: Session) -> NowPlayingItem | None:
    """What the client plays; theme media (played while browsing) is nothing."""
    item = session.now_playing_item
    return None if item is None or item.is_theme_media else item


def item_data(item: NowPlayingItem | None) -> dict[str, Any] | None:
    """The item as events carry it."""
    if item is None:
        return None
    episode = item.type == "Episode"
    return {
        "id": item.id,
        "name": item.name,
        "type": item.type,
        "series": item.series_name,
        "season": item.parent_index_number if episode else None,
        "episode": item.index_number if episode else None,
    }


def session_transitions(before: Session | None, after: Session | None) -> list[str]:
    """The event types between two states of one client (None: not connected)."""
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [SESSION_CONNECTED] + ([PLAYBACK_STARTED] if playing_item(after) else [])
    if after is None:
        return ([PLAYBACK_STOPPED] if playing_item(before) else []) + [SESSION_DISCONNECTED]
    was, now = playing_item(before), playing_item(after)
    if was is None and now is None:
        return []
    if was is None:
        return [PLAYBACK_STARTED]
    if now is None:
        return [PLAYBACK_STOPPED]
    if was.id != now.id:
        return [MEDIA_CHANGED]
    if before.play_state.is_paused != after.play_state.is_paused:
        return [PLAYBACK_PAUSED if after.play_state.is_paused else PLAYBACK_RESUMED]
    return []


class EmbyEventBus:
    """Fires the events of one config entry."""

    def __init__(self, hass: HomeAssistant, entry: EmbyConfigEntry) -> None:
        """Start from the sessions as they are now (what is already playing fires nothing)."""
        self.hass = hass
        self.entry = entry
        runtime = entry.runtime_data
        self.server_id = runtime.sessions.server_id
        # The last state reported per client (what events have been fired up to).
        self._sessions: dict[str, Session] = dict(runtime.sessions.data or {})
        self._pending_stops: dict[str, CALLBACK_TYPE] = {}
        self._unloaded = False

    def _base(self) -> dict[str, Any]:
        return {"config_entry_id": self.entry.entry_id, "server_id": self.server_id}

    def _user_name(self, user_id: str | None) -> str | None:
        """A user's name from what the entry knows (sessions, discovery), without a request."""
        if user_id is None:
            return None
        runtime = self.entry.runtime_data
        if (discovery := runtime.discovery.get(user_id)) is not None and (
            discovery.user_name != user_id
        ):
            return discovery.user_name
        return next(
            (
                session.user_name
                for session in (runtime.sessions.data or {}).values()
                if session.user_id == user_id and session.user_name
            ),
            None,
        )

    def _client_ids(self, emby_device_id: str) -> tuple[str | None, str | None]:
        """Registry ids of a client's device and media player (None where it has none)."""
        registry = dr.async_get(self.hass)
        identifier = (DOMAIN, emby_device_id)
        device = (
            registry.async_get_device_by_identifier(identifier, self.entry.entry_id)
            if _DEVICE_BY_IDENTIFIER
            else registry.async_get_device(identifiers={identifier})
        )
        entity_id = er.async_get(self.hass).async_get_entity_id(
            Platform.MEDIA_PLAYER, DOMAIN, client_unique_id(self.server_id, emby_device_id)
        )
        return (device.id if device else None), entity_id

    @callback
    def async_sessions_changed(self) -> None:
        """Compare the session coordinator's data with the last state reported; fire the
        differences.

        A client that stops playing is reported after STOP_GRACE: Emby announces the next item
        of a queue (or one the user picked) as a stop and a start, which is one media change.
        """
        if self._unloaded:
            return
        coordinator = self.entry.runtime_data.sessions
        current: Mapping[str, Session] = coordinator.data or {}
        changed = coordinator.last_changed
        if changed is None:  # an update of everything
            changed = {*self._sessions, *current}
        for emby_device_id in changed:
            before, after = self._sessions.get(emby_device_id), current.get(emby_device_id)
            if before is after:
                continue
            if session_transitions(before, after) == [PLAYBACK_STOPPED]:
                if emby_device_id not in self._pending_stops:
                    self._pending_stops[emby_device_id] = async_call_later(
                        self.hass, STOP_GRACE, partial(self._async_stop_grace_over, emby_device_id)
                    )
                continue
            self._async_report(emby_device_id, after)

    @callback
    def _async_stop_grace_over(self, emby_device_id: str, _now: datetime) -> None:
        self._pending_stops.pop(emby_device_id, None)
        current = self.entry.runtime_data.sessions.data or {}
        self._async_report(emby_device_id, current.get(emby_device_id))

    @callback
    def _async_report(self, emby_device_id: str, after: Session | None) -> None:
        """Fire what changed from the last reported state of a client to `after`."""
        if (cancel := self._pending_stops.pop(emby_device_id, None)) is not None:
            cancel()
        before = self._sessions.get(emby_device_id)
        if after is None:
            self._sessions.pop(emby_device_id, None)
        else:
            self._sessions[emby_device_id] = after
        types = session_transitions(before, after)
        if not types:
            return
        session = after or before
        assert session is not None
        device_id, entity_id = self._client_ids(emby_device_id)
        for event_type in types:
            # A stop names what stopped; the others what plays now.
            shown = before if event_type in ENDING_TYPES else after
            data = {
                **self._base(),
                "type": event_type,
                "device_id": device_id,
                "entity_id": entity_id,
                "client": session.client,
                "device_name": session.device_name,
                "user_id": session.user_id,
                "user_name": session.user_name,
                "item": item_data(playing_item(shown) if shown else None),
            }
            if event_type == MEDIA_CHANGED and before is not None:
                data["previous_item"] = item_data(playing_item(before))
            self.hass.bus.async_fire(EVENT_EMBYMEDIA, data)

    @callback
    def async_cancel_pending(self) -> None:
        """Drop the stops still in their grace and fire nothing more (unload)."""
        self._unloaded = True
        for cancel in self._pending_stops.values():
            cancel()
        self._pending_stops.clear()

    @callback
    def async_handle(self, event: EmbyEvent) -> None:
        """Fire the bus event of a WebSocket message (sessions are compared elsewhere)."""
        match event["type"]:
            case "library_changed":
                self.hass.bus.async_fire(
                    EVENT_LIBRARY_UPDATED,
                    {
                        **self._base(),
                        "items_added": list(event["items_added"]),
                        "items_updated": list(event["items_updated"]),
                        "items_removed": list(event["items_removed"]),
                        "folders_added_to": list(event["folders_added_to"]),
                        "folders_removed_from": list(event["folders_removed_from"]),
                    },
                )
            case "user_data_changed":
                item_ids = list(event["item_ids"])
                # The item's details are known when a client plays it; otherwise only its id.
                known = {
                    item.id: item
                    for session in self._sessions.values()
                    if (item := playing_item(session)) is not None
                }
                self.hass.bus.async_fire(
                    EVENT_USER_DATA_CHANGED,
                    {
                        **self._base(),
                        "user_id": event["user_id"],
                        "user_name": self._user_name(event["user_id"]),
                        "item_ids": item_ids,
                        "item": item_data(known.get(item_ids[0])) if len(item_ids) == 1 else None,
                    },
                )
            case "notification_added":
                self.hass.bus.async_fire(
                    EVENT_NOTIFICATION,
                    {
                        **self._base(),
                        "name": event["name"],
                        "description": event["description"],
                        "level": event["level"],
                    },
                )
            case "user_updated" | "user_deleted":
                self.hass.bus.async_fire(
                    EVENT_USER_CHANGED,
                    {
                        **self._base(),
                        "change": event["type"].removeprefix("user_"),
                        "user_id": event["user_id"],
                        "user_name": self._user_name(event["user_id"]),
                    },
                )
            case _:
                pass


@callback
def async_setup_event_bus(hass: HomeAssistant, entry: EmbyConfigEntry) -> EmbyEventBus:
    """Fire session events after every change of the entry's sessions (poll or push)."""
    bus = EmbyEventBus(hass, entry)
    entry.async_on_unload(
        entry.runtime_data.sessions.async_add_listener(bus.async_sessions_changed)
    )
    entry.async_on_unload(bus.async_cancel_pending)

    @callback
    def _stop(_event: Event) -> None:
        # Home Assistant stops without unloading entries: no stop may outlive it.
        bus.async_cancel_pending()

    # A plain listener: one that fired once would be unknown to the unload that follows the stop.
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _stop))
    return bus
