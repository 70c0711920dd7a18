"""The WebSocket event loop and the handler that applies each event to the coordinators."""

import copy
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any

from embymedia_core import EmbyClosedError, EmbyError
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN, LOGGER
from .coordinator import (
    ALL_DISCOVERY_ROWS,
    USER_EVENT_ROWS,
    DiscoveryRow,
    EmbyConfigEntry,
    EmbyRuntimeData,
)

if TYPE_CHECKING:
    from embymedia_core import Event, Session


def stopped_session(session: Session) -> Session:
    """The session of a PlaybackStopped event as it is after the stop.

    The event's session still names the item that stopped (and its paused state); applied as
    is, the client would show as playing until the next Sessions push.
    """
    return copy.replace(
        session,
        now_playing_item=None,
        play_state=copy.replace(
            session.play_state, is_paused=False, position_ticks=None, can_seek=False
        ),
    )


class EmbyEventHandler:
    """Applies WebSocket events to the coordinators."""

    def __init__(
        self, hass: HomeAssistant, entry: EmbyConfigEntry, runtime: EmbyRuntimeData
    ) -> None:
        """Initialize the handler."""
        self.hass = hass
        self.entry = entry
        self.runtime = runtime

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run a refresh request without blocking the event stream (cancelled on unload)."""
        self.entry.async_create_background_task(self.hass, coro, name=name)

    def _refresh_discovery(
        self, rows: frozenset[DiscoveryRow], user_ids: Iterable[str] | None = None
    ) -> None:
        discovery = self.runtime.discovery
        for user_id in discovery if user_ids is None else user_ids:
            if (coordinator := discovery.get(user_id)) is not None:
                self._spawn(coordinator.async_refresh_rows(rows), f"{DOMAIN} discovery {user_id}")

    def _is_playback_start_save(self, user_id: str, item_ids: list[str]) -> bool:
        """Whether a UserDataChanged only announces playback starting: Emby saves play count
        and last played then, which no discovery row shows; the stop's save (announced once the
        session has stopped) is what moves resume points and next episodes."""
        playing = {
            session.now_playing_item.id
            for session in (self.runtime.sessions.data or {}).values()
            if session.user_id == user_id and session.now_playing_item is not None
        }
        return bool(item_ids) and playing.issuperset(item_ids)

    @callback
    def async_handle(self, event: Event) -> None:
        """Dispatch one event."""
        sessions = self.runtime.sessions
        match event["type"]:
            case "connected":
                sessions.async_set_websocket_connected(True)
                self.runtime.server.websocket_connected = True
            case "disconnected" | "reconnecting":
                sessions.async_set_websocket_connected(False)
                self.runtime.server.websocket_connected = False
                # Task changes while the socket is down are not pushed: poll them again.
                self.runtime.server.tasks_stale = True
            case "sessions":
                sessions.async_set_sessions(event["sessions"])
            case "playback_start" | "playback_progress":
                sessions.async_apply_session(event["session"])
            case "playback_stopped":
                sessions.async_apply_session(stopped_session(event["session"]))
                if (user_id := event["session"].user_id) is not None:
                    self._refresh_discovery(USER_EVENT_ROWS, [user_id])
            case "session_ended":
                sessions.async_apply_session(event["session"], ended=True)
            case "library_changed":
                self._spawn(
                    self.runtime.library.async_request_refresh(), f"{DOMAIN} library refresh"
                )
                self._refresh_discovery(ALL_DISCOVERY_ROWS)
            case "user_data_changed":
                if not self._is_playback_start_save(event["user_id"], event["item_ids"]):
                    self._refresh_discovery(USER_EVENT_ROWS, [event["user_id"]])
            case "scheduled_tasks_info":
                self.runtime.server.async_set_tasks(event["tasks"])
            case "scheduled_task_ended" | "restart_required":
                server = self.runtime.server
                server.tasks_stale = server.tasks_stale or event["type"] == "scheduled_task_ended"
                self._spawn(server.async_request_refresh(), f"{DOMAIN} server refresh")
            case _:
                # server_restarting / shutting_down: the core reconnects by itself; the rest
                # (tasks, notifications, users) feeds no coordinator.
                pass


async def async_run_event_loop(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    interval_ms: int,
    listeners: Iterable[Callable[[Event], None]] = (),
) -> None:
    """Consume the core's WebSocket event stream until the client closes; `listeners` see
    every event after the coordinators (the bus events of event_bus.py)."""
    runtime = entry.runtime_data
    handler = EmbyEventHandler(hass, entry, runtime)
    listeners = tuple(listeners)
    try:
        async for batch in runtime.client.events(sessions_interval_ms=interval_ms):
            for event in batch:
                handler.async_handle(event)
                for listener in listeners:
                    listener(event)
    except EmbyClosedError:
        pass
    except EmbyError as err:
        LOGGER.warning("Emby event stream ended: %s", err)
    finally:
        runtime.sessions.async_set_websocket_connected(False)
        runtime.server.websocket_connected = False
